package extension

import (
	"cmp"
	"context"
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"go.uber.org/fx"

	"github.com/gofly-framework/gofly/kernel"
)

// The fx glue: points and contributions travel through two value groups into
// the one Registry that Module provides. dig hands value groups over in a
// shuffled order on purpose, so every declaration and contribution carries a
// sequence number taken when its fx option was created, and the registry
// applies them in that order: equal priorities keep the order in which the
// Contribute/ContributeFunc options were created (program order).

// fxSeq numbers fx declarations and contributions in creation order. Only the
// relative order matters, so it never needs resetting.
var fxSeq atomic.Uint64

type fxPoint struct {
	seq  uint64
	id   string
	decl *decl
}

type fxContribution struct {
	seq      uint64
	id       string
	value    any
	priority int
}

type pointOut struct {
	fx.Out
	Point fxPoint `group:"gofly.extension.points"`
}

type contributionOut struct {
	fx.Out
	Contribution fxContribution `group:"gofly.extension.contributions"`
}

type registryIn struct {
	fx.In
	// Seed, when there, is the registry to fill instead of a fresh one: the
	// plugins package provides its manager's registry under this name.
	Seed          *Registry        `name:"gofly.extension.seed" optional:"true"`
	Points        []fxPoint        `group:"gofly.extension.points"`
	Contributions []fxContribution `group:"gofly.extension.contributions"`
}

// fxState remembers the point ids that received fx contributions, for the
// start check.
type fxState struct {
	contributed []string // sorted, unique
}

type registryOut struct {
	fx.Out
	Registry *Registry
	State    *fxState
}

// Module provides the app's *Registry, filled with every point declared with
// [Provide] and every extension contributed with [Contribute] or
// [ContributeFunc], wherever those options sit in the app. Include it once
// per app.
//
// Declarations are applied first, then contributions, each in the order their
// options were created, so that extensions of equal priority keep program
// order (dig's value groups alone would shuffle them). A contribution that
// does not fit its point fails the app's construction (fx.New) with
// kernel.ErrNotImplemented.
//
// When the app starts (an OnStart hook), Module checks that
//   - every point that received a contribution is declared: otherwise the
//     start fails with kernel.ErrUnknownPoint, naming every such id, with a
//     "did you mean" hint when a declared id is close;
//   - every [Required] point has an extension: otherwise the start fails with
//     one kernel.ErrNoExtensions error that lists every such point (its
//     PointID holds the ids, sorted and joined by ", ").
//
// The check runs when Module's hook runs, before the OnStart hooks of
// components constructed after the registry; extensions registered by hand
// before that (by constructors or invokes) count.
var Module = fx.Module("gofly.extension",
	fx.Provide(newFxRegistry),
	fx.Invoke(checkOnStart),
)

func newFxRegistry(in registryIn) (registryOut, error) {
	r := in.Seed
	if r == nil {
		r = NewRegistry()
	}
	points := slices.SortedFunc(slices.Values(in.Points), func(a, b fxPoint) int { return cmp.Compare(a.seq, b.seq) })
	for _, p := range points {
		if err := r.declare(p.id, p.decl); err != nil {
			return registryOut{}, err
		}
	}
	cs := slices.SortedFunc(slices.Values(in.Contributions), func(a, b fxContribution) int { return cmp.Compare(a.seq, b.seq) })
	st := &fxState{}
	for _, c := range cs {
		if err := r.Register(c.id, c.value, c.priority); err != nil {
			return registryOut{}, err
		}
		st.contributed = append(st.contributed, c.id)
	}
	slices.Sort(st.contributed)
	st.contributed = slices.Compact(st.contributed)
	return registryOut{Registry: r, State: st}, nil
}

func checkOnStart(lc fx.Lifecycle, r *Registry, st *fxState) {
	lc.Append(fx.Hook{OnStart: func(context.Context) error { return st.check(r) }})
}

// check fails for contributions to undeclared points, then for required
// points without extensions.
func (st *fxState) check(r *Registry) error {
	var unknown []string
	for _, id := range st.contributed {
		if !r.HasPoint(id) {
			unknown = append(unknown, id)
		}
	}
	if len(unknown) > 0 {
		return errUnknownContributions(unknown, r.PointIDs())
	}
	return r.checkRequired()
}

func errUnknownContributions(ids, known []string) error {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.Quote(id)
		if s := suggest(id, known); s != "" {
			parts[i] += fmt.Sprintf(" (did you mean %q?)", s)
		}
	}
	what := "extension point " + parts[0] + " is"
	if len(ids) > 1 {
		what = "extension points " + strings.Join(parts, ", ") + " are"
	}
	return &kernel.ExtensionError{
		Class:   kernel.ErrUnknownPoint,
		PointID: strings.Join(ids, ", "),
		Msg: fmt.Sprintf("extensions were contributed but %s not registered: declare each point with extension.Provide or fix the id",
			what),
	}
}

// Provide declares p in the app's [Registry] (see [Module]) and provides its
// view [Extensions][T] to the graph, so that a component can take it as an
// ordinary parameter:
//
//	func NewPrinter(fs extension.Extensions[Formatter]) *Printer
//
// The view is live: it sees every later change of the registry (extensions
// registered by hand or by plugins, and removed again), so a component may
// keep it and read it on every call.
//
// Provide each point once. fx provides one value per type, so of two points
// of the same type T only one can be provided; declare the other with
// [Declare] in an fx.Invoke and read it with [View] (or [All], [First]) from
// the *Registry:
//
//	fx.Invoke(func(r *extension.Registry) error { return extension.Declare(r, AuditSinks) }),
//	fx.Provide(func(r *extension.Registry) *Auditor { return NewAuditor(extension.View(r, AuditSinks)) }),
func Provide[T any](p Point[T]) fx.Option {
	if p.def == nil {
		return fx.Error(errEmptyID())
	}
	return fx.Options(
		declareFx(p),
		fx.Provide(func(r *Registry) Extensions[T] { return View(r, p) }),
	)
}

