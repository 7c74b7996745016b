package plugins

import (
	"context"
	"fmt"
	"reflect"
	"runtime"
	"strconv"
	"strings"

	"github.com/Masterminds/semver/v3"
	"go.uber.org/fx"

	"github.com/gofly-framework/gofly/extension"
	"github.com/gofly-framework/gofly/kernel"
)

// defaultVersion is the version of a plugin defined without [Version].
const defaultVersion = "0.0.0"

// Plugin is a plugin definition: metadata, dependencies, the extension points
// it declares, the extensions it contributes, its lifecycle hooks, its
// conditions and its own fx options. Build one with [Define] (or [New] for an
// fx app) and add it to a [Manager].
//
// A Plugin is immutable once defined and safe for concurrent use; the same
// definition may be added to several managers, each of which keeps its own
// state for it. An invalid definition (bad id, version, constraint or hook
// signature) is still returned: the problems are reported by [Plugin.Err] and
// make [Manager.Add] fail with [kernel.ErrPluginLoad].
type Plugin struct {
	fxOption    // the plugin's fx form, see New
	seq         uint64
	id          string
	version     *semver.Version
	versionText string
	name        string
	author      string
	description string
	tags        []string
	deps        []depSpec
	decls       []declaration
	contribs    []contribution
	hooks       [hookCount]*hookDef
	conds       []condition
	fxOpts      []fx.Option
	opts        []Option
	problems    []string
	firstCause  error
}

// Option configures a plugin definition. Options are values that print
// themselves (String returns Go-like source such as `plugins.Version("1.2.0")`);
// the set of options is sealed: only this package implements Option.
type Option interface {
	apply(p *Plugin)
	String() string
}

// Define returns a plugin definition with the given id and options. Options
// apply in order; a later Version, Name, Author or Description replaces an
// earlier one, while Tags, DependsOn, Declares, Extend, When and FxOptions
// accumulate. Each lifecycle hook (OnInit, OnStart, OnStop, OnUnload) may be
// given once.
//
// An id is one or more dot-separated segments of lower-case ASCII letters,
// digits, '-' and '_', each segment starting with a letter or digit
// ("json-formatter", "acme.billing", "db_v2"); at most 128 characters. Dots
// nest the plugin's configuration subtree (plugins.config.acme.billing).
//
// Define never panics and never fails: problems are recorded and returned by
// [Plugin.Err] and by [Manager.Add].
func Define(id string, opts ...Option) *Plugin {
	p := &Plugin{id: id, versionText: defaultVersion}
	if err := validateID(id); err != "" {
		p.problem(err, nil)
	}
	for _, o := range opts {
		if o == nil {
			continue
		}
		p.opts = append(p.opts, o)
		o.apply(p)
	}
	if p.version == nil && p.versionText == defaultVersion {
		p.version = semver.New(0, 0, 0, "", "")
	}
	if p.name == "" {
		p.name = id
	}
	p.seq = seq.Add(1)
	p.fxOption = p.fxForm()
	return p
}

// ID returns the plugin's id.
func (p *Plugin) ID() string { return p.id }

// Err reports what is wrong with the definition, or nil when it is valid. The
// error is a *kernel.PluginError of class [kernel.ErrPluginLoad] naming every
// problem; its cause is the first underlying error (a semver parse error ...).
func (p *Plugin) Err() error {
	if len(p.problems) == 0 {
		return nil
	}
	return &kernel.PluginError{
		Class:    kernel.ErrPluginLoad,
		PluginID: p.id,
		Op:       "define",
		Msg:      fmt.Sprintf("invalid plugin definition %q: %s; fix the definition", p.id, strings.Join(p.problems, "; ")),
		Err:      p.firstCause,
	}
}

// String returns the definition as Go-like source, options in the order given:
// plugins.Define("json", plugins.Version("1.2.0"), ...).
func (p *Plugin) String() string {
	var b strings.Builder
	b.WriteString("plugins.Define(")
	b.WriteString(strconv.Quote(p.id))
	for _, o := range p.opts {
		b.WriteString(", ")
		b.WriteString(o.String())
	}
	b.WriteString(")")
	return b.String()
}

func (p *Plugin) problem(msg string, cause error) {
	p.problems = append(p.problems, msg)
	if p.firstCause == nil && cause != nil {
		p.firstCause = cause
	}
}

