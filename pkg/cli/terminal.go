package cli

import (
	"fmt"
	"io"

	"github.com/grokkit/grokkit/pkg/outfile"
)

// Format is the output format a tool uses: format when given, else the
// text table on a terminal (output "-" to a terminal stdout) and Parquet
// anywhere else (a file, a pipe).
func Format(format, output string, stdout io.Writer) string {
	switch {
	case format != "":
		return format
	case toTerminal(output, stdout):
		return "table"
	}
	return "parquet"
}

// RefuseBinaryOnTerminal is the error for a Parquet table about to be
// written to a terminal; hint says what to do instead.
func RefuseBinaryOnTerminal(output string, stdout io.Writer, hint string) error {
	if toTerminal(output, stdout) {
		return fmt.Errorf("-o -: stdout is a terminal and the table is binary Parquet: %s", hint)
	}
	return nil
}

// toTerminal reports whether output (-o; "-" or none for stdout) goes to a
// terminal.
func toTerminal(output string, stdout io.Writer) bool {
	return (output == "" || output == "-") && outfile.IsTerminal(stdout)
}
