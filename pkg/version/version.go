// Package version holds the toolkit's version, written into every file and
// run folder the tools produce so a result can be traced to the code.
package version

// Version is bumped by hand at each release.
const Version = "0.1.0"
