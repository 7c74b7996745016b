package autoconfig

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"go.uber.org/dig"
	"go.uber.org/fx"
)

type onMissingType struct {
	t     reflect.Type
	probe any // probeFor[T]
}

// OnMissingType matches when no value of type T is provided by the user
// options nor by the auto-configurations matched before this one: the
// replaceable default. Only plain values count (fx.Provide, fx.Supply, and
// fx.Annotate with fx.As); named values, value groups and values provided
// with fx.Private inside a module are not seen.
//
// # How it decides
//
// fx does not expose its graph, so the condition asks fx. It validates an
// app (fx.ValidateApp: a dry run, in which no constructor, hook or invoked
// function runs) made of the options plus, placed so that it is the first
// invoke to run, an fx.Invoke of a function taking T and a private type that
// nothing provides. fx checks the direct dependencies of that function
// before anything else and lists all that are missing, then stops: the
// private type alone means T is provided, both mean it is not. A T whose own
// dependencies are missing still counts as provided (fx.New will report
// those), and the user's own invokes never run in the probe, so they cannot
// confuse it. When the options fail before any invoke (a type provided
// twice, a dependency cycle, an fx.Error ...) the condition cannot tell: it
// does not match, its message says why, and fx.New then reports the same
// failure.
//
// # Cost
//
// Each probe builds a dry-run fx app of the options: about the cost of
// fx.New without running constructors (see the package benchmarks). A probe
// is made only when the condition is reached (evaluation of an
// auto-configuration stops at its first non-matching condition, so put
// OnMissingType last) and is remembered for the rest of the evaluation, per
// type. When the user options do not provide T, each auto-configuration
// matched before is probed as well.
//
// T must not be an fx.In or fx.Out struct; such a T makes [Evaluate] fail
// with an error of class kernel.ErrConfig.
func OnMissingType[T any]() Condition {
	return &onMissingType{t: reflect.TypeFor[T](), probe: probeFor[T]}
}

// probeSentinel is never provided: a probe function that takes it always
// fails fx's dependency check, which stops the app before anything runs.
type probeSentinel struct{}

// probeFor is the function whose dependencies fx is asked to check.
func probeFor[T any](T, probeSentinel) {}

// sentinelName is how dig prints probeSentinel in its errors.
var sentinelName = reflect.TypeFor[probeSentinel]().String()

func (o *onMissingType) String() string { return fmt.Sprintf("OnMissingType(%s)", o.t) }

func (o *onMissingType) Evaluate(ctx *ConditionContext) (Outcome, error) {
	if dig.IsIn(o.t) || dig.IsOut(o.t) {
		return Outcome{}, plainError(fmt.Sprintf("OnMissingType(%s): %s is an fx.In or fx.Out struct: name the type it provides instead", o.t, o.t), nil)
	}
	res := ctx.probe(o, "", ctx.env.UserOptions)
	switch {
	case res.err != "":
		return NotMatched("could not tell whether %s is provided: the user options do not validate (%s); fx will report it", o.t, res.err), nil
	case res.provided:
		return NotMatched("%s is provided by the user options", o.t), nil
	}
	for _, m := range ctx.matchedOptions {
		r := ctx.probe(o, m.name, m.options)
		if r.err == "" && r.provided {
			return NotMatched("%s is provided by auto-configuration %q", o.t, m.name), nil
		}
	}
	if len(ctx.matchedOptions) > 0 {
		return Matched("no %s is provided by the user options or the auto-configurations matched before", o.t), nil
	}
	return Matched("no %s is provided by the user options", o.t), nil
}

type probeKey struct {
	t     reflect.Type
	scope string // "" for the user options, else an auto-configuration's name
}

type probeResult struct {
	provided bool
	err      string // the options do not validate: why (first line)
}

type fxOptionsOf struct {
	name    string
	options []fx.Option
}

// probe asks fx whether opts provide o.t, remembering the answer per type
// and scope for the rest of the evaluation.
func (c *ConditionContext) probe(o *onMissingType, scope string, opts []fx.Option) probeResult {
	key := probeKey{t: o.t, scope: scope}
	if r, ok := c.probes[key]; ok {
		return r
	}
	r := probeProvides(o.probe, opts)
	if c.probes == nil {
		c.probes = map[probeKey]probeResult{}
	}
	c.probes[key] = r
	return r
}

func probeProvides(probe any, opts []fx.Option) probeResult {
	all := make([]fx.Option, 0, len(opts)+3)
	// Child modules' invokes run before the root's, in order: this one first.
	all = append(all, fx.Module("gofly-autoconfig-probe", fx.Invoke(probe)))
	all = append(all, opts...)
	// Last, so they win over any logger among opts: a probe prints nothing.
	all = append(all, fx.Logger(discardPrinter{}), fx.NopLogger)
	err := fx.ValidateApp(all...)
	if err == nil {
		// Cannot happen: the probe always misses the sentinel.
		return probeResult{err: "the probe unexpectedly succeeded"}
	}
	var de dig.Error
	if errors.As(err, &de) {
		root := dig.RootCause(err).Error()
		if strings.Contains(root, sentinelName) {
			switch {
			case strings.HasPrefix(root, "missing type: "):
				return probeResult{provided: true} // only the sentinel is missing
			case strings.HasPrefix(root, "missing types: "):
				return probeResult{provided: false} // T and the sentinel
			}
		}
	}
	return probeResult{err: summary(err.Error())}
}

// summary reduces an fx error to its gist: fx's "Failed: ..." line when
// there is one (provide errors carry a stack trace before it), else the
// first line.
func summary(msg string) string {
	if i := strings.LastIndex(msg, "Failed: "); i >= 0 {
		return firstLine(msg[i+len("Failed: "):])
	}
	return firstLine(msg)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

type discardPrinter struct{}

func (discardPrinter) Printf(string, ...any) {}
