// Command moddata writes the table of a∘b mod p with its train/test split.
package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/alecthomas/kong"

	"github.com/grokkit/grokkit/pkg/arith"
	"github.com/grokkit/grokkit/pkg/cli"
	"github.com/grokkit/grokkit/pkg/outfile"
	"github.com/grokkit/grokkit/pkg/table"
)

type flags struct {
	P             int              `default:"113" help:"Modulus, 2 ≤ p ≤ 5000 (prime or composite; a/b needs a prime)."`
	Op            string           `default:"add" help:"Operation: ${ops}."`
	TrainFraction float64          `default:"0.3" help:"Fraction of rows in the train split (floor(fraction·rows) rows)."`
	Seed          uint64           `default:"23093" help:"Seed of the split's shuffle (the default is the original project's)."`
	Equals        bool             `help:"Record in the metadata (equals_token) that the rows are meant as 'a b =' with '=' as token id p, the original project's data format. Only a record: fit takes the input format from the network (nanda and power read 'a b =', gromov 'a b')."`
	Output        string           `short:"o" default:"-" placeholder:"PATH" help:"Output Parquet file, or - for stdout."`
	Version       kong.VersionFlag `help:"Print the version."`
}

func main() {
	var f flags
	os.Exit(cli.Run(cli.OS(), "moddata", "Write the table of a∘b mod p (every pair) with a seeded train/test split, as Parquet.",
		&f, func(env cli.Env, _ *kong.Context) error { return generate(env, &f) },
		kong.Vars{"ops": strings.Join(arith.Names(), ", ")}))
}

func generate(env cli.Env, f *flags) error {
	if err := cli.RefuseBinaryOnTerminal(f.Output, env.Stdout, "give -o FILE.parquet, or pipe it on (moddata … | mutate … -o FILE.parquet)"); err != nil {
		return err
	}
	if _, err := arith.Lookup(f.Op); err != nil {
		return fmt.Errorf("--op: %w", err)
	}
	t, err := table.Generate(table.Spec{P: f.P, Op: f.Op, TrainFraction: f.TrainFraction, Seed: f.Seed, Equals: f.Equals})
	if err != nil {
		return err
	}
	t.Meta.History = append(t.Meta.History, cli.Step("moddata", env.Args, &f.Seed))
	return outfile.Write(f.Output, env.Stdout, func(w io.Writer) error { return table.Write(w, t) })
}
