package plugins

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofly-framework/gofly/extension"
	"github.com/gofly-framework/gofly/kernel"
)

// Manager holds plugins, resolves their dependency order and runs their
// lifecycle hooks in it, per plugin or all at once. Build one with
// [NewManager]; in an fx app, [Module] builds it.
//
// # Concurrency
//
// A Manager is safe for concurrent use and behaves as if its operations (Add,
// Remove, StartPlugin, StopPlugin, StartAll, StopAll, UnloadAll) ran one at a
// time: they are serialised by one lock, held while hooks run. Within one
// operation, hooks of independent plugins run concurrently when
// Settings.Parallelism is not 1. Reads (Plugin, Plugins, Order, Decisions,
// Registry) do not wait for a running hook. Hooks
// and listeners must not call an operation of the manager running them: an
// operation given a hook's context returns a [kernel.ErrPluginState] error
// instead of deadlocking; Add (which takes no context) would deadlock.
type Manager struct {
	reg  *extension.Registry
	conf managerConfig

	opMu sync.Mutex // serialises operations; held while hooks run

	nBusy atomic.Int32 // how many hooks run (see entry.busy)

	mu    sync.RWMutex // guards everything below
	ents  []*entry     // add order; may hold removed entries (gone), see unload
	nGone int          // how many entries of ents are gone
	byID  map[string]*entry
	// requiredBy lists, per id, the entries that require it (a required
	// dependency), in add order; like ents, it may hold gone entries until
	// the next compaction.
	requiredBy map[string][]*entry
	g          *graph      // nil when stale
	res        *resolution // nil when stale
	points     map[string]*pointRef
	listeners  []listenerSlot
	nextL      int
}

// entry is a plugin in a manager.
type entry struct {
	def         *Plugin
	state       State
	reason      string
	loadedAt    time.Time
	changedAt   time.Time
	initialized bool
	contributed bool
	gone        bool // removed; still in Manager.ents until the next compaction
	hooks       [hookCount]hookFunc
	unbound     bool           // hooks wait for their fx graph parameters
	regs        []contribution // its extensions now registered, in order
	refs        []string       // the points it holds, in order
	decision    Decision
	// busy is the hook of this plugin that runs now, nil when none; one that
	// outlived its deadline stays here until it returns. Guarded by mu.
	busy *hookRun
	// owedStop: a stop was refused while a dependent's hook still ran; the
	// plugin is stopped when that hook returns. Guarded by mu.
	owedStop bool
}

type pointRef struct {
	count int
	owned bool // declared by plugins, not there before: withdraw with the last
}

type listenerSlot struct {
	id int
	fn func(StateChange)
}

// NewManager returns a manager whose plugins contribute to reg (a nil reg gets
// a fresh registry). Options apply in order. Settings that do not validate
// (a bad glob, an unknown failure policy) make every Add fail with
// [kernel.ErrConfig].
func NewManager(reg *extension.Registry, opts ...ManagerOption) *Manager {
	if reg == nil {
		reg = extension.NewRegistry()
	}
	m := &Manager{
		reg:        reg,
		conf:       defaultManagerConfig(),
		byID:       make(map[string]*entry),
		requiredBy: make(map[string][]*entry),
		points:     make(map[string]*pointRef),
	}
	for _, o := range opts {
		if o != nil {
			o.applyManager(m)
		}
	}
	if m.conf.cfg == nil {
		m.conf.cfg = kernel.EmptyConfig()
	}
	m.conf.settingsErr = m.conf.settings.validate()
	return m
}

// Registry returns the registry the manager was given (the very same pointer).
func (m *Manager) Registry() *extension.Registry { return m.reg }

