"""A small Parquet reader in Python with numpy alone, for the flat tables
the toolkit writes (metrics.parquet); scripts/load_run.py uses it.

Python has no Parquet reader without pyarrow, fastparquet or DuckDB, and
Debian packages none of them (Debian 12), so a run's metrics would not open
with Debian's python3-numpy and python3-pandas alone. This reads the subset
of the format that parquet-go writes for the toolkit (the format is
https://github.com/apache/parquet-format, its footer and page headers
Thrift's compact protocol):

- flat schemas of required or optional columns without nulls;
- types BOOLEAN, INT32, INT64, FLOAT, DOUBLE, BYTE_ARRAY (strings);
- data pages v1 and v2, dictionary pages; encodings PLAIN and
  PLAIN_DICTIONARY/RLE_DICTIONARY (RLE/bit-packed indices);
- codecs UNCOMPRESSED and GZIP (the toolkit's, pkg/outfile).

Anything else is refused by name (LoadError): read such a file with
pandas.read_parquet (pyarrow) or DuckDB instead.

    columns, kv = read_parquet(path)   # {name: numpy array}, {key: value}

Integers come back int32/int64, floats float32/float64, strings as numpy
object arrays of str; kv is the file's key-value metadata.
"""

import struct
import zlib

import numpy as np


class LoadError(Exception):
    """A file is not what the reader reads: "PATH: problem"."""


# Thrift compact protocol: the types of a field header's low nibble.
_STOP, _TRUE, _FALSE, _I8, _I16, _I32, _I64, _DOUBLE, _BINARY, _LIST, _SET, _MAP, _STRUCT = range(13)


class _Thrift:
    """Reads Thrift compact-protocol structs as {field id: value}."""

    def __init__(self, data, pos=0):
        self.data, self.pos = data, pos

    def byte(self):
        b = self.data[self.pos]
        self.pos += 1
        return b

    def varint(self):
        shift = result = 0
        while True:
            b = self.byte()
            result |= (b & 0x7F) << shift
            if b < 0x80:
                return result
            shift += 7

    def zigzag(self):
        n = self.varint()
        return (n >> 1) ^ -(n & 1)

    def value(self, t):
        if t in (_TRUE, _FALSE):  # a field's bool is its type
            return t == _TRUE
        if t == _I8:
            return struct.unpack("b", bytes([self.byte()]))[0]
        if t in (_I16, _I32, _I64):
            return self.zigzag()
        if t == _DOUBLE:
            self.pos += 8
            return struct.unpack("<d", self.data[self.pos - 8:self.pos])[0]
        if t == _BINARY:
            n = self.varint()
            self.pos += n
            return bytes(self.data[self.pos - n:self.pos])
        if t in (_LIST, _SET):
            h = self.byte()
            n, et = h >> 4, h & 0x0F
            if n == 15:
                n = self.varint()
            if et in (_TRUE, _FALSE):  # in a list, a bool is a byte
                return [self.byte() == 1 for _ in range(n)]
            return [self.value(et) for _ in range(n)]
        if t == _MAP:
            n = self.varint()
            if n == 0:
                return {}
            kv = self.byte()
            return {self.value(kv >> 4): self.value(kv & 0x0F) for _ in range(n)}
        if t == _STRUCT:
            return self.struct()
        raise ValueError(f"Thrift type {t}")

    def struct(self):
        fields, last = {}, 0
        while True:
            h = self.byte()
            if h == _STOP:
                return fields
            delta, t = h >> 4, h & 0x0F
            last = last + delta if delta else self.zigzag()
            fields[last] = self.value(t)


# parquet.thrift's enums, as far as they are read here.
_TYPES = {0: "BOOLEAN", 1: "INT32", 2: "INT64", 3: "INT96", 4: "FLOAT", 5: "DOUBLE", 6: "BYTE_ARRAY", 7: "FIXED_LEN_BYTE_ARRAY"}
_NUMPY = {"INT32": "<i4", "INT64": "<i8", "FLOAT": "<f4", "DOUBLE": "<f8"}
_CODECS = {0: "UNCOMPRESSED", 1: "SNAPPY", 2: "GZIP", 3: "LZO", 4: "BROTLI", 5: "LZ4", 6: "ZSTD", 7: "LZ4_RAW"}
_PLAIN, _PLAIN_DICTIONARY, _RLE, _RLE_DICTIONARY = 0, 2, 3, 8
_DATA_PAGE, _DICTIONARY_PAGE, _DATA_PAGE_V2 = 0, 2, 3
_REQUIRED, _OPTIONAL = 0, 1


