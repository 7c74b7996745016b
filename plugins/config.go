package plugins

import (
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"go.uber.org/fx"

	"github.com/gofly-framework/gofly/kernel"
)

// FailurePolicy says what StartAll does when a plugin fails to start.
type FailurePolicy string

const (
	// FailFast (the default): stop at the first failure, roll back what the
	// call started, and return the error.
	FailFast FailurePolicy = "fail-fast"
	// Continue: mark the plugin and the plugins that require it FAILED with
	// their reasons, start the others, and return nil (PF4J's recovery
	// strategy, plux's propagate flag set to false).
	Continue FailurePolicy = "continue"
)

// Default hook timeouts: fx's default start and stop budgets.
const (
	defaultStartTimeout = 15 * time.Second
	defaultStopTimeout  = 15 * time.Second
)

// Settings is the plugins section of the configuration (key "plugins"),
// bound strictly: an unknown key under plugins is an error.
//
//	plugins:
//	  enabled: true              # read by the auto-configuration, not by the Manager
//	  include: ["core-*", "web"] # ids (path.Match globs); when set, a plugin must match one
//	  exclude: ["legacy-*"]      # a plugin matching one is disabled
//	  tags:
//	    include: [stable]        # when set, a plugin must have a tag matching one
//	    exclude: [experimental]  # a plugin with a tag matching one is disabled
//	  start-timeout: 15s         # deadline of each OnInit and OnStart hook (0: none)
//	  stop-timeout: 15s          # deadline of each OnStop and OnUnload hook (0: none)
//	  failure-policy: fail-fast  # or continue
//	  parallelism: 1             # most hooks in flight at once; 1: one at a time, 0: no limit
//	  config:                    # per-plugin configuration, see BindConfig
//	    greeter: { greeting: hello }
type Settings struct {
	Enabled bool     `koanf:"enabled"`
	Include []string `koanf:"include"`
	Exclude []string `koanf:"exclude"`
	Tags    struct {
		// Include: when set, a plugin must have a tag matching one (path.Match globs).
		Include []string `koanf:"include"`
		// Exclude: a plugin with a tag matching one is disabled.
		Exclude []string `koanf:"exclude"`
	} `koanf:"tags"`
	StartTimeout  time.Duration `koanf:"start-timeout" default:"15s"`
	StopTimeout   time.Duration `koanf:"stop-timeout" default:"15s"`
	FailurePolicy FailurePolicy `koanf:"failure-policy" default:"fail-fast"`
	// Parallelism is the most hooks the manager runs at once: 1 (the
	// default) runs them one at a time in dependency order; n > 1 or 0 (no
	// limit) runs independent plugins' hooks concurrently, each after its
	// dependencies (stops: after its dependents). See docs/lifecycle.md.
	Parallelism int            `koanf:"parallelism" default:"1"`
	Config      map[string]any `koanf:"config"`
}

// DefaultSettings returns the settings a Manager uses when given none: no
// filter, 15s timeouts, fail-fast, parallelism 1. Start from it when building
// Settings by hand: the zero Settings means no deadlines and no limit on
// parallelism.
func DefaultSettings() Settings {
	return Settings{StartTimeout: defaultStartTimeout, StopTimeout: defaultStopTimeout, FailurePolicy: FailFast, Parallelism: 1}
}

// LoadSettings binds the "plugins" section of cfg strictly into Settings
// (defaults for what is absent; a nil cfg gives the defaults) and validates
// it. Errors are *kernel.ConfigError ([kernel.ErrConfig]) naming the key, the
// value and its source.
func LoadSettings(cfg *kernel.Config) (Settings, error) {
	if cfg == nil {
		return DefaultSettings(), nil
	}
	s, err := kernel.Bind[Settings](cfg, "plugins")
	if err != nil {
		return Settings{}, err
	}
	if err := s.validate(); err != nil {
		var ce *kernel.ConfigError
		if errors.As(err, &ce) && ce.Source == "" {
			ce.Source = cfg.Source(ce.Key)
		}
		return Settings{}, err
	}
	return s, nil
}