// Add adds plugin p. It evaluates the filters and conditions (a plugin they
// keep out, or one requiring a DISABLED plugin, is added DISABLED and
// contributes nothing); then it declares p's points, then registers its
// extensions, each in the order of the definition. Add is all-or-nothing: on
// any failure it withdraws what it registered and leaves no trace of p. The
// plugin is then LOADED (or DISABLED); listeners see it come from UNLOADED.
//
// p may depend on plugins not added yet; adding a plugin that is DISABLED
// disables the plugins already added that require it (they withdraw their
// contributions). Errors are [kernel.ErrPluginLoad] (nil p, invalid
// definition, duplicate id — the plugin already there is untouched —, a
// condition that panics, a contribution the registry refuses, wrapping the
// registry's error, e.g. [kernel.ErrNotImplemented]), or [kernel.ErrConfig]
// for invalid manager settings.
//
// A plugin whose hooks take parameters from the fx graph can be added; its
// hooks get those parameters when the manager is wired into an fx app
// ([Manager.Module], gofly.New). Until then, starting it fails with
// [kernel.ErrPluginStart] saying so.
func (m *Manager) Add(p *Plugin) error {
	m.opMu.Lock()
	defer m.opMu.Unlock()
	return m.add(p)
}

func (m *Manager) add(p *Plugin) error {
	if m.conf.settingsErr != nil {
		return m.conf.settingsErr
	}
	if p == nil {
		return &kernel.PluginError{Class: kernel.ErrPluginLoad, Op: "add", Msg: "cannot add a nil plugin; build one with plugins.Define"}
	}
	if err := p.Err(); err != nil {
		return err
	}
	m.mu.RLock()
	_, dup := m.byID[p.id]
	m.mu.RUnlock()
	if dup {
		return &kernel.PluginError{Class: kernel.ErrPluginLoad, PluginID: p.id, Op: "add",
			Msg: fmt.Sprintf("plugin %q is already added; give each plugin a unique id or remove the first", p.id)}
	}
	e := &entry{def: p}
	for k, h := range p.hooks {
		switch {
		case h == nil:
		case h.fn != nil:
			e.hooks[k] = h.fn
		default:
			e.unbound = true // bound when the manager is wired into an fx app
		}
	}
	d, err := m.decide(p)
	if err != nil {
		return err
	}
	e.decision = d
	if d.Enabled {
		if err := m.contribute(e); err != nil {
			return err
		}
		e.state = StateLoaded
	} else {
		e.state = StateDisabled
		e.reason = d.Reason
	}
	now := time.Now()
	e.loadedAt, e.changedAt = now, now

	m.mu.Lock()
	m.ents = append(m.ents, e)
	m.byID[p.id] = e
	m.indexRequirements(e)
	m.invalidate()
	m.mu.Unlock()
	m.emit(StateChange{Plugin: p.id, Old: StateUnloaded, New: e.state, Reason: e.reason, At: now})

	if e.state == StateDisabled {
		m.cascadeDisabled(e)
	}
	return nil
}

// indexRequirements records e in m.requiredBy under each id it requires;
// m.mu must be held.
func (m *Manager) indexRequirements(e *entry) {
	for _, d := range e.def.deps { // entries for one id are merged
		if !d.Optional {
			m.requiredBy[d.ID] = append(m.requiredBy[d.ID], e)
		}
	}
}

// cascadeDisabled disables, transitively, the plugins that require root and are
// not STARTED (a plugin can only be STARTED when its required dependencies
// were present, so in practice none is). It reads the manager's index of
// requirements, so it costs time only for the plugins that require a
// disabled one: adding many DISABLED plugins stays linear.
func (m *Manager) cascadeDisabled(root *entry) {
	queue := []*entry{root}
	for k := 0; k < len(queue); k++ {
		cur := queue[k]
		var deps []*entry
		m.mu.RLock()
		for _, o := range m.requiredBy[cur.def.id] {
			// Present, neither DISABLED (by a filter or an earlier step) nor STARTED.
			if !o.gone && o.state != StateDisabled && o.state != StateStarted {
				deps = append(deps, o)
			}
		}
		m.mu.RUnlock()
		for _, o := range deps {
			reason := fmt.Sprintf("depends on disabled plugin %q", cur.def.id)
			m.withdraw(o)
			m.mu.Lock()
			o.decision.Enabled = false
			o.decision.Reasons = append(o.decision.Reasons, reason)
			o.decision.Reason = reason
			m.mu.Unlock()
			m.setState(o, StateDisabled, reason, nil)
			queue = append(queue, o)
		}
	}
}

