// Package tfevents writes TensorBoard event files: scalars that TensorBoard
// (tensorboard --logdir) plots live and that wandb sync imports.
//
// A file is a sequence of TFRecord records, each
//
//	uint64 length (little-endian) | uint32 masked CRC-32C of those 8 bytes | data | uint32 masked CRC-32C of data
//
// whose data is one Event protocol buffer; the first announces the format
// (file_version "brain.Event:2").
package tfevents

import (
	"encoding/binary"
	"hash/crc32"
)

// castagnoli is CRC-32C, the checksum TFRecord uses.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// maskDelta is TFRecord's mask constant.
const maskDelta = 0xa282ead8

// MaskedCRC is TFRecord's masked CRC-32C of b: the CRC rotated right by 15
// bits plus a constant, so that a CRC stored inside checksummed data does
// not checksum to a fixed value.
func MaskedCRC(b []byte) uint32 {
	crc := crc32.Checksum(b, castagnoli)
	return (crc>>15 | crc<<17) + maskDelta
}

// AppendRecord appends data framed as one record to dst.
func AppendRecord(dst, data []byte) []byte {
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(data)))
	dst = append(dst, n[:]...)
	dst = binary.LittleEndian.AppendUint32(dst, MaskedCRC(n[:]))
	dst = append(dst, data...)
	return binary.LittleEndian.AppendUint32(dst, MaskedCRC(data))
}
