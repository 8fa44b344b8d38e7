//go:build !noxla && cgo && ((linux && (amd64 || arm64)) || (darwin && arm64) || (windows && amd64))

package backend

import (
	"github.com/gomlx/go-xla/compute/xla"
)

// XLALinked reports whether the XLA (PJRT) backend is linked into this binary.
const XLALinked = true

func init() {
	// Never download PJRT plugins: with GOMLX_BACKEND=xla:cuda the plugin is searched
	// for in PJRT_PLUGIN_LIBRARY_PATH and the standard places; with
	// GOMLX_BACKEND=xla:/abs/path.so that file is loaded. Nothing is fetched.
	xla.EnableAutoInstall(false)
}