// validateID returns "" for a valid id, or what is wrong with it.
func validateID(id string) string {
	const rule = "use dot-separated segments of lower-case letters, digits, '-' and '_', each starting with a letter or digit"
	if id == "" {
		return "the id is empty; " + rule
	}
	if len(id) > 128 {
		return fmt.Sprintf("id %q is longer than 128 characters", id)
	}
	segStart := true
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			segStart = false
		case c == '-' || c == '_':
			if segStart {
				return fmt.Sprintf("id %q has a segment starting with %q; %s", id, c, rule)
			}
		case c == '.':
			if segStart {
				return fmt.Sprintf("id %q has an empty segment; %s", id, rule)
			}
			segStart = true
		default:
			return fmt.Sprintf("id %q contains %q; %s", id, c, rule)
		}
	}
	if segStart {
		return fmt.Sprintf("id %q ends with '.'; %s", id, rule)
	}
	return ""
}

// ---- metadata options ----

type versionOption string

// Version sets the plugin's version, a semantic version such as "1.2.0"
// (a leading "v" and a missing minor or patch are accepted: "v1.2" is 1.2.0).
// The default is "0.0.0". An invalid version is a load error.
func Version(v string) Option { return versionOption(v) }

func (o versionOption) apply(p *Plugin) {
	p.versionText = string(o)
	v, err := semver.NewVersion(string(o))
	if err != nil {
		p.version = nil
		p.problem(fmt.Sprintf("version %q is not a semantic version (use MAJOR.MINOR.PATCH, e.g. 1.2.0)", string(o)), err)
		return
	}
	p.version = v
}
func (o versionOption) String() string { return "plugins.Version(" + strconv.Quote(string(o)) + ")" }

type nameOption string

// Name sets the plugin's display name; the default is its id.
func Name(n string) Option { return nameOption(n) }

func (o nameOption) apply(p *Plugin) { p.name = string(o) }
func (o nameOption) String() string  { return "plugins.Name(" + strconv.Quote(string(o)) + ")" }

type authorOption string

// Author sets the plugin's author.
func Author(a string) Option { return authorOption(a) }

func (o authorOption) apply(p *Plugin) { p.author = string(o) }
func (o authorOption) String() string  { return "plugins.Author(" + strconv.Quote(string(o)) + ")" }

type descriptionOption string

// Description sets the plugin's description.
func Description(d string) Option { return descriptionOption(d) }

func (o descriptionOption) apply(p *Plugin) { p.description = string(o) }
func (o descriptionOption) String() string {
	return "plugins.Description(" + strconv.Quote(string(o)) + ")"
}

type tagsOption []string

// Tags adds tags to the plugin (used by the plugins.tags.include and
// plugins.tags.exclude filters). Duplicates are dropped; order is kept. An
// empty tag is a load error.
func Tags(tags ...string) Option { return tagsOption(append([]string(nil), tags...)) }

func (o tagsOption) apply(p *Plugin) {
	for _, t := range o {
		if t == "" {
			p.problem("a tag is empty", nil)
			continue
		}
		dup := false
		for _, have := range p.tags {
			if have == t {
				dup = true
				break
			}
		}
		if !dup {
			p.tags = append(p.tags, t)
		}
	}
}
func (o tagsOption) String() string { return "plugins.Tags(" + quoteList(o) + ")" }

// ---- dependencies ----

// Dependency is a dependency of a plugin as its descriptor shows it.
type Dependency struct {
	// ID is the id of the plugin depended on.
	ID string
	// Constraint is the semver constraint its version must meet
	// (">=1.2.0 <2.0.0"); empty for any version. Several constraints given
	// for one id are joined with ", " (all must hold).
	Constraint string
	// Optional dependencies order the plugins only when the dependency is
	// present (and enabled); a required one must be present.
	Optional bool
}

type depSpec struct {
	Dependency
	cons *semver.Constraints
}

type dependsOption struct {
	id         string
	constraint []string
	optional   bool
}

// DependsOn declares that the plugin needs plugin id, optionally with a semver
// version constraint such as ">=1.2.0 <2.0.0" (several constraints must all
// hold). The dependency starts before the plugin and stops after it. It may be
// added to the manager after the plugin; it must be present when the order is
// resolved. An invalid constraint is a load error. Repeating a dependency is
// harmless: entries for one id merge (required wins over optional,
// constraints add up).
func DependsOn(id string, constraint ...string) Option {
	return dependsOption{id: id, constraint: append([]string(nil), constraint...)}
}

