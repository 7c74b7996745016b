package plugins

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/gofly-framework/gofly/kernel"
)

// hookCtxKey marks the context given to a hook with the manager running it.
type hookCtxKey struct{}

// StartPlugin starts plugin id after its transitive dependencies, in
// dependency order, skipping those already STARTED; it touches no other
// plugin. Each plugin started runs OnInit (once, before its first start) and
// OnStart, each with the start timeout; with parallelism above 1 (see
// [WithParallelism]) independent dependencies start concurrently. If a hook
// fails, panics or times out, that plugin becomes FAILED (FailedReason = the
// cause's text), the hooks still running are cancelled through their context,
// the plugins this call started are stopped again, dependents first (ending
// STOPPED), and the error — [kernel.ErrPluginStart], naming the plugin and
// wrapping the cause, with any rollback failures joined — is returned.
// Starting a STARTED plugin is a no-op.
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
	todo := closure[:0]
	for _, j := range closure {
		if g.ents[j].state != StateStarted {
			todo = append(todo, j)
		}
	}
	return m.startNodes(ctx, g, todo, false)
}

// StopPlugin stops the STARTED plugins that depend on plugin id, transitively,
// dependents first, then id itself if STARTED; id's dependencies keep running.
// Only STARTED plugins get OnStop (a FAILED plugin is not stopped again). A
// failed OnStop makes that plugin FAILED; the others are still stopped, and
// the failures ([kernel.ErrPluginStop], wrapping the hook's error) are
// returned joined. An unknown id is [kernel.ErrPluginState]. A context that
// has already ended does not skip a stop: see [Manager.StopAll].
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
	return join(m.stopNodes(ctx, g, order))
}

// StartAll starts every plugin that is LOADED, STOPPED or FAILED, in
// dependency order; STARTED plugins (however they were started) are skipped,
// so a hook never runs twice for one start, and plugins added after an
// earlier StartAll are started by the next. DISABLED plugins never start.
// With parallelism above 1 (see [WithParallelism]) a plugin starts as soon
// as its dependencies have, concurrently with independent plugins.
//
// With the fail-fast policy (the default), a resolution problem is returned
// before anything starts; a failed hook makes its plugin FAILED, the hooks
// still running are cancelled through their context, the plugins this call
// started are stopped again (dependents first, also those STARTED earlier
// that depend on them), and the cause is returned with any rollback failures
// joined.
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
	todo := make([]int32, 0, len(r.order))
	for _, i := range r.order {
		if s := g.ents[i].state; s != StateStarted && s != StateDisabled {
			todo = append(todo, i)
		}
	}
	return m.startNodes(ctx, g, todo, keepGoing)
}