// validate checks the globs, the timeouts and the policy.
func (s Settings) validate() error {
	lists := []struct {
		key  string
		pats []string
	}{
		{"plugins.include", s.Include}, {"plugins.exclude", s.Exclude},
		{"plugins.tags.include", s.Tags.Include}, {"plugins.tags.exclude", s.Tags.Exclude},
	}
	for _, l := range lists {
		for _, p := range l.pats {
			if _, err := path.Match(p, ""); err != nil || p == "" {
				return &kernel.ConfigError{Key: l.key, Value: p,
					Msg: fmt.Sprintf("config key %q: %q is not a valid glob pattern (see path.Match: * ? [a-z] \\)", l.key, p)}
			}
		}
	}
	if s.StartTimeout < 0 {
		return &kernel.ConfigError{Key: "plugins.start-timeout", Value: s.StartTimeout.String(),
			Msg: "config key \"plugins.start-timeout\" is negative; use a duration such as 15s, or 0 for no deadline"}
	}
	if s.StopTimeout < 0 {
		return &kernel.ConfigError{Key: "plugins.stop-timeout", Value: s.StopTimeout.String(),
			Msg: "config key \"plugins.stop-timeout\" is negative; use a duration such as 15s, or 0 for no deadline"}
	}
	if s.Parallelism < 0 {
		return &kernel.ConfigError{Key: "plugins.parallelism", Value: fmt.Sprint(s.Parallelism),
			Msg: fmt.Sprintf("config key \"plugins.parallelism\" is %d; use 1 (one hook at a time, the default), n > 1 (at most n at once) or 0 (no limit)", s.Parallelism)}
	}
	switch s.FailurePolicy {
	case FailFast, Continue:
	default:
		return &kernel.ConfigError{Key: "plugins.failure-policy", Value: string(s.FailurePolicy),
			Msg: fmt.Sprintf("config key \"plugins.failure-policy\" is %q; use %q or %q", s.FailurePolicy, FailFast, Continue)}
	}
	return nil
}

// configKey returns the configuration key of plugin id's own subtree:
// "plugins.config.<id>".
func configKey(id string) string { return "plugins.config." + id }

// BindConfig binds plugin id's configuration subtree (plugins.config.<id>)
// strictly into a new T, with T's `default:"..."` tags applied first (see
// [kernel.Bind]; an absent subtree gives the defaults; a nil cfg too). Use it
// in a hook, taking *kernel.Config from the fx graph, or when building the
// plugin:
//
//	type GreeterConfig struct {
//		Greeting string `koanf:"greeting" default:"hello"`
//	}
//	plugins.OnStart(func(ctx context.Context, cfg *kernel.Config) error {
//		c, err := plugins.BindConfig[GreeterConfig](cfg, "greeter")
//		...
//	})
//
// Errors are *kernel.ConfigError naming the full key (an unknown key, a value
// of the wrong type ...).
func BindConfig[T any](cfg *kernel.Config, id string) (T, error) {
	if msg := validateID(id); msg != "" {
		var zero T
		return zero, &kernel.ConfigError{Key: configKey(id), Msg: "binding plugin configuration: " + msg}
	}
	if cfg == nil {
		cfg = kernel.EmptyConfig()
	}
	return kernel.Bind[T](cfg, configKey(id))
}

// ---- manager options ----

// ManagerOption configures a [Manager]: pass it to [NewManager], or, as it
// is an fx option too, to gofly.New or an fx app with [Module], where it
// applies after the settings read from the configuration (so it wins over
// them; several apply in the order they were created). Options print
// themselves; only this package implements ManagerOption.
type ManagerOption interface {
	fx.Option
	applyManager(m *Manager)
}

type managerConfig struct {
	settings    Settings
	settingsErr error
	cfg         *kernel.Config
}

func defaultManagerConfig() managerConfig { return managerConfig{settings: DefaultSettings()} }