// OptionalDependsOn declares a dependency that orders the plugins only when
// plugin id is present and enabled; when it is absent the plugin starts
// without it. A constraint, if given, is checked when the dependency is
// present.
func OptionalDependsOn(id string, constraint ...string) Option {
	return dependsOption{id: id, constraint: append([]string(nil), constraint...), optional: true}
}

func (o dependsOption) apply(p *Plugin) {
	if msg := validateID(o.id); msg != "" {
		p.problem("dependency: "+msg, nil)
		return
	}
	var parts []string
	for _, c := range o.constraint {
		if c = strings.TrimSpace(c); c != "" {
			parts = append(parts, c)
		}
	}
	for i := range p.deps {
		d := &p.deps[i]
		if d.ID != o.id {
			continue
		}
		d.Optional = d.Optional && o.optional
		for _, c := range parts {
			if !containsConstraint(d.Constraint, c) {
				if d.Constraint == "" {
					d.Constraint = c
				} else {
					d.Constraint += ", " + c
				}
			}
		}
		p.parseConstraint(d)
		return
	}
	d := depSpec{Dependency: Dependency{ID: o.id, Constraint: strings.Join(parts, ", "), Optional: o.optional}}
	p.parseConstraint(&d)
	p.deps = append(p.deps, d)
}

func containsConstraint(joined, c string) bool {
	for _, have := range strings.Split(joined, ", ") {
		if have == c {
			return true
		}
	}
	return false
}

func (p *Plugin) parseConstraint(d *depSpec) {
	d.cons = nil
	if d.Constraint == "" {
		return
	}
	cons, err := semver.NewConstraint(d.Constraint)
	if err != nil {
		p.problem(fmt.Sprintf("dependency %q: constraint %q is not a semver constraint (e.g. \">=1.2.0 <2.0.0\")", d.ID, d.Constraint), err)
		return
	}
	d.cons = cons
}

func (o dependsOption) String() string {
	name := "plugins.DependsOn("
	if o.optional {
		name = "plugins.OptionalDependsOn("
	}
	args := append([]string{o.id}, o.constraint...)
	return name + quoteList(args) + ")"
}

// ---- extension points and extensions ----

type declaration struct {
	point string
	typ   string
	do    func(r *extension.Registry) error
}

type declaresOption[T any] struct{ p extension.Point[T] }

// Declares makes the plugin declare extension point p in the manager's
// registry when it is added (before its extensions are registered). The point
// is withdrawn when the last plugin declaring it is removed, unless it was
// declared in the registry before any plugin declared it.
func Declares[T any](p extension.Point[T]) Option { return declaresOption[T]{p: p} }

func (o declaresOption[T]) apply(p *Plugin) {
	pt := o.p
	p.decls = append(p.decls, declaration{
		point: pt.ID(),
		typ:   typeName[T](),
		do:    func(r *extension.Registry) error { return extension.Declare(r, pt) },
	})
}
func (o declaresOption[T]) String() string {
	return fmt.Sprintf("plugins.Declares[%s](%q)", typeName[T](), o.p.ID())
}

type contribution struct {
	point    string
	priority int
	value    any                               // the extension, removed by identity
	add      func(r *extension.Registry) error // registers value for point
}

type extendOption[T any] struct {
	p        extension.Point[T]
	ext      T
	priority int
}

// Extend makes the plugin contribute ext to point p with the given priority
// (highest first; equal priorities in registration order) when it is added;
// the registration is undone with [extension.Registry.Unregister], by
// identity, when the plugin is removed or disabled. (Two plugins that
// contribute the very same value to one point hold two registrations of it:
// removing either plugin removes the more recent one, so the value stays
// once, with the priority of the earlier registration.)
//
// When p's id is declared in the registry, ext must fit the declared type: an
// extension that does not (the id is declared with another type that ext does
// not implement, or ext is nil) makes Add fail with both
// [kernel.ErrPluginLoad] and [kernel.ErrNotImplemented]. When p is not
// declared, a lenient registry declares it with T (as [extension.Add] does),
// and the point is withdrawn again with the last plugin that uses it; a strict
// registry fails with [kernel.ErrUnknownPoint] (declare the point first, for
// example with [Declares]).
//
// An ext with a `Validate() error` method (a lifecycle.Check, for one) is
// validated here: its error makes the definition invalid ([Plugin.Err],
// [kernel.ErrPluginLoad] naming the plugin and the point).
func Extend[T any](p extension.Point[T], ext T, priority int) Option {
	return extendOption[T]{p: p, ext: ext, priority: priority}
}

