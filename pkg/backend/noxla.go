//go:build noxla || !cgo || !((linux && (amd64 || arm64)) || (darwin && arm64) || (windows && amd64))

package backend

// XLALinked reports whether the XLA (PJRT) backend is linked into this binary.
// This build (tag noxla, or no cgo) is pure Go: only the "go" backend exists.
const XLALinked = false