type managerOption struct {
	fxOption // its fx form: a member of the group Module reads
	seq      uint64
	desc     string
	fn       func(m *Manager)
}

func newManagerOption(desc string, fn func(m *Manager)) *managerOption {
	o := &managerOption{seq: seq.Add(1), desc: desc, fn: fn}
	o.fxOption = fx.Provide(func() optionOut { return optionOut{O: o} })
	return o
}

func (o *managerOption) applyManager(m *Manager) { o.fn(m) }
func (o *managerOption) String() string          { return o.desc }

// WithSettings replaces the manager's settings (filters, timeouts, failure
// policy), typically with those from [LoadSettings]. Invalid settings make
// every Add fail with [kernel.ErrConfig].
func WithSettings(s Settings) ManagerOption {
	return newManagerOption("plugins.WithSettings(...)", func(m *Manager) { m.conf.settings = s })
}

// WithParallelism sets the most hooks the manager runs at once (the
// plugins.parallelism setting): 1 runs them one at a time, n > 1 at most n,
// 0 without limit; independent plugins start concurrently, each after its
// dependencies. A negative n makes every Add fail with [kernel.ErrConfig].
func WithParallelism(n int) ManagerOption {
	return newManagerOption(fmt.Sprintf("plugins.WithParallelism(%d)", n), func(m *Manager) { m.conf.settings.Parallelism = n })
}

// WithConfig gives the manager the application configuration, which plugin
// conditions ([When]) and per-plugin configuration ([BindConfig]) read. It
// does not change the settings: use [WithSettings] with [LoadSettings] for
// that.
func WithConfig(cfg *kernel.Config) ManagerOption {
	return newManagerOption("plugins.WithConfig(...)", func(m *Manager) { m.conf.cfg = cfg })
}

// WithListener registers l from the start, so it is told of every state
// change, including those of the first Add (plux's lifecycle listener, PF4J's
// state listener). [Manager.AddListener] registers one later.
//
// Listeners are called synchronously, one at a time, in registration order and
// in the order of the changes, on the goroutine of the operation that made the
// change, while that operation holds the manager's operation lock (but not the
// lock guarding descriptors). So a listener may read the manager (Plugin,
// Plugins, Order, Decisions) but must not call an operation (Add, Remove,
// StartPlugin, StopPlugin, StartAll, StopAll, UnloadAll): that would
// deadlock. Hand such work to another goroutine. A listener that panics is
// recovered and does not disturb the manager or the other listeners; a slow
// listener slows the manager.
func WithListener(l func(StateChange)) ManagerOption {
	return newManagerOption("plugins.WithListener("+funcName(l)+")", func(m *Manager) {
		if l != nil {
			m.nextL++
			m.listeners = append(m.listeners, listenerSlot{id: m.nextL, fn: l})
		}
	})
}

// ---- filter decisions ----

// Decision records why a plugin is enabled or disabled: the outcome of the
// filters and conditions evaluated when it was added (and of the disabling of
// a dependency later). The auto-configuration's condition report prints them.
type Decision struct {
	// Plugin is the plugin's id.
	Plugin string
	// Enabled is false for a DISABLED plugin.
	Enabled bool
	// Reason is, for a disabled plugin, the check that disabled it; for an
	// enabled one, the checks that passed joined with "; " ("no filter or
	// condition applies" when none was made).
	Reason string
	// Reasons lists every check made, in order (filters, then conditions,
	// then dependencies); evaluation stops at the first that fails.
	Reasons []string
}

// String renders the decision as "id: enabled (reason)" or "id: disabled (reason)".
func (d Decision) String() string {
	state := "disabled"
	if d.Enabled {
		state = "enabled"
	}
	return fmt.Sprintf("%s: %s (%s)", d.Plugin, state, d.Reason)
}