func declareFx[T any](p Point[T]) fx.Option {
	fp := fxPoint{seq: fxSeq.Add(1), id: p.def.id, decl: p.def.decl}
	return fx.Provide(func() pointOut { return pointOut{Point: fp} })
}

// Contribute contributes ext to p in the app's [Registry] with the given
// priority. The point must be declared (with [Provide], or with [Declare]
// before the app starts), or the start fails (see [Module]). Equal
// priorities keep the order in which the Contribute and ContributeFunc
// options were created. A nil ext makes the app fail with
// kernel.ErrNotImplemented.
func Contribute[T any](p Point[T], ext T, priority int) fx.Option {
	if p.def == nil {
		return fx.Error(errEmptyID())
	}
	v := any(ext)
	if isNil(v) {
		return fx.Error(errNilExtension(p.def.id, v))
	}
	c := fxContribution{seq: fxSeq.Add(1), id: p.def.id, value: v, priority: priority}
	return fx.Provide(func() contributionOut { return contributionOut{Contribution: c} })
}

var (
	errorType           = reflect.TypeFor[error]()
	contributionOutType = reflect.TypeFor[contributionOut]()
)

// ContributeFunc contributes the extension that ctor builds to p, with the
// given priority. ctor is a function whose parameters come from the fx graph
// (fx.In structs included) and that returns a value assignable to T, or that
// value and an error:
//
//	extension.ContributeFunc(Formatters, func(cfg *Config) (Formatter, error) { ... }, 10)
//
// ctor runs when the app's [Registry] is built, and only then. An error it
// returns fails the app, wrapped in an error of class kernel.ErrExtension
// that names the point (errors.Is finds ctor's error). A ctor that is not
// such a function makes the app fail with kernel.ErrExtension, and one whose
// result type cannot be a T with kernel.ErrNotImplemented. Order and
// declaration rules are those of [Contribute].
func ContributeFunc[T any](p Point[T], ctor any, priority int) fx.Option {
	if p.def == nil {
		return fx.Error(errEmptyID())
	}
	id, typ := p.def.id, p.def.decl.typ
	cv := reflect.ValueOf(ctor)
	if !cv.IsValid() || cv.Kind() != reflect.Func || cv.IsNil() {
		return fx.Error(&kernel.ExtensionError{
			Class: kernel.ErrExtension, PointID: id, PointType: typ.String(), ExtensionType: typeName(ctor),
			Msg: fmt.Sprintf("contributing to extension point %q: constructor is a %s, not a function: pass a func returning %s or (%s, error)",
				id, typeName(ctor), typ, typ),
		})
	}
	ct := cv.Type()
	if n := ct.NumOut(); n < 1 || n > 2 || (n == 2 && ct.Out(1) != errorType) {
		return fx.Error(&kernel.ExtensionError{
			Class: kernel.ErrExtension, PointID: id, PointType: typ.String(), ExtensionType: ct.String(),
			Msg: fmt.Sprintf("contributing to extension point %q: constructor %s has type %s: it must return %s or (%s, error)",
				id, funcName(cv), ct, typ, typ),
		})
	}
	if out := ct.Out(0); !out.AssignableTo(typ) {
		return fx.Error(&kernel.ExtensionError{
			Class: kernel.ErrNotImplemented, PointID: id, PointType: typ.String(), ExtensionType: out.String(),
			Msg: fmt.Sprintf("constructor %s returns %s, which does not implement extension point %q of type %s: return a %s",
				funcName(cv), out, id, typ, typ),
		})
	}
	ins := make([]reflect.Type, ct.NumIn())
	for i := range ins {
		ins[i] = ct.In(i)
	}
	seq, name := fxSeq.Add(1), funcName(cv)
	ft := reflect.FuncOf(ins, []reflect.Type{contributionOutType, errorType}, ct.IsVariadic())
	fn := reflect.MakeFunc(ft, func(args []reflect.Value) []reflect.Value {
		var res []reflect.Value
		if ct.IsVariadic() {
			res = cv.CallSlice(args)
		} else {
			res = cv.Call(args)
		}
		if len(res) == 2 && !res[1].IsNil() {
			var err error = &kernel.ExtensionError{
				Class: kernel.ErrExtension, PointID: id, PointType: typ.String(),
				Msg: fmt.Sprintf("constructing an extension for point %q with %s", id, name),
				Err: res[1].Interface().(error),
			}
			return []reflect.Value{reflect.Zero(contributionOutType), reflect.ValueOf(&err).Elem()}
		}
		c := contributionOut{Contribution: fxContribution{
			seq: seq, id: id, value: res[0].Convert(typ).Interface(), priority: priority,
		}}
		return []reflect.Value{reflect.ValueOf(c), reflect.Zero(errorType)}
	})
	return fx.Provide(fn.Interface())
}

// funcName names a function value for messages.
func funcName(v reflect.Value) string {
	if f := runtime.FuncForPC(v.Pointer()); f != nil {
		return f.Name()
	}
	return v.Type().String()
}
