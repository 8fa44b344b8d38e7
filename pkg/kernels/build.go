package kernels

import "runtime/debug"

// goamd64 is the GOAMD64 level this binary was built for ("" off amd64).
func goamd64() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	for _, s := range info.Settings {
		if s.Key == "GOAMD64" {
			return s.Value
		}
	}
	return ""
}
