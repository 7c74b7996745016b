package autoconfig

import (
	"fmt"
	"reflect"
	"strings"

	"go.uber.org/dig"
	"go.uber.org/fx"
	"go.uber.org/fx/fxevent"
)

type onMissingType struct {
	t       reflect.Type
	provide any // provideZero[T]
}

// OnMissingType matches when no value of type T is provided by the user
// options nor by the auto-configurations matched before this one: the
// replaceable default. Only plain values count (fx.Provide, fx.Supply, and
// fx.Annotate with fx.As); named values, value groups and values provided
// with fx.Private inside a module are not seen, and neither are the fx
// options of plugins (the assembly step adds those after evaluating the
// auto-configurations).
//
// # How it decides
//
// fx does not expose its graph, so the condition asks fx. It builds an app
// (fx.New) of the options followed by a module that provides T itself and
// then, to stop fx before any invoke, a type twice. fx provides everything in
// order and stops at the first failure: if the module's provider of T fails,
// T was already provided. fx reports each provide as an event, which the
// probe reads with an event logger of its own: no error text is parsed. No
// constructor, hook or invoked function of the options runs (fx stops before
// invokes), except the constructor given to an fx.WithLogger inside a module
// of the options, which fx runs to install that module's logger; fx.ErrorHook
// handlers are not called (fx calls them for invoke failures only). When the
// options fail before the probe's provider (a type provided twice, an
// fx.Error ...) the condition cannot tell: it does not match, its message
// says why, and fx.New then reports the same failure.
//
// # Cost
//
// Each probe applies the options to a fresh fx app up to the end of fx's
// provide phase: a fraction of fx.New's cost (see the package benchmarks).
// A probe is made only when the condition is reached (evaluation of an
// auto-configuration stops at its first non-matching condition, so put
// OnMissingType last) and is remembered for the rest of the evaluation, per
// type. When the user options do not provide T, each auto-configuration
// matched before is probed as well.
//
// T must not be an fx.In or fx.Out struct; such a T makes the assembly fail
// with an error of class kernel.ErrConfig.
func OnMissingType[T any]() Condition {
	return &onMissingType{t: reflect.TypeFor[T](), provide: provideZero[T]}
}

// provideZero is the probe's provider of T; it never runs.
func provideZero[T any]() T {
	var zero T
	return zero
}

// probeStop is provided twice by the probe: the second provide fails, which
// stops fx before its invokes.
type probeStop struct{}

func newProbeStop() probeStop { return probeStop{} }

// probeModule is the name of the probe's own fx module.
const probeModule = "gofly-autoconfig-probe"

func (o *onMissingType) String() string { return fmt.Sprintf("OnMissingType(%s)", o.t) }

func (o *onMissingType) evaluate(ctx *evalContext) (outcome, error) {
	if dig.IsIn(o.t) || dig.IsOut(o.t) {
		return outcome{}, plainError(fmt.Sprintf("OnMissingType(%s): %s is an fx.In or fx.Out struct: name the type it provides instead", o.t, o.t), nil)
	}
	res := ctx.probe(o, "", ctx.env.userOptions)
	switch {
	case res.err != "":
		return notMatched("could not tell whether %s is provided: the user options do not validate (%s); fx will report it", o.t, res.err), nil
	case res.provided:
		return notMatched("%s is provided by the user options", o.t), nil
	}
	for _, m := range ctx.matchedOptions {
		r := ctx.probe(o, m.name, m.options)
		if r.err == "" && r.provided {
			return notMatched("%s is provided by auto-configuration %q", o.t, m.name), nil
		}
	}
	if len(ctx.matchedOptions) > 0 {
		return matched("no %s is provided by the user options or the auto-configurations matched before", o.t), nil
	}
	return matched("no %s is provided by the user options", o.t), nil
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
func (c *evalContext) probe(o *onMissingType, scope string, opts []fx.Option) probeResult {
	key := probeKey{t: o.t, scope: scope}
	if r, ok := c.probes[key]; ok {
		return r
	}
	r := probeProvides(o.provide, opts)
	if c.probes == nil {
		c.probes = map[probeKey]probeResult{}
	}
	c.probes[key] = r
	return r
}

func probeProvides(provide any, opts []fx.Option) probeResult {
	rec := &probeRecorder{}
	all := make([]fx.Option, 0, len(opts)+3)
	all = append(all, opts...)
	all = append(all,
		fx.Module(probeModule, fx.Provide(provide), fx.Provide(newProbeStop), fx.Provide(newProbeStop)),
		// Last, so they win over any logger among opts: the probe prints
		// nothing and sees fx's events.
		fx.Logger(discardPrinter{}), fx.WithLogger(func() fxevent.Logger { return rec }),
	)
	app := fx.New(all...)
	switch {
	case rec.reached && rec.failed:
		return probeResult{provided: true}
	case rec.reached:
		return probeResult{provided: false}
	}
	return probeResult{err: summary(app.Err())}
}

// probeRecorder watches fx's event for the probe's own provider of T: it
// fails when T was already provided.
type probeRecorder struct{ reached, failed bool }

func (r *probeRecorder) LogEvent(e fxevent.Event) {
	if p, ok := e.(*fxevent.Provided); ok && p.ModuleName == probeModule && !r.reached {
		r.reached, r.failed = true, p.Err != nil
	}
}

// summary reduces an fx error to its gist: the root cause dig reports.
func summary(err error) string {
	if err == nil {
		return "the options did not validate"
	}
	return firstLine(dig.RootCause(err).Error())
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

type discardPrinter struct{}

func (discardPrinter) Printf(string, ...any) {}
