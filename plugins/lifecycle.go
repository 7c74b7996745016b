package plugins

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/gofly-framework/gofly/kernel"
)

// hookCtxKey marks the context given to a hook with the manager running it.
type hookCtxKey struct{}

// StartPlugin starts plugin id after its transitive dependencies, in
// dependency order, skipping those already STARTED; it touches no other
// plugin. Each plugin started runs OnInit (once, before its first start) and
// OnStart, each with the start timeout. If a hook fails, panics or times out,
// that plugin becomes FAILED (FailedReason = the cause's text), the plugins
// this call started are stopped again in reverse order (ending STOPPED), and
// the error — [kernel.ErrPluginStart], naming the plugin and wrapping the
// cause, with any rollback failures joined — is returned. Starting a STARTED
// plugin is a no-op.
//
// Errors: an unknown or DISABLED id is [kernel.ErrPluginState]; a dependency
// problem of id (missing, version constraint, cycle) is the
// *kernel.ResolutionError at its root. Problems of unrelated plugins do not
// matter. The failure policy does not apply: StartPlugin always rolls back.
func (m *Manager) StartPlugin(ctx context.Context, id string) error {
	ctx, err := m.enter(ctx, "start", id)
	if err != nil {
		return err
	}
	m.opMu.Lock()
	defer m.opMu.Unlock()
	e, err := m.lookup(id, "start")
	if err != nil {
		return err
	}
	if e.state == StateDisabled {
		return &kernel.PluginError{Class: kernel.ErrPluginState, PluginID: id, Op: "start",
			Msg: fmt.Sprintf("cannot start plugin %q: it is disabled (%s); change the filters or conditions that disable it", id, e.reason)}
	}
	if e.state == StateStarted {
		return nil
	}
	g, r := m.resolved()
	i := g.idx[id]
	if p := r.probs[i]; p != nil {
		return p.err
	}
	// The dependency closure of i, in the global order: restricted to a set
	// closed under dependencies, the stable order stays the stable order.
	seen := map[int32]bool{i: true}
	closure := []int32{i}
	for k := 0; k < len(closure); k++ {
		for _, j := range g.deps[g.depOff[closure[k]]:g.depOff[closure[k]+1]] {
			if !seen[j] && g.enabled(j) {
				seen[j] = true
				closure = append(closure, j)
			}
		}
	}
	sortByPos(closure, r.pos)
	var started []*entry
	for _, j := range closure {
		ej := g.ents[j]
		if ej.state == StateStarted {
			continue
		}
		if err := m.startOne(ctx, ej); err != nil {
			return join(append([]error{err}, m.rollback(ctx, started)...))
		}
		started = append(started, ej)
	}
	return nil
}

// StopPlugin stops the STARTED plugins that depend on plugin id, transitively,
// dependents first, then id itself if STARTED; id's dependencies keep running.
// Only STARTED plugins get OnStop (a FAILED plugin is not stopped again). A
// failed OnStop makes that plugin FAILED; the others are still stopped, and
// the failures ([kernel.ErrPluginStop], wrapping the hook's error) are
// returned joined. An unknown id is [kernel.ErrPluginState].
func (m *Manager) StopPlugin(ctx context.Context, id string) error {
	ctx, err := m.enter(ctx, "stop", id)
	if err != nil {
		return err
	}
	m.opMu.Lock()
	defer m.opMu.Unlock()
	if _, err := m.lookup(id, "stop"); err != nil {
		return err
	}
	g, _ := m.resolved()
	i := g.idx[id]
	in := make(map[int32]bool)
	in[i] = true
	queue := []int32{i}
	for k := 0; k < len(queue); k++ {
		for _, j := range g.rdeps[g.rOff[queue[k]]:g.rOff[queue[k]+1]] {
			if !in[j] {
				in[j] = true
				queue = append(queue, j)
			}
		}
	}
	order := g.tolerantOrder(func(j int32) bool { return in[j] && g.ents[j].state == StateStarted })
	return m.stopReverse(ctx, g, order)
}

