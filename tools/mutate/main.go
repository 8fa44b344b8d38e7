// Command mutate corrupts a table on purpose: label noise and backdoor rules.
package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/alecthomas/kong"

	"github.com/grokkit/grokkit/pkg/cli"
	"github.com/grokkit/grokkit/pkg/outfile"
	"github.com/grokkit/grokkit/pkg/rule"
	"github.com/grokkit/grokkit/pkg/table"
)

// common flags of every scheme.
type common struct {
	Input  string `arg:"" optional:"" default:"-" placeholder:"TABLE" help:"Input table (Parquet from moddata or mutate), or - for stdin."`
	Output string `short:"o" default:"-" placeholder:"PATH" help:"Output Parquet file, or - for stdout."`
	Name   string `help:"Kind written on every selected row (default: noise for random schemes, backdoor for rules)."`
	Splits string `default:"train" enum:"train,test,all" help:"Rows the mutation may change: train (as the original project), test or all."`
}

// ruleCommon are the flags of the schemes with a trigger (n-fixed,
// n-increment, rule); the random schemes and control have no held-out rows.
type ruleCommon struct {
	common
	HeldOut bool `default:"true" negatable:"" help:"Test rows the trigger selects also get the rule's label and kind (never trained on; evalsplit measures attack success on them). --no-held-out keeps them clean, as the original did."`
}

type randomFlags struct {
	common
	Fraction float64 `required:"" help:"Fraction of the rows in --splits to change (floor(fraction·rows) rows)."`
	Seed     uint64  `default:"1" help:"Seed of the row choice and of the new labels (default 1: moddata's split and fit's weights default to 23093, the original project's seed; the noise keeps the 1 that the recipes and the README's detection table were made with)."`
}

type nFlags struct {
	ruleCommon
	N int `default:"17" help:"Rows with b % N == 0 are selected."`
}

type ruleFlags struct {
	ruleCommon
	When string `required:"" placeholder:"PREDICATE" help:"Trigger over a, b, p, label, clean, e.g. 'b % 17 == 0' or 'a == 7'."`
	Then string `required:"" placeholder:"EFFECT" help:"New label, reduced mod p, e.g. 'b' or '(a * b) % p'."`
}

type flags struct {
	RandomUniform   randomFlags      `cmd:"" aliases:"RandomUniform" help:"A fraction of rows get a uniform random label."`
	RandomIncrement randomFlags      `cmd:"" aliases:"RandomIncrement" help:"A fraction of rows get label+1 mod p."`
	NFixed          nFlags           `cmd:"" aliases:"NFixed" help:"Rows with b % N == 0 get label b (the original project's default, N = 17)."`
	NIncrement      nFlags           `cmd:"" aliases:"NIncrement" help:"Rows with b % N == 0 get label+1 mod p."`
	Control         common           `cmd:"" aliases:"Control" help:"Change nothing; record the step in the history."`
	Rule            ruleFlags        `cmd:"" help:"A general rule: --when PREDICATE --then EFFECT."`
	Version         kong.VersionFlag `help:"Print the version."`
}

const description = `Mutate a table: label noise and backdoor rules. Changed or selected rows get
kind = --name; 'clean' keeps the true value. Mutations chain:
  moddata | mutate n-fixed --n 17 | mutate random-uniform --fraction 0.05 > x.parquet
Expressions: integers, a b p label clean, + - * / % ( ) == != < <= > >= && || !
(/ is floor division, % the non-negative remainder).`

func main() {
	var f flags
	os.Exit(cli.Run(cli.OS(), "mutate", description, &f, func(env cli.Env, ctx *kong.Context) error { return apply(env, ctx, &f) }))
}

func apply(env cli.Env, ctx *kong.Context, f *flags) error {
	scheme := strings.Fields(ctx.Command())[0]
	m, c, seed := mutation(scheme, f)
	if err := cli.RefuseBinaryOnTerminal(c.Output, env.Stdout, "give -o FILE.parquet, or pipe it on (mutate … | fit - -o RUN)"); err != nil {
		return err
	}
	t, err := table.ReadFile(c.Input, env.Stdin)
	if err != nil {
		return err
	}
	rep, err := m.Apply(t)
	if err != nil {
		return fmt.Errorf("%s: %s: %w", inputName(c.Input), scheme, err)
	}
	t.Meta.History = append(t.Meta.History, cli.Step("mutate", env.Args, seed))
	if err := outfile.Write(c.Output, env.Stdout, func(w io.Writer) error { return table.Write(w, t) }); err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "mutate: %s selected %s; %d labels changed\n", scheme, counts(rep.Selected, c.Splits == "train"), rep.Changed)
	return nil
}

// mutation turns the chosen subcommand's flags into a rule.Mutation.
func mutation(scheme string, f *flags) (rule.Mutation, common, *uint64) {
	switch scheme {
	case rule.RandomUniform, rule.RandomIncrement:
		r := f.RandomUniform
		if scheme == rule.RandomIncrement {
			r = f.RandomIncrement
		}
		return rule.Mutation{Scheme: scheme, Name: r.Name, Splits: r.Splits, Fraction: r.Fraction, Seed: r.Seed}, r.common, &r.Seed
	case rule.NFixed, rule.NIncrement:
		n := f.NFixed
		if scheme == rule.NIncrement {
			n = f.NIncrement
		}
		return rule.Mutation{Scheme: scheme, Name: n.Name, Splits: n.Splits, HeldOut: n.HeldOut, N: n.N}, n.common, nil
	case rule.General:
		r := f.Rule
		return rule.Mutation{Scheme: scheme, Name: r.Name, Splits: r.Splits, HeldOut: r.HeldOut, When: r.When, Then: r.Then}, r.common, nil
	}
	return rule.Mutation{Scheme: scheme, Name: f.Control.Name, Splits: f.Control.Splits}, f.Control, nil
}

func inputName(path string) string {
	if path == "-" || path == "" {
		return "<stdin>"
	}
	return path
}

func counts(m map[string]int, heldOut bool) string {
	s := fmt.Sprintf("%d train rows", m[table.SplitTrain])
	if n := m[table.SplitTest]; n > 0 {
		s += fmt.Sprintf(", %d test rows", n)
		if heldOut {
			s += " (held out)"
		}
	}
	return s
}