// Decisions returns the filter decision of every plugin in the manager,
// sorted by plugin id.
func (m *Manager) Decisions() []Decision {
	m.mu.RLock()
	out := make([]Decision, 0, len(m.ents)-m.nGone)
	for _, e := range m.ents {
		if e.gone {
			continue
		}
		d := e.decision
		d.Reasons = slices.Clone(d.Reasons)
		out = append(out, d)
	}
	m.mu.RUnlock()
	slices.SortFunc(out, func(a, b Decision) int { return strings.Compare(a.Plugin, b.Plugin) })
	return out
}

// decide evaluates the filters (every one that is set must pass, as in
// opa-stack), then the plugin's conditions, then whether a required
// dependency is already DISABLED. A condition that panics is a load error.
func (m *Manager) decide(p *Plugin) (Decision, error) {
	s := &m.conf.settings
	d := Decision{Plugin: p.id, Enabled: true}
	pass := func(r string) { d.Reasons = append(d.Reasons, r) }
	fail := func(r string) (Decision, error) {
		d.Reasons = append(d.Reasons, r)
		d.Enabled, d.Reason = false, r
		return d, nil
	}
	if len(s.Include) > 0 {
		pat, ok := matchAny(s.Include, p.id)
		if !ok {
			return fail(fmt.Sprintf("id %q matches none of plugins.include [%s]", p.id, quoteList(s.Include)))
		}
		pass(fmt.Sprintf("id %q matches plugins.include %q", p.id, pat))
	}
	if len(s.Exclude) > 0 {
		if pat, ok := matchAny(s.Exclude, p.id); ok {
			return fail(fmt.Sprintf("id %q matches plugins.exclude %q", p.id, pat))
		}
		pass(fmt.Sprintf("id %q matches no plugins.exclude pattern", p.id))
	}
	if len(s.Tags.Include) > 0 {
		tag, pat, ok := matchTags(s.Tags.Include, p.tags)
		if !ok {
			return fail(fmt.Sprintf("no tag of [%s] matches plugins.tags.include [%s]", quoteList(p.tags), quoteList(s.Tags.Include)))
		}
		pass(fmt.Sprintf("tag %q matches plugins.tags.include %q", tag, pat))
	}
	if len(s.Tags.Exclude) > 0 {
		if tag, pat, ok := matchTags(s.Tags.Exclude, p.tags); ok {
			return fail(fmt.Sprintf("tag %q matches plugins.tags.exclude %q", tag, pat))
		}
		pass("no tag matches plugins.tags.exclude")
	}
	for _, c := range p.conds {
		ok, why, err := m.evalCondition(p, c)
		if err != nil {
			return Decision{}, err
		}
		if why == "" {
			why = c.name
		}
		if !ok {
			return fail("condition not met: " + why)
		}
		pass("condition met: " + why)
	}
	m.mu.RLock()
	for _, dep := range p.deps {
		if o := m.byID[dep.ID]; o != nil && !dep.Optional && o.state == StateDisabled {
			m.mu.RUnlock()
			return fail(fmt.Sprintf("depends on disabled plugin %q", dep.ID))
		}
	}
	m.mu.RUnlock()
	if len(d.Reasons) == 0 {
		d.Reason = "no filter or condition applies"
	} else {
		d.Reason = strings.Join(d.Reasons, "; ")
	}
	return d, nil
}

func (m *Manager) evalCondition(p *Plugin, c condition) (ok bool, why string, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &kernel.PluginError{Class: kernel.ErrPluginLoad, PluginID: p.id, Op: "add",
				Msg: fmt.Sprintf("plugin %q: condition %s panicked: %v; fix the condition", p.id, c.name, v)}
		}
	}()
	ok, why = c.fn(m.conf.cfg)
	return ok, why, nil
}

func matchAny(patterns []string, s string) (string, bool) {
	for _, p := range patterns {
		if ok, _ := path.Match(p, s); ok {
			return p, true
		}
	}
	return "", false
}

func matchTags(patterns, tags []string) (tag, pattern string, ok bool) {
	for _, t := range tags {
		if p, ok := matchAny(patterns, t); ok {
			return t, p, true
		}
	}
	return "", "", false
}
