package sweep

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// A value a tool would refuse stops the sweep when it is made, with one
// line naming the spec, the parameter and the value (or the run), and no
// sweep folder; before, each failed only when its tasks ran.
func TestCreateChecksEveryValue(t *testing.T) {
	for _, c := range []struct{ name, text, want string }{
		// The three the fault injection found.
		{"p1.yaml", "moddata:\n  p: 1\n", `^p1.yaml: moddata.p = 1: p = 1 is out of range \[2, 5000\] \(line 2\)$`},
		{"rule.yaml", "moddata: {p: 11}\nmutate:\n  - scheme: rule\n    when: \"a ==\"\n    then: b\n",
			`^rule.yaml: mutate.0.when = "a ==": --when: syntax error at column 5 in "a ==": .* \(line 4\)$`},
		{"inf.yaml", "fit:\n  weight-decay: .inf\n", `^inf.yaml: fit.weight-decay = \+Inf: --weight-decay must be a finite number, got \+Inf \(line 2\)$`},
		// Every float setting, not just the weight decay; a list names the value at fault.
		{"nan.yaml", "fit:\n  lr: [1e-3, .nan]\n", `^nan.yaml: fit.lr = NaN: --lr must be a finite number, got NaN \(line 2\)$`},
		{"eps.toml", "[fit]\neps = inf\n", `^eps.toml: fit.eps = \+Inf: --eps must be a finite number, got \+Inf$`},
		{"rate.yaml", "fit: {attention-rate: -.inf}\n", `^rate.yaml: fit.attention-rate = -Inf: --attention-rate must be a finite number, got -Inf \(line 1\)$`},
		{"alpha.yaml", "fit: {grokfast: ema, grokfast-alpha: 1.5}\n", `^alpha.yaml: fit.grokfast-alpha = 1.5: --grokfast-alpha must be in \[0, 1\), got 1.5 \(line 1\)$`},
		// Types, ranges and choices, as each tool reads them.
		{"p.yaml", "moddata: {p: [11, 5001]}\n", `^p.yaml: moddata.p = 5001: p = 5001 is out of range \[2, 5000\] \(line 1\)$`},
		{"pword.yaml", "moddata: {p: eleven}\n", `^pword.yaml: moddata.p = eleven: expected a whole number \(line 1\)$`},
		{"op.yaml", "moddata: {op: pow}\n", `^op.yaml: moddata.op = pow: --op: unknown operation "pow" `},
		{"frac.yaml", "moddata: {train-fraction: 0}\n", `^frac.yaml: moddata.train-fraction = 0: train fraction 0 is outside \(0, 1\] \(line 1\)$`},
		{"steps.yaml", "fit: {steps: [100, 0]}\n", `^steps.yaml: fit.steps = 0: --steps must be ≥ 1, got 0 \(line 1\)$`},
		{"size.yaml", "fit: {d-model: 0}\n", `^size.yaml: fit.d-model = 0: --d-model must be ≥ 1, got 0 \(line 1\)$`},
		{"opt.yaml", "fit: {optimizer: lion}\n", `^opt.yaml: fit.optimizer = lion: --optimizer must be one of adamw, adam, sgd`},
		{"list.yaml", "fit: {lr: \"1e-3,1e-2\"}\n", `^list.yaml: fit.lr = 1e-3,1e-2: expected a number \(line 1\)$`},
		{"bool.yaml", "fit: {tensorboard: 1}\n", `^bool.yaml: fit.tensorboard = 1: expected true or false \(line 1\)$`},
		{"then.yaml", "mutate:\n  - scheme: rule\n    when: a == 1\n    then: b +\n", `^then.yaml: mutate.0.then = "b \+": --then: syntax error `},
		{"n.yaml", "mutate:\n  - {scheme: n-fixed, n: 0}\n", `^n.yaml: mutate.0.n = 0: n-fixed needs N ≥ 1, got 0 \(line 2\)$`},
		{"splits.yaml", "mutate:\n  - {scheme: control, splits: both}\n", `^splits.yaml: mutate.0.splits = both: --splits "both": want train, test or all \(line 2\)$`},
		{"fraction.yaml", "mutate:\n  - {scheme: random-uniform, fraction: 1.5}\n", `^fraction.yaml: mutate.0.fraction = 1.5: --fraction 1.5 is outside \(0, 1\] \(line 2\)$`},
		// Options a scheme or a network does not take, or needs.
		{"scheme.yaml", "mutate:\n  - {scheme: rule, when: a == 1, then: b, fraction: 0.1}\n", `^scheme.yaml: mutate.0.fraction = 0.1: scheme rule takes no fraction \(its options: name, splits, held-out, when, then\) \(line 2\)$`},
		{"needs.yaml", "mutate:\n  - {scheme: rule, when: a == 1}\n", `^needs.yaml: mutate.0: scheme rule needs then$`},
		{"reads.yaml", "fit: {width: 16}\n", `^reads.yaml: fit.width = 16: --width does not apply to --model nanda \(line 1\)$`},
		{"reads2.yaml", "fit: {model: [nanda, gromov], d-model: 16}\n", `^reads2.yaml: fit.d-model = 16: --d-model does not apply to --model gromov \(line 1\)$`},
		// Values that are refused together: each run is checked.
		{"prime.yaml", "moddata: {p: [11, 12], op: div}\n", `^prime.yaml: run 1 \(p=12\): moddata.p = 12, moddata.op = div: operation div \(a/b\) needs a prime p: 12 = 2 × 6$`},
		{"rows.yaml", "moddata: {p: 11, train-fraction: 0.001}\n", `^rows.yaml: moddata.train-fraction = 0.001, moddata.p = 11: train fraction 0.001 of 121 rows selects no training row$`},
		{"ma.yaml", "fit: {grokfast: [ema, ma], grokfast-alpha: 0.9}\n", `^ma.yaml: run 1 \(grokfast=ma\): fit: --grokfast-alpha is the ema filter's; --grokfast ma takes --grokfast-window$`},
		{"power.yaml", "fit: {model: power, d-model: 30, n-heads: 4}\n", `^power.yaml: fit: model power: d_model 30 is not a multiple of n_heads 4`},
		{"memory.yaml", "moddata: {p: 1500}\n", `^memory.yaml: fit: p = 1500 is too large for nanda with 675000 rows per step: .*; use --batch-size$`},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, spec := filepath.Join(t.TempDir(), "sw"), writeSpec(t, c.name, c.text)
			_, err := Create(out, spec, t.TempDir(), 1)
			if err == nil {
				t.Fatal("accepted")
			}
			if msg := strings.TrimPrefix(err.Error(), filepath.Dir(spec)+"/"); !regexp.MustCompile(c.want).MatchString(msg) {
				t.Errorf("got  %s\nwant %s", msg, c.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("more than one line: %q", err)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("the sweep folder was made (%v)", err)
			}
		})
	}
}

