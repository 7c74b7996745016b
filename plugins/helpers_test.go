package plugins_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gofly-framework/gofly/extension"
	"github.com/gofly-framework/gofly/plugins"
)

// Greeter is the type of the extension points of the tests.
type Greeter interface{ Greet() string }

// Stringer is another point type (fmt.Stringer-like, distinct from Greeter).
type Stringer interface{ String() string }

type greeter string

func (g greeter) Greet() string { return string(g) }

type onlyStringer string

func (s onlyStringer) String() string { return string(s) }

// recorder records hook calls in order; it is safe for concurrent use.
type recorder struct {
	mu    sync.Mutex
	calls []string
}

func (r *recorder) add(s string) {
	r.mu.Lock()
	r.calls = append(r.calls, s)
	r.mu.Unlock()
}

// take returns the calls recorded since the last take.
func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.calls
	r.calls = nil
	return c
}

func (r *recorder) count(s string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, c := range r.calls {
		if c == s {
			n++
		}
	}
	return n
}

// hook returns a hook recording name.
func (r *recorder) hook(name string) func(context.Context) error {
	return func(context.Context) error { r.add(name); return nil }
}

// failing returns a hook recording name and returning err.
func (r *recorder) failing(name string, err error) func(context.Context) error {
	return func(context.Context) error { r.add(name); return err }
}

// hooks returns the four hooks of plugin id, recording "init:id" ...
func (r *recorder) hooks(id string) []plugins.Option {
	return []plugins.Option{
		plugins.OnInit(r.hook("init:" + id)),
		plugins.OnStart(r.hook("start:" + id)),
		plugins.OnStop(r.hook("stop:" + id)),
		plugins.OnUnload(r.hook("unload:" + id)),
	}
}

// def defines plugin id with recording hooks and extra options.
func (r *recorder) def(id string, opts ...plugins.Option) *plugins.Plugin {
	return plugins.Define(id, append(r.hooks(id), opts...)...)
}

func newManager(t testing.TB, opts ...plugins.ManagerOption) *plugins.Manager {
	t.Helper()
	return plugins.NewManager(extension.NewRegistry(), opts...)
}

func mustAdd(t testing.TB, m *plugins.Manager, ps ...*plugins.Plugin) {
	t.Helper()
	for _, p := range ps {
		require.NoError(t, m.Add(p), "adding %s", p.ID())
	}
}

// states renders the state of every plugin, sorted by id: "a=STARTED b=LOADED".
func states(m *plugins.Manager) string {
	var parts []string
	for _, d := range m.Plugins() {
		parts = append(parts, fmt.Sprintf("%s=%s", d.ID, d.State))
	}
	return strings.Join(parts, " ")
}

func state(t testing.TB, m *plugins.Manager, id string) plugins.State {
	t.Helper()
	d, ok := m.Plugin(id)
	require.True(t, ok, "plugin %q not found", id)
	return d.State
}

// events records state changes as "id:OLD>NEW".
type events struct {
	mu  sync.Mutex
	all []plugins.StateChange
}

func (e *events) listen(ch plugins.StateChange) {
	e.mu.Lock()
	e.all = append(e.all, ch)
	e.mu.Unlock()
}

func (e *events) strings() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]string, len(e.all))
	for i, ch := range e.all {
		out[i] = fmt.Sprintf("%s:%s>%s", ch.Plugin, ch.Old, ch.New)
	}
	return out
}

func (e *events) reset() {
	e.mu.Lock()
	e.all = nil
	e.mu.Unlock()
}

// settings returns a manager option with the default settings changed by each
// of mods, in order.
func settings(mods ...func(*plugins.Settings)) plugins.ManagerOption {
	s := plugins.DefaultSettings()
	for _, m := range mods {
		m(&s)
	}
	return plugins.WithSettings(s)
}

func include(p ...string) func(*plugins.Settings) { return func(s *plugins.Settings) { s.Include = p } }
func exclude(p ...string) func(*plugins.Settings) { return func(s *plugins.Settings) { s.Exclude = p } }
func includeTags(p ...string) func(*plugins.Settings) {
	return func(s *plugins.Settings) { s.Tags.Include = p }
}
func excludeTags(p ...string) func(*plugins.Settings) {
	return func(s *plugins.Settings) { s.Tags.Exclude = p }
}
func startTimeout(d time.Duration) func(*plugins.Settings) {
	return func(s *plugins.Settings) { s.StartTimeout = d }
}
func stopTimeout(d time.Duration) func(*plugins.Settings) {
	return func(s *plugins.Settings) { s.StopTimeout = d }
}
func policy(p plugins.FailurePolicy) func(*plugins.Settings) {
	return func(s *plugins.Settings) { s.FailurePolicy = p }
}