// startNodes starts the plugins of todo, a list in dependency order, each
// after its dependencies in todo. With keepGoing a failure is recorded and
// the others go on (a plugin whose required dependency is not STARTED fails
// without running a hook); otherwise the first failure cancels the hooks in
// flight, starts nothing more, and rolls back what this call started.
func (m *Manager) startNodes(ctx context.Context, g *graph, todo []int32, keepGoing bool) error {
	var started []int32
	var firstErr error
	run := m.plan(g, todo, false)
	run.begin = func(i int32) bool {
		if !keepGoing {
			return true
		}
		e := g.ents[i]
		if dep := m.unstartedRequirement(g, i); dep != nil {
			err := &kernel.PluginError{Class: kernel.ErrPluginStart, PluginID: e.def.id, Op: "start",
				Msg: fmt.Sprintf("plugin %q not started: dependency %q failed to start", e.def.id, dep.def.id)}
			m.setState(e, StateFailed, fmt.Sprintf("dependency %q failed to start", dep.def.id), err)
			return false
		}
		return true
	}
	run.work = func(ctx context.Context, i int32) hookOutcome { return m.startHooks(ctx, g, i) }
	run.done = func(i int32, o hookOutcome) bool {
		if err := m.settleStart(g.ents[i], o); err != nil {
			if keepGoing {
				return true
			}
			if firstErr == nil {
				firstErr = err
			}
			return false
		}
		started = append(started, i)
		return true
	}
	run.execute(ctx)
	if firstErr == nil {
		return nil
	}
	return join(append([]error{firstErr}, m.rollback(ctx, g, started)...))
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
// the plugins no longer resolve; with parallelism above 1, a plugin stops as
// soon as its dependents have). It goes on after a failure (that plugin
// becomes FAILED) and returns every failure joined, each
// [kernel.ErrPluginStop] wrapping the hook's error.
//
// Every STARTED plugin gets its OnStop, also when ctx has already ended (the
// app's stop budget is spent): the hook then gets that ended context and is
// waited for at most the stop timeout, and the error names each plugin that
// ran out of time. A plugin whose dependent still runs a hook that outlived
// its deadline is not stopped yet: it stays STARTED, the error says so, and
// it is stopped when that hook returns.
func (m *Manager) StopAll(ctx context.Context) error {
	ctx, err := m.enter(ctx, "stop", "")
	if err != nil {
		return err
	}
	m.opMu.Lock()
	defer m.opMu.Unlock()
	g, _ := m.resolved()
	order := g.tolerantOrder(func(i int32) bool { return g.ents[i].state == StateStarted })
	return join(m.stopNodes(ctx, g, order))
}

// stopNodes stops the plugins of order (dependencies before dependents, so
// stopped from the end), each after its dependents in order, and returns the
// failures.
func (m *Manager) stopNodes(ctx context.Context, g *graph, order []int32) []error {
	var errs []error
	run := m.plan(g, order, true)
	run.work = func(ctx context.Context, i int32) hookOutcome { return m.stopHook(ctx, g, i) }
	run.done = func(i int32, o hookOutcome) bool {
		if err := m.settleStop(g.ents[i], o); err != nil {
			errs = append(errs, err)
		}
		return true
	}
	run.execute(ctx)
	return errs
}

// rollback stops the plugins in started and every STARTED plugin that
// depends on one of them, dependents first, with a context that keeps ctx's
// values but not its cancellation (the stop hooks still get the stop
// timeout), and returns the failures.
func (m *Manager) rollback(ctx context.Context, g *graph, started []int32) []error {
	if len(started) == 0 {
		return nil
	}
	in := make([]bool, len(g.ents))
	queue := slices.Clone(started)
	for _, i := range queue {
		in[i] = true
	}
	for k := 0; k < len(queue); k++ {
		for _, j := range g.rdeps[g.rOff[queue[k]]:g.rOff[queue[k]+1]] {
			if !in[j] && g.ents[j].state == StateStarted {
				in[j] = true
				queue = append(queue, j)
			}
		}
	}
	order := g.tolerantOrder(func(i int32) bool { return in[i] && g.ents[i].state == StateStarted })
	return m.stopNodes(context.WithoutCancel(ctx), g, order)
}

// hookOutcome is what running a plugin's hooks came to.
type hookOutcome struct {
	kind  hookKind      // the hook that failed, or the last that ran
	cause error         // nil: success
	took  time.Duration // how long the hooks ran
	class error         // for a refusal (not a hook failure): its class
}

// startHooks runs OnInit (if it never succeeded) and OnStart of node i. It
// may run on a worker goroutine: it touches only i's own entry.
func (m *Manager) startHooks(ctx context.Context, g *graph, i int32) hookOutcome {
	e := g.ents[i]
	begin := time.Now()
	if b := m.busyAround(g, i, false); b != nil {
		return hookOutcome{kind: hookStart, cause: b, class: kernel.ErrPluginStart}
	}
	if !e.initialized {
		if cause := m.runHook(ctx, e, hookInit); cause != nil {
			return hookOutcome{kind: hookInit, cause: cause, took: time.Since(begin)}
		}
		e.initialized = true
	}
	cause := m.runHook(ctx, e, hookStart)
	return hookOutcome{kind: hookStart, cause: cause, took: time.Since(begin)}
}

// settleStart records the outcome of startHooks.
func (m *Manager) settleStart(e *entry, o hookOutcome) error {
	if o.cause == nil {
		m.setStateTook(e, StateStarted, "", nil, o.took)
		return nil
	}
	err := hookError(kernel.ErrPluginStart, e.def.id, "start", o.kind, o.cause)
	m.setStateTook(e, StateFailed, o.cause.Error(), err, o.took)
	return err
}

// stopHook runs OnStop of node i if it is STARTED. It may run on a worker
// goroutine: it touches only i's own entry.
func (m *Manager) stopHook(ctx context.Context, g *graph, i int32) hookOutcome {
	e := g.ents[i]
	if e.state != StateStarted {
		return hookOutcome{kind: -1}
	}
	if b := m.busyAround(g, i, true); b != nil {
		return hookOutcome{kind: hookStop, cause: b, class: kernel.ErrPluginState}
	}
	begin := time.Now()
	cause := m.runHook(ctx, e, hookStop)
	return hookOutcome{kind: hookStop, cause: cause, took: time.Since(begin)}
}

// settleStop records the outcome of stopHook.
func (m *Manager) settleStop(e *entry, o hookOutcome) error {
	switch {
	case o.kind < 0:
		return nil
	case o.class != nil: // not stopped yet: a dependent's hook still runs
		m.mu.Lock()
		e.owedStop = true
		m.mu.Unlock()
		return &kernel.PluginError{Class: o.class, PluginID: e.def.id, Op: "stop",
			Msg: fmt.Sprintf("plugin %q is not stopped yet: %v; it is stopped when that hook returns", e.def.id, o.cause)}
	case o.cause == nil:
		m.setStateTook(e, StateStopped, "", nil, o.took)
		return nil
	}
	err := hookError(kernel.ErrPluginStop, e.def.id, "stop", hookStop, o.cause)
	m.setStateTook(e, StateFailed, o.cause.Error(), err, o.took)
	return err
}

// stopOne runs OnStop of a STARTED plugin; others are left alone.
func (m *Manager) stopOne(ctx context.Context, g *graph, e *entry) error {
	i, ok := g.idx[e.def.id]
	if !ok || g.ents[i] != e {
		return nil
	}
	return m.settleStop(e, m.stopHook(ctx, g, i))
}

// runHook runs one hook of e with its deadline and returns the cause of a
// failure (the hook's own error, a *panicError, a *timeoutError ...), or nil.
//
// The hook runs on its own goroutine so that its deadline holds even when it
// ignores its context: runHook returns at the deadline (plus abandonGrace)
// and the hook is abandoned. Until an abandoned hook returns, e is busy: no other hook of e
// runs (runHook returns a *busyError instead), nor a start hook of a plugin
// depending on e or a stop hook of a plugin e depends on (see busyAround).
// When it returns, settleLate makes up for it (an OnStart that succeeded late
// gets its OnStop).
//
// A start hook is not called once ctx has ended. A stop or unload hook is:
// it gets the ended context and is waited for at most the stop timeout, so
// that a plugin is never dropped without its stop.
func (m *Manager) runHook(ctx context.Context, e *entry, k hookKind) error {
	fn := e.hooks[k]
	if fn == nil {
		if e.unbound && e.def.hooks[k] != nil {
			return fmt.Errorf("%s hook takes parameters from the fx graph (%s) but the manager is not wired into an fx app: use gofly.New, Manager.Module or plugins.Module", k, typeList(e.def.hooks[k].params))
		}
		return nil
	}
	stopping := k == hookStop || k == hookUnload
	ended := ctx.Err() != nil
	if ended && !stopping {
		return &cancelledError{hook: k, err: context.Cause(ctx)}
	}
	m.mu.Lock()
	if b := e.busy; b != nil {
		m.mu.Unlock()
		return &busyError{plugin: e.def.id, hook: b.kind, self: true}
	}
	run := &hookRun{kind: k, done: make(chan struct{})}
	e.busy = run
	m.nBusy.Add(1)
	m.mu.Unlock()

	timeout := m.conf.settings.StartTimeout
	if stopping {
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
	go m.callHook(hctx, e, run, fn)
	if ended { // the caller's budget is spent: wait at most the hook's own deadline
		var expired <-chan time.Time
		if timeout > 0 {
			t := time.NewTimer(timeout)
			defer t.Stop()
			expired = t.C
		}
		select {
		case <-run.done:
		case <-expired:
		}
	} else {
		select {
		case <-run.done:
		case <-hctx.Done():
			// A hook that honours its context returns right after it ends:
			// give it a moment before abandoning it.
			t := time.NewTimer(abandonGrace)
			select {
			case <-run.done:
			case <-t.C:
			}
			t.Stop()
		}
	}
	m.mu.Lock()
	finished := run.finished
	if !finished {
		run.abandoned = true
	}
	m.mu.Unlock()
	var err error
	if finished {
		err = run.err
		if err == nil {
			return nil
		}
		if hctx.Err() == nil {
			return err
		}
		// It failed as its context ended: report why the context ended.
	}
	if ctx.Err() != nil {
		return &cancelledError{hook: k, err: context.Cause(ctx), hookErr: err, abandoned: !finished, ended: ended}
	}
	return &timeoutError{hook: k, after: timeout, hookErr: err, abandoned: !finished}
}

// abandonGrace is how long runHook still waits for a hook after its context
// ended before abandoning it: one that honours its context returns within it.
const abandonGrace = 100 * time.Millisecond

// hookRun is one call of a hook; its fields are guarded by Manager.mu.
type hookRun struct {
	kind      hookKind
	done      chan struct{} // closed when the hook has returned
	err       error         // what it returned (or a *panicError)
	finished  bool          // it has returned
	abandoned bool          // runHook stopped waiting for it
}

// callHook calls fn on its own goroutine and records what it returned.
func (m *Manager) callHook(ctx context.Context, e *entry, run *hookRun, fn hookFunc) {
	err := protect(ctx, run.kind, fn)
	m.mu.Lock()
	run.err, run.finished = err, true
	abandoned := run.abandoned
	if !abandoned {
		e.busy = nil
		m.nBusy.Add(-1)
	}
	m.mu.Unlock()
	close(run.done)
	if abandoned {
		m.settleLate(e, run)
	}
}

// protect calls fn, turning a panic into a *panicError.
func protect(ctx context.Context, k hookKind, fn hookFunc) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = newPanicError(k, v)
		}
	}()
	return fn(ctx)
}