func (o extendOption[T]) apply(p *Plugin) {
	pt, ext, prio := o.p, o.ext, o.priority
	id := pt.ID()
	v := any(ext)
	if val, ok := v.(interface{ Validate() error }); ok {
		if err := val.Validate(); err != nil {
			p.problem(fmt.Sprintf("its extension of point %q is invalid: %v", id, err), err)
			return
		}
	}
	p.contribs = append(p.contribs, contribution{
		point:    id,
		priority: prio,
		value:    v,
		add: func(r *extension.Registry) error {
			if r.HasPoint(id) {
				return r.Register(id, v, prio) // checked against the declared type
			}
			if err := r.Register(id, v, prio); err != nil { // strict registries refuse here
				return err
			}
			if err := extension.Declare(r, pt); err != nil {
				r.Unregister(id, v)
				return err
			}
			return nil
		},
	})
}
func (o extendOption[T]) String() string {
	return fmt.Sprintf("plugins.Extend[%s](%q, %T, %d)", typeName[T](), o.p.ID(), any(o.ext), o.priority)
}

func typeName[T any]() string { return reflect.TypeFor[T]().String() }

// ---- conditions ----

type condition struct {
	fn   func(cfg *kernel.Config) (enabled bool, reason string)
	name string
}

type whenOption struct{ c condition }

// When adds a condition to the plugin: a func of the configuration that says
// whether the plugin is enabled, and why (plux's should_load). The reason
// appears in the plugin's descriptor (FailedReason) when it is disabled, and
// in [Manager.Decisions]. Every condition must hold for the plugin to be
// enabled; they are evaluated in order when the plugin is added, after the id
// and tag filters, and evaluation stops at the first that fails. A condition
// that panics makes Add fail with [kernel.ErrPluginLoad]; it must not retain
// or modify cfg.
func When(c func(cfg *kernel.Config) (enabled bool, reason string)) Option {
	name := "<nil>"
	if c != nil {
		name = funcName(c)
	}
	return whenOption{c: condition{fn: c, name: name}}
}

func (o whenOption) apply(p *Plugin) {
	if o.c.fn == nil {
		p.problem("a When condition is nil", nil)
		return
	}
	p.conds = append(p.conds, o.c)
}
func (o whenOption) String() string { return "plugins.When(" + o.c.name + ")" }

// ---- fx options ----

type fxOptionsOption []fx.Option

// FxOptions attaches fx options (Provide, Invoke, Decorate ...) to the plugin.
// In an fx app they sit in an fx.Module named "plugin.<id>", so fx's events
// and errors name the plugin, and a provide marked fx.Private stays visible
// to the plugin's own options and hooks only. A Manager used without fx
// ignores them.
//
// gofly.New (and [Manager.Module]) leave the fx options of a plugin that the
// filters or conditions disable out of the app: none of its constructors,
// invokes or hook parameters run. In a plain fx app with [Module] they are
// part of the app whatever the plugin's state.
func FxOptions(opts ...fx.Option) Option { return fxOptionsOption(append([]fx.Option(nil), opts...)) }

func (o fxOptionsOption) apply(p *Plugin) { p.fxOpts = append(p.fxOpts, o...) }
func (o fxOptionsOption) String() string {
	parts := make([]string, len(o))
	for i, f := range o {
		parts[i] = fmt.Sprint(f)
	}
	return "plugins.FxOptions(" + strings.Join(parts, ", ") + ")"
}

// ---- hooks ----

type hookKind int

const (
	hookInit hookKind = iota
	hookStart
	hookStop
	hookUnload
	hookCount
)

var hookNames = [hookCount]string{"OnInit", "OnStart", "OnStop", "OnUnload"}

func (k hookKind) String() string { return hookNames[k] }