// Values the tools accept pass: their defaults' edges, negative numbers,
// Grokfast's settings with their filter, and every sweep in the repository.
func TestCheckAcceptsGoodSpecs(t *testing.T) {
	for _, text := range []string{
		"moddata: {p: [2, 5000], train-fraction: 1, op: add, equals: [true, false], seed: 0}\nfit: {batch-size: 512}\n",
		"moddata: {p: 97, op: div}\nfit: {model: gromov, width: 16, parameterization: [gromov, standard], loss: mse}\n",
		"fit: {batch-size: -1, warmup: 0, stop-at-test-acc: [0, 1], grokfast: ema, grokfast-alpha: 0.9, grokfast-lambda: 5}\n",
		"fit: {grokfast: ma, grokfast-window: 10, eps: 0, beta1: 0, attention-rate: [0, 0.5, 1], tensorboard: false}\n",
		"mutate:\n  - {scheme: random-uniform, fraction: 0.05, seed: 1}\n  - {scheme: rule, when: b % 17 == 0, then: (a * b) % p, held-out: false, splits: all}\n  - {scheme: n-increment, n: 3, name: bd}\n  - {scheme: control}\n",
	} {
		s, err := Load(writeSpec(t, "good.yaml", text))
		if err == nil {
			err = s.Check()
		}
		if err != nil {
			t.Errorf("%s: %v", text, err)
		}
	}
	specs, _ := filepath.Glob(filepath.Join("..", "..", "sweeps", "*.yaml"))
	if len(specs) == 0 {
		t.Fatal("no sweeps/*.yaml")
	}
	for _, path := range specs {
		s, err := Load(path)
		if err == nil {
			err = s.Check()
		}
		if err != nil {
			t.Errorf("%v", err)
		}
	}
}