// contribute declares e's points, then registers its extensions, undoing
// all of it on failure. Each point a plugin declares, or declares implicitly
// by extending it, is reference-counted: it is withdrawn when the last plugin
// holding it lets go, unless it was declared before any plugin held it.
func (m *Manager) contribute(e *entry) error {
	p := e.def
	fail := func(err error) error {
		m.withdrawParts(e)
		return err
	}
	for _, d := range p.decls {
		m.mu.RLock()
		ref := m.points[d.point]
		m.mu.RUnlock()
		owned := ref == nil && !m.reg.HasPoint(d.point)
		if err := d.do(m.reg); err != nil {
			return fail(&kernel.PluginError{Class: kernel.ErrPluginLoad, PluginID: p.id, Op: "add",
				Msg: fmt.Sprintf("plugin %q cannot declare extension point %q (%s)", p.id, d.point, d.typ), Err: err})
		}
		m.holdPoint(e, d.point, owned)
	}
	for _, c := range p.contribs {
		m.mu.RLock()
		ref := m.points[c.point]
		m.mu.RUnlock()
		undeclared := ref == nil && !m.reg.HasPoint(c.point)
		if err := c.add(m.reg); err != nil {
			return fail(&kernel.PluginError{Class: kernel.ErrPluginLoad, PluginID: p.id, Op: "add",
				Msg: fmt.Sprintf("plugin %q cannot contribute to extension point %q", p.id, c.point), Err: err})
		}
		e.regs = append(e.regs, c)
		if ref != nil || (undeclared && m.reg.HasPoint(c.point)) {
			m.holdPoint(e, c.point, true)
		}
	}
	e.contributed = true
	return nil
}

// holdPoint records that e holds point id; owned says, for a point no plugin
// held yet, whether plugins declared it (and so withdraw it with the last).
func (m *Manager) holdPoint(e *entry, id string, owned bool) {
	m.mu.Lock()
	ref := m.points[id]
	if ref == nil {
		ref = &pointRef{owned: owned}
		m.points[id] = ref
	}
	ref.count++
	m.mu.Unlock()
	e.refs = append(e.refs, id)
}

// withdraw undoes e's contributions: its registrations, last first, then the
// points it holds.
func (m *Manager) withdraw(e *entry) {
	if e.contributed {
		m.withdrawParts(e)
		e.contributed = false
	}
}

func (m *Manager) withdrawParts(e *entry) {
	for k := len(e.regs) - 1; k >= 0; k-- {
		m.reg.Unregister(e.regs[k].point, e.regs[k].value)
	}
	for k := len(e.refs) - 1; k >= 0; k-- {
		m.releasePoint(e.refs[k])
	}
	e.regs, e.refs = nil, nil
}

func (m *Manager) releasePoint(id string) {
	m.mu.Lock()
	ref := m.points[id]
	if ref == nil {
		m.mu.Unlock()
		return
	}
	ref.count--
	drop := ref.count == 0
	if drop {
		delete(m.points, id)
	}
	m.mu.Unlock()
	if drop && ref.owned {
		m.reg.UnregisterPoint(id)
	}
}

// live returns a new slice of the entries that are not gone, in add order;
// m.mu must be held.
func (m *Manager) live() []*entry {
	if m.nGone == 0 {
		return slices.Clone(m.ents)
	}
	out := make([]*entry, 0, len(m.ents)-m.nGone)
	for _, e := range m.ents {
		if !e.gone {
			out = append(out, e)
		}
	}
	return out
}

// invalidate drops the cached graph and order; m.mu must be held.
func (m *Manager) invalidate() { m.g, m.res = nil, nil }