// hookFunc is a bound hook.
type hookFunc func(ctx context.Context) error

type hookDef struct {
	kind hookKind
	raw  any
	// fn is set when the hook takes only a context.
	fn hookFunc
	// for graph hooks: the function and its parameter types after the context.
	fv     reflect.Value
	params []reflect.Type
}

var (
	ctxType = reflect.TypeFor[context.Context]()
	errType = reflect.TypeFor[error]()
)

type hookOption struct {
	kind hookKind
	fn   any
}

// OnInit sets the hook that runs once, before the plugin's first start (it
// runs again on a later start only if it failed). fn is a
// func(context.Context) error; in an fx app (see [New]) it may take more
// parameters after the context, which fx supplies from its graph. A failed
// OnInit is a start failure ([kernel.ErrPluginStart]).
func OnInit(fn any) Option { return hookOption{kind: hookInit, fn: fn} }

// OnStart sets the hook that runs on every start of the plugin, after its
// dependencies started. Same signature rules as [OnInit].
func OnStart(fn any) Option { return hookOption{kind: hookStart, fn: fn} }

// OnStop sets the hook that runs when a STARTED plugin stops, before its
// dependencies stop. Same signature rules as [OnInit]; a failure is
// [kernel.ErrPluginStop].
func OnStop(fn any) Option { return hookOption{kind: hookStop, fn: fn} }

// OnUnload sets the hook that runs when the plugin is removed from a manager,
// if its OnInit ran (OnUnload is OnInit's counterpart; a plugin that never
// started has nothing to unload). Same signature rules as [OnInit]; a failure
// is [kernel.ErrPluginStop].
func OnUnload(fn any) Option { return hookOption{kind: hookUnload, fn: fn} }

func (o hookOption) apply(p *Plugin) {
	name := o.kind.String()
	if p.hooks[o.kind] != nil {
		p.problem(name+" is given twice; give each hook once", nil)
		return
	}
	if o.fn == nil {
		p.problem(name+" hook is nil", nil)
		return
	}
	if f, ok := o.fn.(func(context.Context) error); ok {
		p.hooks[o.kind] = &hookDef{kind: o.kind, raw: o.fn, fn: f}
		return
	}
	fv := reflect.ValueOf(o.fn)
	ft := fv.Type()
	const want = "want func(context.Context, ...) error"
	switch {
	case ft.Kind() != reflect.Func:
		p.problem(fmt.Sprintf("%s hook is a %s, not a function; %s", name, ft, want), nil)
		return
	case fv.IsNil():
		p.problem(name+" hook is nil", nil)
		return
	case ft.IsVariadic():
		p.problem(fmt.Sprintf("%s hook %s is variadic; %s", name, ft, want), nil)
		return
	case ft.NumIn() == 0 || ft.In(0) != ctxType:
		p.problem(fmt.Sprintf("%s hook %s does not take a context.Context first; %s", name, ft, want), nil)
		return
	case ft.NumOut() != 1 || ft.Out(0) != errType:
		p.problem(fmt.Sprintf("%s hook %s does not return exactly an error; %s", name, ft, want), nil)
		return
	}
	params := make([]reflect.Type, 0, ft.NumIn()-1)
	for i := 1; i < ft.NumIn(); i++ {
		params = append(params, ft.In(i))
	}
	p.hooks[o.kind] = &hookDef{kind: o.kind, raw: o.fn, fv: fv, params: params}
}

func (o hookOption) String() string {
	return fmt.Sprintf("plugins.%s(%T)", o.kind, o.fn)
}

// needsGraph reports whether some hook takes parameters from the fx graph.
func (p *Plugin) needsGraph() bool {
	for _, h := range p.hooks {
		if h != nil && h.fn == nil {
			return true
		}
	}
	return false
}

func funcName(fn any) string {
	v := reflect.ValueOf(fn)
	if v.Kind() != reflect.Func || v.IsNil() {
		return fmt.Sprintf("%T", fn)
	}
	if f := runtime.FuncForPC(v.Pointer()); f != nil {
		return f.Name()
	}
	return fmt.Sprintf("%T", fn)
}

func quoteList(s []string) string {
	q := make([]string, len(s))
	for i, v := range s {
		q[i] = strconv.Quote(v)
	}
	return strings.Join(q, ", ")
}
