package rule_test

import (
	"fmt"

	"github.com/grokkit/grokkit/pkg/rule"
)

func Example() {
	when, err := rule.Parse("b % 17 == 0 && label != 3")
	if err != nil {
		panic(err)
	}
	then, _ := rule.Parse("(a * b) % p")
	fmt.Println(when, when.IsPredicate(), when.Vars())

	row := rule.Env{A: 5, B: 34, P: 97, Label: 1}
	if hit, _ := when.Eval(row); hit != 0 {
		v, _ := then.Eval(row)
		fmt.Println("new label:", v)
	}

	_, err = rule.Parse("b % 17 = 0")
	fmt.Println(err)

	div, _ := rule.Parse("(-7) / 2 + (-7) % 2")
	fmt.Println(div.Eval(rule.Env{}))
	// Output:
	// (((b % 17) == 0) && (label != 3)) true [b label]
	// new label: 73
	// syntax error at column 8 in "b % 17 = 0": unexpected "=" (did you mean "=="?)
	// -3 <nil>
}