// StartAll starts every plugin that is LOADED, STOPPED or FAILED, in
// dependency order; STARTED plugins (however they were started) are skipped,
// so a hook never runs twice for one start, and plugins added after an
// earlier StartAll are started by the next. DISABLED plugins never start.
//
// With the fail-fast policy (the default), a resolution problem is returned
// before anything starts; a failed hook makes its plugin FAILED, the plugins
// this call started are stopped again in reverse order, and the cause is
// returned with any rollback failures joined.
//
// With the continue policy, a plugin that cannot be resolved or fails to
// start is FAILED with its reason, the plugins that require it are FAILED
// without running a hook ("dependency ... failed to start"), the others start,
// and StartAll returns nil: read the outcome in the descriptors or from a
// listener.
func (m *Manager) StartAll(ctx context.Context) error {
	ctx, err := m.enter(ctx, "start", "")
	if err != nil {
		return err
	}
	m.opMu.Lock()
	defer m.opMu.Unlock()
	g, r := m.resolved()
	keepGoing := m.conf.settings.FailurePolicy == Continue
	if r.err != nil {
		if !keepGoing {
			return r.err
		}
		for i, p := range r.probs {
			e := g.ents[i]
			if p == nil || e.state == StateStarted || e.state == StateDisabled {
				continue
			}
			reason := p.err.Error()
			var cause error = p.err
			if p.via >= 0 {
				dep := g.ents[p.via].def.id
				cause = &kernel.PluginError{Class: kernel.ErrPluginStart, PluginID: e.def.id, Op: "start",
					Msg: fmt.Sprintf("plugin %q not started: dependency %q cannot be resolved", e.def.id, dep), Err: p.err}
				reason = fmt.Sprintf("dependency %q cannot be resolved: %s", dep, p.err.Error())
			}
			m.setState(e, StateFailed, reason, cause)
		}
	}
	var started []*entry
	for _, i := range r.order {
		e := g.ents[i]
		if e.state == StateStarted || e.state == StateDisabled {
			continue
		}
		if keepGoing {
			if dep := m.unstartedRequirement(g, i); dep != nil {
				err := &kernel.PluginError{Class: kernel.ErrPluginStart, PluginID: e.def.id, Op: "start",
					Msg: fmt.Sprintf("plugin %q not started: dependency %q failed to start", e.def.id, dep.def.id)}
				m.setState(e, StateFailed, fmt.Sprintf("dependency %q failed to start", dep.def.id), err)
				continue
			}
			_ = m.startOne(ctx, e) // the state and the listeners carry the failure
			continue
		}
		if err := m.startOne(ctx, e); err != nil {
			return join(append([]error{err}, m.rollback(ctx, started)...))
		}
		started = append(started, e)
	}
	return nil
}

// unstartedRequirement returns a required dependency of node i that is not
// STARTED, or nil.
func (m *Manager) unstartedRequirement(g *graph, i int32) *entry {
	e := g.ents[i]
	for k := g.depOff[i]; k < g.depOff[i+1]; k++ {
		dep := g.ents[g.deps[k]]
		if !e.def.deps[g.depSpec[k]].Optional && dep.state != StateStarted {
			return dep
		}
	}
	return nil
}

// StopAll stops every STARTED plugin, however it was started, dependents
// before their dependencies (reverse dependency order; it works even when
// the plugins no longer resolve). It goes on after a failure (that plugin
// becomes FAILED) and returns every failure joined, each
// [kernel.ErrPluginStop] wrapping the hook's error.
func (m *Manager) StopAll(ctx context.Context) error {
	ctx, err := m.enter(ctx, "stop", "")
	if err != nil {
		return err
	}
	m.opMu.Lock()
	defer m.opMu.Unlock()
	g, _ := m.resolved()
	order := g.tolerantOrder(func(i int32) bool { return g.ents[i].state == StateStarted })
	return m.stopReverse(ctx, g, order)
}

func (m *Manager) stopReverse(ctx context.Context, g *graph, order []int32) error {
	var errs []error
	for k := len(order) - 1; k >= 0; k-- {
		if err := m.stopOne(ctx, g.ents[order[k]]); err != nil {
			errs = append(errs, err)
		}
	}
	return join(errs)
}