def _hybrid(data, width, count):
    """count values of the RLE/bit-packed hybrid encoding of width bits."""
    out, pos, got = [], 0, 0
    nbytes = (width + 7) // 8
    while got < count:
        t = _Thrift(data, pos)
        h = t.varint()
        pos = t.pos
        if h & 1:  # bit-packed: (h >> 1) groups of 8 values, least significant bit first
            n = (h >> 1) * 8
            bits = np.unpackbits(np.frombuffer(data[pos:pos + n * width // 8], np.uint8), bitorder="little")
            if width == 0:
                out.append(np.zeros(n, np.int64))
            else:
                out.append(bits.reshape(n, width).astype(np.int64) @ (1 << np.arange(width, dtype=np.int64)))
            pos += n * width // 8
            got += n
        else:  # a run: h >> 1 copies of one value of nbytes bytes
            v = int.from_bytes(data[pos:pos + nbytes], "little")
            out.append(np.full(h >> 1, v, np.int64))
            pos += nbytes
            got += h >> 1
    return np.concatenate(out)[:count] if out else np.zeros(0, np.int64)


def _plain(data, ptype, count):
    """count PLAIN-encoded values of a physical type."""
    if ptype in _NUMPY:
        return np.frombuffer(data, _NUMPY[ptype], count).astype(_NUMPY[ptype][1:])
    if ptype == "BOOLEAN":
        return np.unpackbits(np.frombuffer(data, np.uint8), bitorder="little")[:count].astype(bool)
    if ptype == "BYTE_ARRAY":
        out, pos = np.empty(count, object), 0
        for i in range(count):
            (n,) = struct.unpack_from("<I", data, pos)
            out[i] = bytes(data[pos + 4:pos + 4 + n]).decode("utf-8")
            pos += 4 + n
        return out
    raise ValueError(f"physical type {ptype}")


def _decompress(path, codec, data, size):
    if codec == "UNCOMPRESSED":
        return data
    if codec == "GZIP":
        out = zlib.decompress(data, 16 + zlib.MAX_WBITS)
        if len(out) != size:
            raise LoadError(f"{path}: a page inflates to {len(out)} bytes, its header says {size}")
        return out
    raise LoadError(f"{path}: codec {codec} is not read here: use pandas.read_parquet (pyarrow) or DuckDB")


def _column(path, data, chunk, ptype, optional):
    """The values of one column chunk (ColumnMetaData, parsed)."""
    codec = _CODECS.get(chunk[4], str(chunk[4]))
    count = chunk[5]
    pos = min(p for p in (chunk.get(9), chunk.get(11)) if p is not None)
    dictionary, parts, got = None, [], 0
    while got < count:
        t = _Thrift(data, pos)
        header = t.struct()
        body = data[t.pos:t.pos + header[3]]
        pos = t.pos + header[3]
        kind = header[1]
        if kind == _DICTIONARY_PAGE:
            d = header[7]
            dictionary = _plain(_decompress(path, codec, body, header[2]), ptype, d[1])
            continue
        if kind == _DATA_PAGE:
            h = header[5]
            n, enc = h[1], h[2]
            page = _decompress(path, codec, body, header[2])
            if optional:  # 4-byte length, then the definition levels (width 1)
                (m,) = struct.unpack_from("<I", page, 0)
                defs = _hybrid(page[4:4 + m], 1, n)
                page = page[4 + m:]
        elif kind == _DATA_PAGE_V2:
            h = header[8]
            n, nulls, enc, dlen, rlen = h[1], h[2], h[4], h[5], h[6]
            if nulls:
                raise LoadError(f"{path}: a column holds {nulls} nulls: not read here")
            levels, values = body[:dlen + rlen], body[dlen + rlen:]
            size = header[2] - dlen - rlen
            page = levels + (_decompress(path, codec, values, size) if h.get(7, True) else values)
            if optional:
                defs = _hybrid(page[rlen:rlen + dlen], 1, n)
            page = page[dlen + rlen:]
        else:
            raise LoadError(f"{path}: page type {kind} is not read here")
        if optional and not defs.all():
            raise LoadError(f"{path}: a column holds nulls: not read here")
        if enc == _PLAIN:
            parts.append(_plain(page, ptype, n))
        elif enc in (_PLAIN_DICTIONARY, _RLE_DICTIONARY):
            if dictionary is None:
                raise LoadError(f"{path}: a dictionary-encoded page without a dictionary")
            parts.append(dictionary[_hybrid(page[1:], page[0], n)])
        else:
            raise LoadError(f"{path}: encoding {enc} is not read here: use pandas.read_parquet (pyarrow) or DuckDB")
        got += n
    return np.concatenate(parts) if parts else _plain(b"", ptype, 0)


def read_parquet(path):
    """({column: numpy array}, {key: value}) of a flat Parquet file."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise LoadError(f"{path}: {e.strerror}") from None
    if len(data) < 12 or data[:4] != b"PAR1" or data[-4:] != b"PAR1":
        raise LoadError(f"{path}: not a Parquet file (no PAR1 at its ends)")
    (n,) = struct.unpack("<I", data[-8:-4])
    if n > len(data) - 12:
        raise LoadError(f"{path}: footer length {n} exceeds the file's {len(data)} bytes")
    try:
        meta = _Thrift(data, len(data) - 8 - n).struct()
        schema = meta[2]
        root, leaves = schema[0], schema[1:]
        if root.get(5) != len(leaves) or any(5 in s for s in leaves):
            raise LoadError(f"{path}: a nested schema is not read here")
        columns = {}
        for s in leaves:
            name = s[4].decode()
            if s.get(3, _REQUIRED) not in (_REQUIRED, _OPTIONAL):
                raise LoadError(f"{path}: column {name!r} is repeated: not read here")
            columns[name] = []
        for group in meta.get(4, []):
            for s, chunk in zip(leaves, group[1]):
                ptype = _TYPES.get(s.get(1), str(s.get(1)))
                if ptype not in _NUMPY and ptype not in ("BOOLEAN", "BYTE_ARRAY"):
                    raise LoadError(f"{path}: column {s[4].decode()!r} has type {ptype}: not read here")
                columns[s[4].decode()].append(_column(path, data, chunk[3], ptype, s.get(3) == _OPTIONAL))
        out = {}
        for s in leaves:
            name = s[4].decode()
            parts = columns[name]
            out[name] = np.concatenate(parts) if parts else _plain(b"", _TYPES.get(s.get(1)), 0)
            if len(out[name]) != meta[3]:
                raise LoadError(f"{path}: column {name!r} has {len(out[name])} values, the file {meta[3]} rows")
        kv = {e[1].decode(): e.get(2, b"").decode() for e in meta.get(5, [])}
        return out, kv
    except LoadError:
        raise
    except (IndexError, KeyError, ValueError, TypeError, struct.error, zlib.error) as e:
        raise LoadError(f"{path}: corrupt or not read here ({type(e).__name__}: {e})") from None
