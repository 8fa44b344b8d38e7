package model

import (
	"os"
	"testing"

	"github.com/grokkit/grokkit/pkg/backend"
)

func TestMain(m *testing.M) {
	// The tests choose their backend through pkg/backend; say which.
	if _, desc, err := backend.New(); err == nil {
		os.Stderr.WriteString("pkg/model tests on backend: " + desc + "\n")
	}
	os.Exit(m.Run())
}
