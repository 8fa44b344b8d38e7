package cli

import (
	"fmt"
	"io"
	"os"

	"golang.org/x/term"
)

// IsTerminal reports whether w is a terminal.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// Format is the output format a tool uses: format when given, else the
// text table on a terminal (output "-" to a terminal stdout) and Parquet
// anywhere else (a file, a pipe).
func Format(format, output string, stdout io.Writer) string {
	switch {
	case format != "":
		return format
	case (output == "" || output == "-") && IsTerminal(stdout):
		return "table"
	}
	return "parquet"
}

// RefuseBinaryOnTerminal is the error for a Parquet table about to be
// written to a terminal; hint says what to do instead.
func RefuseBinaryOnTerminal(output string, stdout io.Writer, hint string) error {
	if (output == "" || output == "-") && IsTerminal(stdout) {
		return fmt.Errorf("-o -: stdout is a terminal and the table is binary Parquet: %s", hint)
	}
	return nil
}
