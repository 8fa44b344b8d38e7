#!/usr/bin/env python3
"""Read a TensorBoard event file and print its scalars as TSV: step, tag, value.

An independent check of fit's event files (pkg/tfevents): the messages are
decoded by the protobuf library (Debian's python3-protobuf), from
descriptors restating the fields of TensorBoard's event.proto and
summary.proto that fit writes, so no protoc and no TensorBoard are needed;
CRC-32C is computed here, bit by bit, not by the writer's code. Every
record's two CRCs are checked, the first event must be the file version
"brain.Event:2" and every other one a summary of simple values.

Usage: tfevents-read.py FILE
Errors are one line, "tfevents-read.py: FILE: problem", exit status 1.
"""

import struct
import sys

PROG = "tfevents-read.py"

try:
    from google.protobuf import descriptor_pb2, descriptor_pool
except ImportError:
    sys.exit(f"{PROG}: needs Python's protobuf library (apt-get install python3-protobuf)")

FILE_VERSION = "brain.Event:2"


def crc32c(data):
    """CRC-32C (Castagnoli): reflected polynomial 0x82F63B78."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def masked_crc(data):
    crc = crc32c(data)
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


def message_classes():
    """Event and Summary as TensorBoard defines them (the fields fit uses)."""
    F = descriptor_pb2.FieldDescriptorProto
    f = descriptor_pb2.FileDescriptorProto(name="grokkit_tfevents_read.proto", package="tensorboard", syntax="proto3")

    summary = f.message_type.add(name="Summary")
    value = summary.nested_type.add(name="Value")
    value.oneof_decl.add(name="value")
    value.field.add(name="tag", number=1, type=F.TYPE_STRING, label=F.LABEL_OPTIONAL)
    value.field.add(name="simple_value", number=2, type=F.TYPE_FLOAT, label=F.LABEL_OPTIONAL, oneof_index=0)
    summary.field.add(name="value", number=1, type=F.TYPE_MESSAGE, label=F.LABEL_REPEATED,
                      type_name=".tensorboard.Summary.Value")

    event = f.message_type.add(name="Event")
    event.oneof_decl.add(name="what")
    event.field.add(name="wall_time", number=1, type=F.TYPE_DOUBLE, label=F.LABEL_OPTIONAL)
    event.field.add(name="step", number=2, type=F.TYPE_INT64, label=F.LABEL_OPTIONAL)
    event.field.add(name="file_version", number=3, type=F.TYPE_STRING, label=F.LABEL_OPTIONAL, oneof_index=0)
    event.field.add(name="summary", number=5, type=F.TYPE_MESSAGE, label=F.LABEL_OPTIONAL, oneof_index=0,
                    type_name=".tensorboard.Summary")

    pool = descriptor_pool.DescriptorPool()
    pool.Add(f)
    desc = pool.FindMessageTypeByName("tensorboard.Event")
    try:
        from google.protobuf.message_factory import GetMessageClass  # protobuf ≥ 4.21 (Python)
    except ImportError:
        from google.protobuf.message_factory import MessageFactory
        GetMessageClass = MessageFactory(pool).GetPrototype
    return GetMessageClass(desc)


def records(data):
    """Yields each record's data, checking its framing and CRCs."""
    at = 0
    while at < len(data):
        if len(data) - at < 12:
            raise ValueError(f"record at byte {at}: cut short in its header")
        header = data[at:at + 8]
        (length,) = struct.unpack("<Q", header)
        (crc,) = struct.unpack("<I", data[at + 8:at + 12])
        if crc != masked_crc(header):
            raise ValueError(f"record at byte {at}: the CRC of its length does not match")
        end = at + 12 + length
        if end + 4 > len(data):
            raise ValueError(f"record at byte {at}: cut short ({length} bytes of data announced)")
        body = data[at + 12:end]
        (crc,) = struct.unpack("<I", data[end:end + 4])
        if crc != masked_crc(body):
            raise ValueError(f"record at byte {at}: the CRC of its data does not match")
        yield at, body
        at = end + 4


def read(path):
    """The file's scalars as TSV lines, header first."""
    Event = message_classes()
    with open(path, "rb") as f:
        data = f.read()
    out = ["step\ttag\tvalue\n"]
    n = 0
    for at, body in records(data):
        event = Event()
        event.ParseFromString(body)
        what = event.WhichOneof("what")
        if n == 0:
            if what != "file_version" or event.file_version != FILE_VERSION:
                raise ValueError(f"the first event is not the file version {FILE_VERSION!r}")
        elif what != "summary":
            raise ValueError(f"record at byte {at}: an event without a summary ({what})")
        else:
            for v in event.summary.value:
                if v.WhichOneof("value") != "simple_value":
                    raise ValueError(f"record at byte {at}: {v.tag!r} has no simple_value")
                out.append(f"{event.step}\t{v.tag}\t{v.simple_value!r}\n")
        n += 1
    if n == 0:
        raise ValueError("no records")
    return out


def main(argv):
    if len(argv) != 2:
        sys.stderr.write(f"usage: {PROG} FILE\n")
        return 2
    try:
        lines = read(argv[1])
    except Exception as e:  # one line, naming the file; nothing on stdout
        msg = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        sys.stderr.write(f"{PROG}: {argv[1]}: {msg}\n")
        return 1
    sys.stdout.writelines(lines)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
