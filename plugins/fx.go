package plugins

import (
	"cmp"
	"context"
	"fmt"
	"reflect"
	"slices"
	"sync/atomic"

	"go.uber.org/fx"

	"github.com/gofly-framework/gofly/extension"
	"github.com/gofly-framework/gofly/kernel"
)

// The fx wiring. A plugin's fx form ([New]) puts its definition into the
// value group "gofly.plugins" and, when it brings anything to the graph (its
// FxOptions, or hooks that take graph parameters), an fx.Module named
// "plugin.<id>" holding those options and a provider of its bound hooks
// (group "gofly.plugins.hooks"). A manager option's fx form feeds the group
// "gofly.plugins.options". [Module] and [Manager.Module] read the groups.
//
// dig hands value groups over in a shuffled order, so every definition and
// option carries a sequence number taken when it was created, and the
// manager adds them in that order.

// fxOption lets a *Plugin, a ManagerOption and a *Catalog be fx options
// themselves: the embedded fx.Option provides their methods, including fx's
// unexported one.
type fxOption = fx.Option

// seq numbers definitions and manager options in creation order. Only the
// relative order matters, so it never needs resetting.
var seq atomic.Uint64

type pluginOut struct {
	fx.Out
	P *Plugin `group:"gofly.plugins"`
}

// fxBinding carries a plugin's hooks bound to their fx graph parameters.
type fxBinding struct {
	p     *Plugin
	hooks [hookCount]hookFunc
}

type bindingOut struct {
	fx.Out
	B *fxBinding `group:"gofly.plugins.hooks"`
}

type optionOut struct {
	fx.Out
	O *managerOption `group:"gofly.plugins.options"`
}

// New defines a plugin (see [Define]) and returns it as an fx option, for
// gofly.New or for an fx app that also has [Module]. The value returned is
// the *Plugin itself: Define's result is an fx option too.
//
// In an fx app, hooks may take parameters after the context, which fx
// supplies from its graph:
//
//	plugins.OnStart(func(ctx context.Context, db *sql.DB, log *zap.Logger) error { ... })
func New(id string, opts ...Option) fx.Option { return Define(id, opts...) }

// fxForm returns the plugin's fx form (see the package's fx wiring above).
func (p *Plugin) fxForm() fx.Option {
	provide := fx.Provide(func() pluginOut { return pluginOut{P: p} })
	if m := p.module(); m != nil {
		return fx.Options(provide, m)
	}
	return provide
}

// module returns the fx.Module "plugin.<id>" with the plugin's own fx options
// and the provider of its graph-bound hooks, or nil when the plugin brings
// nothing to the graph.
func (p *Plugin) module() fx.Option {
	graph := p.Err() == nil && p.needsGraph()
	if len(p.fxOpts) == 0 && !graph {
		return nil
	}
	opts := slices.Clone(p.fxOpts)
	if graph {
		opts = append(opts, fx.Provide(p.bindingConstructor()))
	}
	return fx.Module("plugin."+p.id, opts...)
}

// bindingConstructor builds, with reflection, a constructor whose parameters
// are the union of the graph parameters of p's hooks (each type once, in
// order of appearance) and which returns the hooks bound to them.
func (p *Plugin) bindingConstructor() any {
	var params []reflect.Type
	index := map[reflect.Type]int{}
	var argIdx [hookCount][]int
	for k, h := range p.hooks {
		if h == nil || h.fn != nil {
			continue
		}
		for _, t := range h.params {
			i, ok := index[t]
			if !ok {
				i = len(params)
				index[t] = i
				params = append(params, t)
			}
			argIdx[k] = append(argIdx[k], i)
		}
	}
	ft := reflect.FuncOf(params, []reflect.Type{reflect.TypeFor[bindingOut]()}, false)
	return reflect.MakeFunc(ft, func(args []reflect.Value) []reflect.Value {
		b := &fxBinding{p: p}
		for k, h := range p.hooks {
			if h == nil || h.fn != nil {
				continue
			}
			bound := make([]reflect.Value, 1+len(argIdx[k]))
			for j, ai := range argIdx[k] {
				bound[1+j] = args[ai]
			}
			fv := h.fv
			b.hooks[k] = func(ctx context.Context) error {
				in := slices.Clone(bound)
				in[0] = reflect.ValueOf(&ctx).Elem()
				err, _ := fv.Call(in)[0].Interface().(error)
				return err
			}
		}
		return []reflect.Value{reflect.ValueOf(bindingOut{B: b})}
	}).Interface()
}

