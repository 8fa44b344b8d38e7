package cli

import (
	"reflect"
	"strconv"
	"strings"

	"github.com/alecthomas/kong"
)

// Given returns the flags (long names) set on the command line, not the
// defaults: a tool refuses a flag that does not apply instead of ignoring it.
func Given(kctx *kong.Context) map[string]bool {
	given := map[string]bool{}
	for _, el := range kctx.Path {
		if el.Flag != nil {
			given[el.Flag.Name] = true
		}
	}
	return given
}

// FirstGiven returns the first of names set on the command line, or "".
func FirstGiven(kctx *kong.Context, names ...string) string {
	given := Given(kctx)
	for _, name := range names {
		if given[name] {
			return name
		}
	}
	return ""
}

// negativeNumbers lets every numeric flag take a negative number as its
// next argument (--p -5): kong reads "-5" as a short flag and refuses it
// with a hint about quoting, where the tool's own check would say what is
// wrong with the value. No tool has digit short flags.
func negativeNumbers() []kong.Option {
	defaults := kong.NewRegistry().RegisterDefaults()
	var opts []kong.Option
	for _, kind := range []reflect.Kind{reflect.Int, reflect.Int64, reflect.Uint64, reflect.Float64} {
		opts = append(opts, kong.KindMapper(kind, kong.MapperFunc(func(ctx *kong.DecodeContext, target reflect.Value) error {
			if t := ctx.Scan.Peek(); t.Type == kong.UntypedToken {
				if s, ok := t.Value.(string); ok && strings.HasPrefix(s, "-") {
					if _, err := strconv.ParseFloat(s, 64); err == nil {
						ctx.Scan.Pop()
						ctx.Scan.PushTyped(s, kong.FlagValueToken)
					}
				}
			}
			return defaults.ForType(target.Type()).Decode(ctx, target)
		})))
	}
	return opts
}
