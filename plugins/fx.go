package plugins

import (
	"cmp"
	"context"
	"reflect"
	"slices"
	"sync/atomic"

	"go.uber.org/fx"

	"github.com/gofly-framework/gofly/extension"
	"github.com/gofly-framework/gofly/kernel"
)

// The fx wiring uses three value groups, named in struct tags below:
// "gofly.plugins" (definitions), "gofly.plugins.hooks" (hooks bound to their
// graph parameters) and "gofly.plugins.options" (manager options). Their
// element types are unexported: only this package feeds them.

// fxSeq numbers the plugins' fx options in the order they are created, so the
// manager adds them in that order whatever order dig gives the group in (dig
// shuffles value groups on purpose).
var fxSeq atomic.Uint64

type fxPlugin struct {
	p   *Plugin
	seq uint64
}

type fxPluginOut struct {
	fx.Out
	P *fxPlugin `group:"gofly.plugins"`
}

// fxBinding carries a plugin's hooks bound to their fx graph parameters.
type fxBinding struct {
	p     *Plugin
	hooks [hookCount]hookFunc
}

type fxBindingOut struct {
	fx.Out
	B *fxBinding `group:"gofly.plugins.hooks"`
}

type fxOptions struct {
	seq  uint64
	opts []ManagerOption
}

type fxOptionsOut struct {
	fx.Out
	O *fxOptions `group:"gofly.plugins.options"`
}

// New defines a plugin (see [Define]) and returns it as an fx option for an
// app that also has [Module] and a provider of *extension.Registry (the
// extension package's module). It is [Define](id, opts...).[Plugin.Fx]().
//
// In an fx app, hooks may take parameters after the context, which fx
// supplies from its graph:
//
//	plugins.OnStart(func(ctx context.Context, db *sql.DB, log *zap.Logger) error { ... })
func New(id string, opts ...Option) fx.Option { return Define(id, opts...).Fx() }

// Fx returns the plugin as an fx option: it puts the definition into the
// group [Module] reads, provides the plugin's hooks with their graph
// parameters, and includes the plugin's own fx options ([FxOptions]).
//
// Plugins are added to the manager in the order their fx options were
// created (calls of New, Fx and FromCatalog), which is the tie-break of the
// dependency order. Each call makes a new option; include each plugin once.
func (p *Plugin) Fx() fx.Option {
	fp := &fxPlugin{p: p, seq: fxSeq.Add(1)}
	opts := []fx.Option{fx.Provide(func() fxPluginOut { return fxPluginOut{P: fp} })}
	if p.Err() == nil && p.needsGraph() {
		opts = append(opts, fx.Provide(p.bindingConstructor()))
	}
	opts = append(opts, p.fxOpts...)
	return fx.Options(opts...)
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
	ft := reflect.FuncOf(params, []reflect.Type{reflect.TypeFor[fxBindingOut]()}, false)
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
		return []reflect.Value{reflect.ValueOf(fxBindingOut{B: b})}
	}).Interface()
}

// FromCatalog returns an fx option bringing in every plugin of catalog c (the
// default catalog when c is nil), in id order, as [Plugin.Fx] does. The
// manager's filters apply to them as to any plugin: the ones they exclude
// end DISABLED. The catalog is read when FromCatalog is called.
func FromCatalog(c *Catalog) fx.Option {
	if c == nil {
		c = defaultCatalog
	}
	ps := c.Plugins()
	opts := make([]fx.Option, len(ps))
	for i, p := range ps {
		opts[i] = p.Fx()
	}
	return fx.Options(opts...)
}

// ManagerOptions returns an fx option passing options to the manager that
// [Module] builds. They apply after the settings read from the configuration,
// so they win over them; several ManagerOptions apply in the order they were
// created.
func ManagerOptions(opts ...ManagerOption) fx.Option {
	o := &fxOptions{seq: fxSeq.Add(1), opts: slices.Clone(opts)}
	return fx.Provide(func() fxOptionsOut { return fxOptionsOut{O: o} })
}

type managerCell struct{ m *Manager }

// Module wires the plugins of an fx app. It needs a provider of
// *extension.Registry (the extension package's module) and, optionally, of
// *kernel.Config (whose plugins section it reads, see [Settings]). It:
//
//   - decorates *extension.Registry so that whoever receives the registry (or
//     a view of its extensions) gets it with every plugin added: the manager
//     is built, in definition order, before anything reads the registry;
//   - provides *Manager;
//   - appends ONE fx OnStart hook calling [Manager.StartAll] and ONE OnStop
//     hook calling [Manager.StopAll], so plugin hooks run in plugin
//     dependency order whatever order fx constructs things in.
//
// # Interleaving with fx hooks
//
// fx runs OnStart hooks in the order they were appended, which follows the
// order constructors ran, and OnStop hooks in reverse. Module appends its
// hook from an invoke of its own (run before the app's root invokes, after
// those of modules listed before it), once the graph parameters of every
// plugin hook have been built. So:
//
//   - components that plugin hooks take as parameters, and anything
//     constructed earlier, start before every plugin and stop after them;
//   - components constructed later (by the app's own invokes, or depending on
//     *Manager) start after every plugin and stop before them;
//   - plugin hooks among themselves follow the plugin dependency order.
//
// Caveat: decorations apply to the scope they are declared in and below, so
// include Module at the root of the app, not inside an fx.Module.
var Module = fx.Options(
	fx.Provide(func() *managerCell { return &managerCell{} }),
	fx.Decorate(decorateRegistry),
	fx.Provide(provideManager),
	fx.Module("gofly.plugins", fx.Invoke(wireLifecycle)),
)

type decorateIn struct {
	fx.In
	Registry *extension.Registry
	Cell     *managerCell
	Plugins  []*fxPlugin    `group:"gofly.plugins"`
	Options  []*fxOptions   `group:"gofly.plugins.options"`
	Config   *kernel.Config `optional:"true"`
}

// decorateRegistry builds the manager and adds the app's plugins, in the
// order their fx options were created.
func decorateRegistry(in decorateIn) (*extension.Registry, error) {
	if in.Cell.m != nil {
		return in.Registry, nil
	}
	settings, err := LoadSettings(in.Config)
	if err != nil {
		return nil, err
	}
	opts := []ManagerOption{WithSettings(settings)}
	if in.Config != nil {
		opts = append(opts, WithConfig(in.Config))
	}
	slices.SortFunc(in.Options, func(a, b *fxOptions) int { return cmp.Compare(a.seq, b.seq) })
	for _, o := range in.Options {
		opts = append(opts, o.opts...)
	}
	m := NewManager(in.Registry, opts...)
	ps := slices.Clone(in.Plugins)
	slices.SortFunc(ps, func(a, b *fxPlugin) int { return cmp.Compare(a.seq, b.seq) })
	m.opMu.Lock()
	defer m.opMu.Unlock()
	for _, fp := range ps {
		if err := m.add(fp.p, true); err != nil {
			return nil, err
		}
	}
	in.Cell.m = m
	return in.Registry, nil
}

// provideManager returns the manager the decorator built; asking for the
// decorated registry makes sure it was.
func provideManager(_ *extension.Registry, cell *managerCell) *Manager { return cell.m }

type wireIn struct {
	fx.In
	Manager   *Manager
	Bindings  []*fxBinding `group:"gofly.plugins.hooks"`
	Lifecycle fx.Lifecycle
}

// wireLifecycle binds the plugins' graph hooks and appends the manager's one
// pair of fx hooks.
func wireLifecycle(in wireIn) {
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