// settleLate makes up for a hook that returned after runHook gave up on it:
// an OnInit that succeeded counts (OnUnload will run), an OnStart that
// succeeded gets its OnStop now (the plugin stays FAILED), and the stops
// that waited for this hook run. It takes the operation lock, so it runs
// between operations.
func (m *Manager) settleLate(e *entry, run *hookRun) {
	m.opMu.Lock()
	defer m.opMu.Unlock()
	if run.err == nil && run.kind == hookInit {
		e.initialized = true
	}
	m.mu.Lock()
	e.busy = nil
	m.nBusy.Add(-1)
	gone := e.gone
	m.mu.Unlock()
	ctx := context.WithValue(context.Background(), hookCtxKey{}, m)
	if run.err == nil && run.kind == hookStart && !gone {
		_ = m.runHook(ctx, e, hookStop) // its outcome leaves the plugin FAILED either way
	}
	g, _ := m.resolved()
	order := g.tolerantOrder(func(i int32) bool { return g.ents[i].owedStop && g.ents[i].state == StateStarted })
	if len(order) > 0 {
		_ = m.stopNodes(ctx, g, order) // a stop still blocked stays owed
	}
}

// busyAround returns, when a hook that outlived its deadline still runs on
// node i or, for a start, on one of its dependencies (transitively), or, for
// a stop, on one of its dependents (transitively), the error saying so; nil
// otherwise. It costs nothing while no hook is abandoned.
func (m *Manager) busyAround(g *graph, i int32, stop bool) error {
	if m.nBusy.Load() == 0 {
		return nil
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	if b := g.ents[i].busy; b != nil {
		return &busyError{plugin: g.ents[i].def.id, hook: b.kind, self: true}
	}
	seen := map[int32]bool{i: true}
	queue := []int32{i}
	for k := 0; k < len(queue); k++ {
		cur := queue[k]
		next := g.deps[g.depOff[cur]:g.depOff[cur+1]]
		if stop {
			next = g.rdeps[g.rOff[cur]:g.rOff[cur+1]]
		}
		for _, j := range next {
			if seen[j] {
				continue
			}
			seen[j] = true
			if b := g.ents[j].busy; b != nil {
				return &busyError{plugin: g.ents[j].def.id, hook: b.kind}
			}
			queue = append(queue, j)
		}
	}
	return nil
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
	at    string // file:line of the panic
	stack string // the panicking goroutine's frames, innermost first
}

func newPanicError(k hookKind, v any) *panicError {
	pcs := make([]uintptr, 64)
	n := runtime.Callers(3, pcs) // skip runtime.Callers, newPanicError, the deferred func
	frames := runtime.CallersFrames(pcs[:n])
	var b strings.Builder
	at := ""
	inRuntime := true // the first frames are the runtime's panic machinery
	for {
		f, more := frames.Next()
		if inRuntime && !strings.HasPrefix(f.Function, "runtime.") {
			inRuntime = false
			at = fmt.Sprintf("%s:%d", f.File, f.Line)
		}
		if !inRuntime {
			fmt.Fprintf(&b, "%s\n\t%s:%d\n", f.Function, f.File, f.Line)
		}
		if !more {
			break
		}
	}
	return &panicError{hook: k, value: v, at: at, stack: b.String()}
}

func (e *panicError) Error() string {
	if e.at == "" {
		return fmt.Sprintf("%s hook panicked: %v", e.hook, e.value)
	}
	return fmt.Sprintf("%s hook panicked: %v (at %s)", e.hook, e.value, e.at)
}

// Stack returns the frames of the panicking goroutine, innermost first,
// each as "function\n\tfile:line"; gofly logs it at debug level.
func (e *panicError) Stack() string { return e.stack }

// Format prints the message; with %+v, also the stack.
func (e *panicError) Format(f fmt.State, verb rune) {
	_, _ = io.WriteString(f, e.Error())
	if verb == 'v' && f.Flag('+') {
		_, _ = io.WriteString(f, "\n"+e.stack)
	}
}

// Unwrap returns the panic value when it is an error.
func (e *panicError) Unwrap() error {
	err, _ := e.value.(error)
	return err
}

// timeoutError is the cause of a failure when a hook passed its deadline.
type timeoutError struct {
	hook      hookKind
	after     time.Duration
	hookErr   error // what the hook returned, if it returned
	abandoned bool  // it had not returned
}

func (e *timeoutError) Error() string {
	s := fmt.Sprintf("%s hook timed out after %s (raise plugins.start-timeout or plugins.stop-timeout, or make the hook faster)", e.hook, e.after)
	if e.abandoned {
		s += "; it ignored its context and still runs: the plugin's next hook waits until it returns"
	}
	return s
}

// Unwrap returns context.DeadlineExceeded and the hook's own error, if any.
func (e *timeoutError) Unwrap() []error { return causes(context.DeadlineExceeded, e.hookErr) }

// cancelledError is the cause of a failure when the caller's context ended.
type cancelledError struct {
	hook      hookKind
	err       error
	hookErr   error
	abandoned bool // it had not returned
	ended     bool // the context had ended before the hook was called (a stop out of budget)
}

func (e *cancelledError) Error() string {
	var s string
	if e.ended {
		s = fmt.Sprintf("%s hook ran out of time: the stop budget was spent before it was called (%v)", e.hook, e.err)
	} else {
		s = fmt.Sprintf("%s hook not completed: the caller's context ended: %v", e.hook, e.err)
	}
	if e.abandoned {
		s += "; it still runs: the plugin's next hook waits until it returns"
	}
	return s
}

// Unwrap returns the context's error and the hook's own error, if any.
func (e *cancelledError) Unwrap() []error { return causes(e.err, e.hookErr) }

// busyError is the cause of a refusal: a hook that outlived its deadline
// still runs on the plugin or on one it depends on (or, for a stop, on one
// depending on it).
type busyError struct {
	plugin string
	hook   hookKind
	self   bool
}

func (e *busyError) Error() string {
	if e.self {
		return fmt.Sprintf("its %s hook from an earlier call still runs after its deadline; try again once it returns", e.hook)
	}
	return fmt.Sprintf("the %s hook of plugin %q still runs after its deadline", e.hook, e.plugin)
}

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