// Module wires the plugins of a plain fx app (gofly.New does this for you:
// see [Manager.Module]). It provides a *Manager built from the
// configuration's plugins section (see [Settings]; a *kernel.Config in the
// graph is optional), with every plugin given to the app as [New] (in the
// order they were defined) and every [ManagerOption] given to the app (in the
// order they were created, after the configuration's settings, so they win).
// The manager's registry reaches the graph through extension.Module, which
// the app must include to have an *extension.Registry.
//
// It appends ONE fx OnStart hook calling [Manager.StartAll] and ONE OnStop
// hook calling [Manager.StopAll], so plugin hooks run in plugin dependency
// order whatever order fx constructs things in.
//
// # Interleaving with fx hooks
//
// fx runs OnStart hooks in the order they were appended, which follows the
// order constructors ran, and OnStop hooks in reverse. Module appends its
// hook from an invoke of its own once the graph parameters of every plugin
// hook have been built. So:
//
//   - components that plugin hooks take as parameters, and anything
//     constructed earlier, start before every plugin and stop after them;
//   - components constructed later (by the app's own invokes, or depending on
//     *Manager) start after every plugin and stop before them;
//   - plugin hooks among themselves follow the plugin dependency order.
//
// # Caveat
//
// In a plain fx app every plugin's fx options are in the graph, even those
// of a plugin the filters or conditions disable (its hooks never run). The
// gofly facade leaves a disabled plugin out of the app before fx.New.
var Module = fx.Module("gofly.plugins",
	fx.Provide(newFxManager, registrySeed),
	fx.Invoke(wire),
)

type managerIn struct {
	fx.In
	Config  *kernel.Config   `optional:"true"`
	Options []*managerOption `group:"gofly.plugins.options"`
	Plugins []*Plugin        `group:"gofly.plugins"`
}

// newFxManager builds the manager of a plain fx app and adds its plugins.
func newFxManager(in managerIn) (*Manager, error) {
	settings, err := LoadSettings(in.Config)
	if err != nil {
		return nil, err
	}
	opts := []ManagerOption{WithSettings(settings)}
	if in.Config != nil {
		opts = append(opts, WithConfig(in.Config))
	}
	os := slices.Clone(in.Options)
	slices.SortFunc(os, func(a, b *managerOption) int { return cmp.Compare(a.seq, b.seq) })
	for _, o := range os {
		opts = append(opts, o)
	}
	m := NewManager(extension.NewRegistry(), opts...)
	return m, m.addFromGraph(in.Plugins)
}

// Module returns the fx wiring of a manager built by hand, for fx.New: it
// provides m as *Manager (and its registry to extension.Module, which the app
// must include to have an *extension.Registry), includes the fx options of
// every plugin added to m that is not DISABLED, each in an fx.Module named
// "plugin.<id>" — the fx options of a DISABLED plugin are left out, so none
// of its constructors or hook parameters run —, binds the plugins' graph
// hooks and appends the StartAll/StopAll hooks as [Module] does.
//
// Plugins given to the app as fx options ([New]) are added to m when the
// graph is built, in the order they were defined. Call Module after adding
// the plugins, once per app.
func (m *Manager) Module() fx.Option {
	opts := []fx.Option{
		fx.Provide(func(in struct {
			fx.In
			Plugins []*Plugin `group:"gofly.plugins"`
		}) (*Manager, error) {
			return m, m.addFromGraph(in.Plugins)
		}),
		fx.Provide(registrySeed),
		fx.Invoke(wire),
	}
	m.mu.RLock()
	for _, e := range m.ents {
		if e.gone || e.state == StateDisabled {
			continue
		}
		if mod := e.def.module(); mod != nil {
			opts = append(opts, mod)
		}
	}
	m.mu.RUnlock()
	return fx.Module("gofly.plugins", opts...)
}

// addFromGraph adds the plugins fx handed over, in definition order, skipping
// those already added (the same definition).
func (m *Manager) addFromGraph(ps []*Plugin) error {
	ps = slices.Clone(ps)
	slices.SortFunc(ps, func(a, b *Plugin) int { return cmp.Compare(a.seq, b.seq) })
	m.opMu.Lock()
	defer m.opMu.Unlock()
	for _, p := range ps {
		m.mu.RLock()
		e := m.byID[p.id]
		m.mu.RUnlock()
		if e != nil && e.def == p {
			continue
		}
		if err := m.add(p); err != nil {
			return err
		}
	}
	return nil
}

type seedOut struct {
	fx.Out
	// The name is the contract with extension.Module, which builds the app's
	// *extension.Registry on this one when it is there.
	Registry *extension.Registry `name:"gofly.extension.seed"`
}

func registrySeed(m *Manager) seedOut { return seedOut{Registry: m.reg} }

type wireIn struct {
	fx.In
	Manager   *Manager
	Bindings  []*fxBinding `group:"gofly.plugins.hooks"`
	Lifecycle fx.Lifecycle
}

// wire binds the plugins' graph hooks and appends the manager's one pair of
// fx hooks.
func wire(in wireIn) {
	for _, b := range in.Bindings {
		in.Manager.bind(b)
	}
	in.Lifecycle.Append(fx.Hook{OnStart: in.Manager.StartAll, OnStop: in.Manager.StopAll})
}

// bind gives b's plugin in m its graph-bound hooks.
func (m *Manager) bind(b *fxBinding) {
	m.opMu.Lock()
	defer m.opMu.Unlock()
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.byID[b.p.id]
	if e == nil || e.def != b.p {
		return
	}
	for k, h := range b.hooks {
		if h != nil {
			e.hooks[k] = h
		}
	}
	e.unbound = false
}

// errOutsideGofly is the fx form of values that only gofly.New understands.
func errOutsideGofly(what string) fx.Option {
	return fx.Error(&kernel.Error{Class: kernel.ErrGofly, Msg: fmt.Sprintf("%s is an option of gofly.New; a plain fx app cannot use it", what)})
}