// rollback stops the plugins in started, last first, with a context that
// keeps ctx's values but not its cancellation (the stop hooks still get the
// stop timeout), and returns the failures.
func (m *Manager) rollback(ctx context.Context, started []*entry) []error {
	ctx = context.WithoutCancel(ctx)
	var errs []error
	for k := len(started) - 1; k >= 0; k-- {
		if err := m.stopOne(ctx, started[k]); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// startOne runs e's OnInit (if it never succeeded) and OnStart.
func (m *Manager) startOne(ctx context.Context, e *entry) error {
	begin := time.Now()
	if !e.initialized {
		if cause := m.runHook(ctx, e, hookInit); cause != nil {
			err := hookError(kernel.ErrPluginStart, e.def.id, "start", hookInit, cause)
			m.setStateTook(e, StateFailed, cause.Error(), err, time.Since(begin))
			return err
		}
		e.initialized = true
	}
	if cause := m.runHook(ctx, e, hookStart); cause != nil {
		err := hookError(kernel.ErrPluginStart, e.def.id, "start", hookStart, cause)
		m.setStateTook(e, StateFailed, cause.Error(), err, time.Since(begin))
		return err
	}
	m.setStateTook(e, StateStarted, "", nil, time.Since(begin))
	return nil
}

// stopOne runs OnStop of a STARTED plugin; others are left alone.
func (m *Manager) stopOne(ctx context.Context, e *entry) error {
	if e.state != StateStarted {
		return nil
	}
	begin := time.Now()
	if cause := m.runHook(ctx, e, hookStop); cause != nil {
		err := hookError(kernel.ErrPluginStop, e.def.id, "stop", hookStop, cause)
		m.setStateTook(e, StateFailed, cause.Error(), err, time.Since(begin))
		return err
	}
	m.setStateTook(e, StateStopped, "", nil, time.Since(begin))
	return nil
}

// runHook runs one hook of e with its deadline and returns the cause of a
// failure (the hook's own error, a *panicError, a *timeoutError ...), or nil.
//
// The hook runs on its own goroutine so that its deadline holds even when it
// ignores its context: runHook returns at the deadline, and a hook that
// ignores the cancellation keeps running in the background until it returns.
func (m *Manager) runHook(ctx context.Context, e *entry, k hookKind) error {
	fn := e.hooks[k]
	if fn == nil {
		if e.unbound && e.def.hooks[k] != nil {
			return fmt.Errorf("%s hook takes parameters from the fx graph (%s) but the manager is not wired into an fx app: use gofly.New, Manager.Module or plugins.Module", k, typeList(e.def.hooks[k].params))
		}
		return nil
	}
	if err := ctx.Err(); err != nil {
		return &cancelledError{hook: k, err: err}
	}
	timeout := m.conf.settings.StartTimeout
	if k == hookStop || k == hookUnload {
		timeout = m.conf.settings.StopTimeout
	}
	var hctx context.Context
	var cancel context.CancelFunc
	if timeout > 0 {
		hctx, cancel = context.WithTimeout(ctx, timeout)
	} else {
		hctx, cancel = context.WithCancel(ctx)
	}
	defer cancel()
	done := make(chan error, 1)
	go func() {
		defer func() {
			if v := recover(); v != nil {
				done <- &panicError{hook: k, value: v}
			}
		}()
		done <- fn(hctx)
	}()
	var err error
	select {
	case err = <-done:
		if err == nil || hctx.Err() == nil {
			return err
		}
		// It failed as its context ended: report why the context ended.
	case <-hctx.Done():
		select {
		case err = <-done: // it returned just in time
			if err == nil {
				return nil
			}
		default:
		}
	}
	if cerr := ctx.Err(); cerr != nil {
		return &cancelledError{hook: k, err: cerr, hookErr: err}
	}
	return &timeoutError{hook: k, after: timeout, hookErr: err}
}

func (m *Manager) lookup(id, op string) (*entry, error) {
	m.mu.RLock()
	e, ok := m.byID[id]
	m.mu.RUnlock()
	if !ok {
		return nil, &kernel.PluginError{Class: kernel.ErrPluginState, PluginID: id, Op: op,
			Msg: fmt.Sprintf("cannot %s unknown plugin %q; add it first (see Manager.Plugins for the plugins there)", op, id)}
	}
	return e, nil
}

// enter starts an operation: it refuses one called from a hook of this
// manager, which would deadlock, and returns the context its hooks derive
// from, marked with the manager.
func (m *Manager) enter(ctx context.Context, op, id string) (context.Context, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	if ctx.Value(hookCtxKey{}) != m {
		return context.WithValue(ctx, hookCtxKey{}, m), nil
	}
	what := "plugins"
	if id != "" {
		what = fmt.Sprintf("plugin %q", id)
	}
	return nil, &kernel.PluginError{Class: kernel.ErrPluginState, PluginID: id, Op: op,
		Msg: fmt.Sprintf("cannot %s %s from a hook of the same manager: it would deadlock; do it from another goroutine or after the operation returns", op, what)}
}

func hookError(class error, id, op string, k hookKind, cause error) *kernel.PluginError {
	verb := "start"
	switch k {
	case hookStop:
		verb = "stop"
	case hookUnload:
		verb = "unload"
	}
	return &kernel.PluginError{Class: class, PluginID: id, Op: op,
		Msg: fmt.Sprintf("plugin %q failed to %s (%s)", id, verb, k), Err: cause}
}

// panicError is the cause of a failure when a hook panicked.
type panicError struct {
	hook  hookKind
	value any
}

func (e *panicError) Error() string { return fmt.Sprintf("%s hook panicked: %v", e.hook, e.value) }

// Unwrap returns the panic value when it is an error.
func (e *panicError) Unwrap() error {
	err, _ := e.value.(error)
	return err
}

// timeoutError is the cause of a failure when a hook passed its deadline.
type timeoutError struct {
	hook    hookKind
	after   time.Duration
	hookErr error // what the hook returned, if it returned
}

func (e *timeoutError) Error() string {
	return fmt.Sprintf("%s hook timed out after %s (raise plugins.start-timeout or plugins.stop-timeout, or make the hook faster)", e.hook, e.after)
}

// Unwrap returns context.DeadlineExceeded and the hook's own error, if any.
func (e *timeoutError) Unwrap() []error { return causes(context.DeadlineExceeded, e.hookErr) }

// cancelledError is the cause of a failure when the caller's context ended.
type cancelledError struct {
	hook    hookKind
	err     error
	hookErr error
}

func (e *cancelledError) Error() string {
	return fmt.Sprintf("%s hook not completed: the caller's context ended: %v", e.hook, e.err)
}

// Unwrap returns the context's error and the hook's own error, if any.
func (e *cancelledError) Unwrap() []error { return causes(e.err, e.hookErr) }

func causes(a, b error) []error {
	if b == nil {
		return []error{a}
	}
	return []error{a, b}
}

// sortByPos sorts node indices by their position in the order.
func sortByPos(nodes []int32, pos []int32) {
	if len(nodes) < 2 {
		return
	}
	slices.SortFunc(nodes, func(a, b int32) int { return int(pos[a] - pos[b]) })
}