// resolved returns the graph and resolution, computing them if stale.
func (m *Manager) resolved() (*graph, *resolution) {
	m.mu.RLock()
	g, r := m.g, m.res
	m.mu.RUnlock()
	if g != nil && r != nil {
		return g, r
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.g == nil || m.res == nil {
		m.g = buildGraph(m.live())
		m.res = m.g.resolve()
	}
	return m.g, m.res
}

// Order returns the ids of the enabled plugins (every state but DISABLED) in
// dependency order: each after its dependencies and, whenever several are
// ready, the one added first. The order is cached and recomputed only after
// plugins are added, removed or disabled. The error, if any, is a
// *kernel.ResolutionError ([kernel.ErrPluginResolution]): a missing
// dependency, an unmet version constraint (naming the constraint and the
// version found) or a cycle (naming its whole path, a -> b -> a); it is the
// problem of the plugin added first, or else the first cycle.
func (m *Manager) Order() ([]string, error) {
	g, r := m.resolved()
	if r.err != nil {
		return nil, r.err
	}
	ids := make([]string, len(r.order))
	for k, i := range r.order {
		ids[k] = g.ents[i].def.id
	}
	return ids, nil
}

// Plugin returns a snapshot of plugin id, and whether it is there.
func (m *Manager) Plugin(id string) (Descriptor, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	e, ok := m.byID[id]
	if !ok {
		return Descriptor{}, false
	}
	return e.descriptor(), true
}

// Plugins returns snapshots of every plugin, sorted by id.
func (m *Manager) Plugins() []Descriptor {
	m.mu.RLock()
	out := make([]Descriptor, 0, len(m.ents)-m.nGone)
	for _, e := range m.ents {
		if e.gone {
			continue
		}
		out = append(out, e.descriptor())
	}
	m.mu.RUnlock()
	slices.SortFunc(out, func(a, b Descriptor) int { return strings.Compare(a.ID, b.ID) })
	return out
}

func (e *entry) descriptor() Descriptor {
	p := e.def
	d := Descriptor{
		ID: p.id, Version: p.versionText, Name: p.name, Author: p.author, Description: p.description,
		Tags:  slices.Clone(p.tags),
		State: e.state, LoadedAt: e.loadedAt, LastStateChange: e.changedAt, FailedReason: e.reason,
	}
	if len(p.deps) > 0 {
		d.DependsOn = make([]Dependency, len(p.deps))
		for k, dep := range p.deps {
			d.DependsOn[k] = dep.Dependency
		}
	}
	return d
}

// AddListener registers l to be told of every later state change (see
// [WithListener] for when and how it is called) and returns a function that
// unregisters it. A nil l is ignored.
func (m *Manager) AddListener(l func(StateChange)) (remove func()) {
	if l == nil {
		return func() {}
	}
	m.mu.Lock()
	m.nextL++
	id := m.nextL
	// Copy on write: emit iterates a snapshot of the slice without the lock.
	m.listeners = append(slices.Clip(m.listeners), listenerSlot{id: id, fn: l})
	m.mu.Unlock()
	return func() {
		m.mu.Lock()
		m.listeners = slices.DeleteFunc(slices.Clone(m.listeners), func(s listenerSlot) bool { return s.id == id })
		m.mu.Unlock()
	}
}

// setState changes e's state and tells the listeners.
func (m *Manager) setState(e *entry, s State, reason string, err error) {
	m.setStateTook(e, s, reason, err, 0)
}

// setStateTook is setState for a change caused by hooks that ran for took.
func (m *Manager) setStateTook(e *entry, s State, reason string, err error, took time.Duration) {
	now := time.Now()
	m.mu.Lock()
	old := e.state
	e.state, e.reason, e.changedAt = s, reason, now
	if (old == StateDisabled) != (s == StateDisabled) {
		m.invalidate() // the order covers the enabled plugins only
	}
	m.mu.Unlock()
	m.emit(StateChange{Plugin: e.def.id, Old: old, New: s, Err: err, Reason: reason, At: now, Duration: took})
}

func (m *Manager) emit(ch StateChange) {
	m.mu.RLock()
	ls := m.listeners
	m.mu.RUnlock()
	for _, l := range ls {
		callListener(l.fn, ch)
	}
}

func callListener(l func(StateChange), ch StateChange) {
	defer func() { _ = recover() }() // a panicking listener must not break the manager
	l(ch)
}

// Remove removes plugin id: if STARTED it runs OnStop, then (if its OnInit
// ran) OnUnload, then it unregisters its extensions and withdraws its points.
// A hook's failure does not stop the removal: the plugin is removed and the
// failure returned ([kernel.ErrPluginStop], wrapping the hook's error).
//
// Remove returns (false, nil) for an unknown id. It refuses, with a
// [kernel.ErrPluginState] error naming them, while other plugins depend on id
// (required or optional, in any state): remove those first, or use UnloadAll.
func (m *Manager) Remove(ctx context.Context, id string) (bool, error) {
	ctx, err := m.enter(ctx, "remove", id)
	if err != nil {
		return false, err
	}
	m.opMu.Lock()
	defer m.opMu.Unlock()
	m.mu.RLock()
	e, ok := m.byID[id]
	var dependents []string
	if ok {
		for _, o := range m.ents {
			if o == e || o.gone {
				continue
			}
			for _, d := range o.def.deps {
				if d.ID == id {
					dependents = append(dependents, o.def.id)
					break
				}
			}
		}
	}
	m.mu.RUnlock()
	if !ok {
		return false, nil
	}
	if len(dependents) > 0 {
		return false, &kernel.PluginError{Class: kernel.ErrPluginState, PluginID: id, Op: "remove",
			Msg: fmt.Sprintf("cannot remove plugin %q: plugins %s depend on it; remove them first", id, quoteList(dependents))}
	}
	g, _ := m.resolved()
	err = m.unload(ctx, g, e)
	m.mu.RLock()
	_, still := m.byID[id]
	m.mu.RUnlock()
	return !still, err
}

// UnloadAll removes every plugin, dependents before their dependencies (ties
// broken by reverse add order; a cycle cannot be honoured and is broken at the
// plugin added first). Each plugin is removed as by Remove, and a failure does
// not stop the others; the failures are returned joined. Afterwards the
// registry holds the points and extensions it held before the plugins were
// added.
func (m *Manager) UnloadAll(ctx context.Context) error {
	ctx, err := m.enter(ctx, "unload", "")
	if err != nil {
		return err
	}
	m.opMu.Lock()
	defer m.opMu.Unlock()
	g, _ := m.resolved()
	order := g.tolerantOrder(func(int32) bool { return true })
	var errs []error
	for k := len(order) - 1; k >= 0; k-- {
		if err := m.unload(ctx, g, g.ents[order[k]]); err != nil {
			errs = append(errs, err)
		}
	}
	return join(errs)
}

// unload stops, unloads and forgets e. A plugin that cannot be stopped yet
// (a hook that outlived its deadline still runs on it or on a dependent) is
// kept, with an error saying so.
func (m *Manager) unload(ctx context.Context, g *graph, e *entry) error {
	var errs []error
	if e.state == StateStarted {
		if err := m.stopOne(ctx, g, e); err != nil {
			errs = append(errs, err)
		}
	}
	m.mu.RLock()
	busy, kept := e.busy, e.state == StateStarted
	m.mu.RUnlock()
	if busy != nil || kept {
		var cause error = &busyError{plugin: e.def.id, hook: hookStop, self: true}
		if busy != nil {
			cause = &busyError{plugin: e.def.id, hook: busy.kind, self: true}
		}
		if kept {
			return join(errs)
		}
		return &kernel.PluginError{Class: kernel.ErrPluginState, PluginID: e.def.id, Op: "remove",
			Msg: fmt.Sprintf("plugin %q is not removed: %v", e.def.id, cause)}
	}
	if e.initialized && e.hooks[hookUnload] != nil {
		if cause := m.runHook(ctx, e, hookUnload); cause != nil {
			errs = append(errs, hookError(kernel.ErrPluginStop, e.def.id, "remove", hookUnload, cause))
		}
	}
	m.withdraw(e)
	m.mu.Lock()
	old := e.state
	delete(m.byID, e.def.id)
	// Mark e gone and compact ents only once at least half of it is gone:
	// removing from the middle of ents every time would make UnloadAll
	// quadratic when the unload order differs from the add order.
	e.gone = true
	m.nGone++
	if m.nGone*2 > len(m.ents) {
		m.ents = slices.DeleteFunc(m.ents, func(o *entry) bool { return o.gone })
		m.nGone = 0
		clear(m.requiredBy)
		for _, o := range m.ents {
			m.indexRequirements(o)
		}
	}
	m.invalidate()
	m.mu.Unlock()
	err := join(errs)
	m.emit(StateChange{Plugin: e.def.id, Old: old, New: StateUnloaded, Err: err, At: time.Now()})
	return err
}

// join returns nil, the one error, or the errors joined.
func join(errs []error) error {
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	default:
		return errors.Join(errs...)
	}
}

func typeList(ts []reflect.Type) string {
	s := make([]string, len(ts))
	for k, t := range ts {
		s[k] = t.String()
	}
	return strings.Join(s, ", ")
}
