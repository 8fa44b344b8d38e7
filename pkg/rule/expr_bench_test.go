package rule

import "testing"

// BenchmarkEval measures one row of typical rules; a table has up to
// 5000² rows, so every nanosecond here is 25 ms there.
func BenchmarkEval(b *testing.B) {
	for _, src := range []string{
		"b % 17 == 0",
		"a + b == 50 && label != 3",
		"(a * b) % p",
	} {
		e, err := Parse(src)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(src, func(b *testing.B) {
			env := Env{A: 7, P: 97, Label: 2}
			var sink int64
			for b.Loop() {
				env.B = (env.B + 1) & 4095
				v, err := e.Eval(env)
				if err != nil {
					b.Fatal(err)
				}
				sink += v
			}
			_ = sink
		})
	}
}
