// Package integrity gives the files a run folder reads back a checksum of
// their own: a key whose value is the SHA-256 of the whole file with that
// value written as zeros. A reader recomputes it the same way, so any byte
// changed anywhere in the file, the checksum's own key included, is found.
// safetensors files (pkg/model) and config.json (pkg/runs) use it.
package integrity

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// Zero is the checksum's placeholder while it is computed.
var Zero = strings.Repeat("0", 64)

// ErrMissing is returned by Verify for a file without its checksum.
var ErrMissing = errors.New("no checksum: not written by this toolkit's current version, or the file is corrupt")

// Field is the text of the checksum entry as it appears in a JSON file:
// "key":"hex" (compact) or "key": "hex" (indented).
func field(key, value string, indented bool) []byte {
	sep := ":"
	if indented {
		sep = ": "
	}
	return []byte(`"` + key + `"` + sep + `"` + value + `"`)
}

// Seal fills in the checksum of file, whose first within bytes (the
// header, for a file with binary data after it) must contain key with the
// value Zero exactly once. It changes file in place.
func Seal(file []byte, within int, key string) error {
	for _, ind := range []bool{false, true} {
		f := field(key, Zero, ind)
		if bytes.Count(file[:within], f) == 1 {
			at := bytes.Index(file, f)
			sum := sha256.Sum256(file)
			copy(file[at+len(f)-65:], hex.EncodeToString(sum[:]))
			return nil
		}
	}
	return fmt.Errorf("integrity: the file holds no single %q placeholder", key)
}

// Verify checks the checksum stored under key in the first within bytes of
// file (ErrMissing when there is none).
func Verify(file []byte, within int, key string) error {
	for _, ind := range []bool{false, true} {
		prefix := field(key, "", ind)
		prefix = prefix[:len(prefix)-1] // "key":" without the closing quote
		at := bytes.Index(file[:within], prefix)
		if at < 0 {
			continue
		}
		start := at + len(prefix)
		if start+65 > len(file) || file[start+64] != '"' {
			return fmt.Errorf("the checksum is malformed: the file is corrupt")
		}
		stored := string(file[start : start+64])
		zeroed := bytes.Clone(file)
		copy(zeroed[start:], Zero)
		sum := sha256.Sum256(zeroed)
		if got := hex.EncodeToString(sum[:]); got != stored {
			return fmt.Errorf("checksum mismatch (stored %s…, the bytes give %s…): the file is corrupt", stored[:12], got[:12])
		}
		return nil
	}
	return ErrMissing
}
