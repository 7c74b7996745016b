package plugins_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gofly-framework/gofly/extension"
	"github.com/gofly-framework/gofly/kernel"
	"github.com/gofly-framework/gofly/plugins"
)

func loadYAML(t testing.TB, yaml string) *kernel.Config {
	t.Helper()
	cfg, err := kernel.LoadConfig(kernel.WithYAML("application.yaml", []byte(yaml)), kernel.WithEnviron(nil))
	require.NoError(t, err)
	return cfg
}

func TestFilters(t *testing.T) {
	defs := func() []*plugins.Plugin {
		return []*plugins.Plugin{
			plugins.Define("core-web", plugins.Tags("web", "stable")),
			plugins.Define("core-db", plugins.Tags("db", "stable")),
			plugins.Define("legacy-auth", plugins.Tags("auth")),
			plugins.Define("lab", plugins.Tags("experimental", "web")),
			plugins.Define("untagged"),
		}
	}
	tests := []struct {
		desc    string
		opts    []plugins.ManagerOption
		enabled string // ids left enabled, sorted
		reasons map[string]string
	}{
		{
			desc:    "no filter",
			enabled: "core-db core-web lab legacy-auth untagged",
			reasons: map[string]string{"untagged": "no filter or condition applies"},
		},
		{
			desc:    "include by glob",
			opts:    []plugins.ManagerOption{settings(include("core-*", "lab"))},
			enabled: "core-db core-web lab",
			reasons: map[string]string{
				"untagged": `id "untagged" matches none of plugins.include ["core-*", "lab"]`,
				"core-db":  `id "core-db" matches plugins.include "core-*"`,
			},
		},
		{
			desc:    "exclude by glob",
			opts:    []plugins.ManagerOption{settings(exclude("legacy-*"))},
			enabled: "core-db core-web lab untagged",
			reasons: map[string]string{"legacy-auth": `id "legacy-auth" matches plugins.exclude "legacy-*"`},
		},
		{
			desc:    "include tags",
			opts:    []plugins.ManagerOption{settings(includeTags("stable", "a*"))},
			enabled: "core-db core-web legacy-auth",
			reasons: map[string]string{
				"lab":         `no tag of ["experimental", "web"] matches plugins.tags.include ["stable", "a*"]`,
				"untagged":    `no tag of [] matches plugins.tags.include ["stable", "a*"]`,
				"legacy-auth": `tag "auth" matches plugins.tags.include "a*"`,
			},
		},
		{
			desc:    "exclude tags",
			opts:    []plugins.ManagerOption{settings(excludeTags("experimental"))},
			enabled: "core-db core-web legacy-auth untagged",
			reasons: map[string]string{"lab": `tag "experimental" matches plugins.tags.exclude "experimental"`},
		},
		{
			desc:    "every filter set must pass",
			opts:    []plugins.ManagerOption{settings(include("core-*", "lab"), exclude("core-db"), includeTags("web"), excludeTags("experimental"))},
			enabled: "core-web",
			reasons: map[string]string{
				"core-web": `id "core-web" matches plugins.include "core-*"; id "core-web" matches no plugins.exclude pattern; tag "web" matches plugins.tags.include "web"; no tag matches plugins.tags.exclude`,
				"core-db":  `id "core-db" matches plugins.exclude "core-db"`,
				"lab":      `tag "experimental" matches plugins.tags.exclude "experimental"`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			m := newManager(t, tt.opts...)
			mustAdd(t, m, defs()...)
			var enabled []string
			for _, d := range m.Plugins() {
				if d.State != plugins.StateDisabled {
					enabled = append(enabled, d.ID)
					assert.Empty(t, d.FailedReason)
				}
			}
			assert.Equal(t, tt.enabled, strings.Join(enabled, " "))
			decisions := map[string]plugins.Decision{}
			for _, d := range m.Decisions() {
				decisions[d.Plugin] = d
			}
			for id, reason := range tt.reasons {
				assert.Equal(t, reason, decisions[id].Reason, id)
				d, _ := m.Plugin(id)
				if d.State == plugins.StateDisabled {
					assert.Equal(t, reason, d.FailedReason, "a DISABLED plugin carries its reason")
				}
			}
		})
	}
}

func TestDecisionsAreSortedAndPrintable(t *testing.T) {
	m := newManager(t, settings(exclude("b")))
	mustAdd(t, m, plugins.Define("c"), plugins.Define("b"), plugins.Define("a"))
	ds := m.Decisions()
	require.Len(t, ds, 3)
	assert.Equal(t, "a: enabled (id \"a\" matches no plugins.exclude pattern)", ds[0].String())
	assert.Equal(t, "b: disabled (id \"b\" matches plugins.exclude \"b\")", ds[1].String())
	assert.Equal(t, []string{`id "c" matches no plugins.exclude pattern`}, ds[2].Reasons)
}

func TestConditions(t *testing.T) {
	cfg := loadYAML(t, "cache:\n  driver: redis\n")
	hasRedis := func(c *kernel.Config) (bool, string) {
		if c.String("cache.driver") == "redis" {
			return true, "cache.driver is redis"
		}
		return false, "cache.driver is not redis"
	}
	never := func(*kernel.Config) (bool, string) { return false, "" }
	var evaluated []string
	m := newManager(t, plugins.WithConfig(cfg))
	mustAdd(t, m,
		plugins.Define("redis", plugins.When(hasRedis)),
		plugins.Define("both", plugins.When(hasRedis), plugins.When(func(*kernel.Config) (bool, string) {
			evaluated = append(evaluated, "second")
			return false, "second says no"
		})),
		plugins.Define("first-fails", plugins.When(never), plugins.When(func(*kernel.Config) (bool, string) {
			evaluated = append(evaluated, "after a failed one")
			return true, ""
		})),
	)
	assert.Equal(t, []string{"second"}, evaluated, "evaluation stops at the first failing condition")
	assert.Equal(t, "both=DISABLED first-fails=DISABLED redis=LOADED", states(m))
	ds := m.Decisions()
	assert.Equal(t, "condition not met: second says no", ds[0].Reason)
	assert.Equal(t, []string{"condition met: cache.driver is redis", "condition not met: second says no"}, ds[0].Reasons)
	assert.Contains(t, ds[1].Reason, "condition not met: github.com/gofly-framework/gofly/plugins_test.TestConditions.func2",
		"a condition giving no reason is named")
	assert.Equal(t, "condition met: cache.driver is redis", ds[2].Reason)

	t.Run("without a config conditions see an empty one", func(t *testing.T) {
		m := newManager(t)
		mustAdd(t, m, plugins.Define("redis", plugins.When(hasRedis)))
		assert.Equal(t, "redis=DISABLED", states(m))
	})
	t.Run("a panicking condition is a load error", func(t *testing.T) {
		m := newManager(t)
		err := m.Add(plugins.Define("p", plugins.When(func(*kernel.Config) (bool, string) { panic("oops") })))
		assert.ErrorIs(t, err, kernel.ErrPluginLoad)
		assert.Contains(t, err.Error(), "panicked: oops")
		assert.Empty(t, m.Plugins())
	})
}

func TestDisabledPluginsAndTheirDependents(t *testing.T) {
	ctx := context.Background()
	for _, order := range []string{"dependency first", "dependents first"} {
		t.Run(order, func(t *testing.T) {
			var rec recorder
			reg := extension.NewRegistry()
			var l events
			m := plugins.NewManager(reg, settings(exclude("off")), plugins.WithListener(l.listen))
			off := rec.def("off", plugins.Declares(greeters), plugins.Extend[Greeter](greeters, greeter("off"), 1))
			deps := []*plugins.Plugin{
				rec.def("child", dep("off"), plugins.Extend[Greeter](greeters, greeter("child"), 1)),
				rec.def("grandchild", dep("child"), plugins.Extend[Stringer](stringers, onlyStringer("gc"), 1)),
				rec.def("soft", opt("off")),
				rec.def("other"),
			}
			if order == "dependency first" {
				mustAdd(t, m, off)
				mustAdd(t, m, deps...)
			} else {
				mustAdd(t, m, deps...)
				assert.Len(t, extension.All(reg, greeters), 1, "child contributes while it is enabled")
				mustAdd(t, m, off)
			}
			assert.Equal(t, "child=DISABLED grandchild=DISABLED off=DISABLED other=LOADED soft=LOADED", states(m))
			reasons := map[string]string{}
			for _, d := range m.Plugins() {
				reasons[d.ID] = d.FailedReason
			}
			assert.Equal(t, `id "off" matches plugins.exclude "off"`, reasons["off"])
			assert.Equal(t, `depends on disabled plugin "off"`, reasons["child"])
			assert.Equal(t, `depends on disabled plugin "child"`, reasons["grandchild"])
			assert.Empty(t, reg.PointIDs(), "disabled plugins contribute nothing")
			assert.Empty(t, reg.Get("greeters"))

			order, err := m.Order()
			require.NoError(t, err)
			assert.ElementsMatch(t, []string{"soft", "other"}, order, "disabled plugins are not ordered")
			require.NoError(t, m.StartAll(ctx))
			assert.ElementsMatch(t, []string{"init:soft", "start:soft", "init:other", "start:other"}, rec.take())
			assert.ErrorIs(t, m.StartPlugin(ctx, "child"), kernel.ErrPluginState)
			require.NoError(t, m.StopAll(ctx))

			for _, ch := range l.all {
				if ch.New == plugins.StateDisabled {
					assert.NotEmpty(t, ch.Reason)
				}
			}
			require.NoError(t, m.UnloadAll(ctx))
			assert.Empty(t, reg.PointIDs())
		})
	}
}

// TestDisablingSkipsRemovedPlugins disables a dependency after some of its
// dependents were removed (before and after the manager compacts its
// entries), one of them added again: only the plugins present are
// disabled, each once.
func TestDisablingSkipsRemovedPlugins(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		desc   string
		remove []string
		readd  []string
		want   []string
		states string
	}{
		{
			desc:   "removed, not compacted yet",
			remove: []string{"c"},
			want:   []string{"off:UNLOADED>DISABLED", "b:LOADED>DISABLED", "d:LOADED>DISABLED"},
			states: "b=DISABLED d=DISABLED e=LOADED off=DISABLED",
		},
		{
			desc:   "compacted, one added again",
			remove: []string{"b", "c", "e"},
			readd:  []string{"b"},
			want:   []string{"off:UNLOADED>DISABLED", "d:LOADED>DISABLED", "b:LOADED>DISABLED"},
			states: "b=DISABLED d=DISABLED off=DISABLED",
		},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			var l events
			m := newManager(t, settings(exclude("off")), plugins.WithListener(l.listen))
			mustAdd(t, m, plugins.Define("b", dep("off")), plugins.Define("c", dep("off")), plugins.Define("d", dep("off")), plugins.Define("e"))
			for _, id := range tt.remove {
				removed, err := m.Remove(ctx, id)
				require.NoError(t, err)
				require.True(t, removed)
			}
			for _, id := range tt.readd {
				mustAdd(t, m, plugins.Define(id, dep("off")))
			}
			l.reset()
			mustAdd(t, m, plugins.Define("off"))
			assert.Equal(t, tt.want, l.strings())
			assert.Equal(t, tt.states, states(m))
		})
	}
}

func TestLoadSettings(t *testing.T) {
	t.Run("defaults", func(t *testing.T) {
		s, err := plugins.LoadSettings(loadYAML(t, "other: 1\n"))
		require.NoError(t, err)
		assert.Equal(t, plugins.DefaultSettings(), s)
		s, err = plugins.LoadSettings(nil)
		require.NoError(t, err)
		assert.Equal(t, plugins.DefaultSettings(), s)
	})
	t.Run("every key", func(t *testing.T) {
		s, err := plugins.LoadSettings(loadYAML(t, `
plugins:
  enabled: true
  include: ["core-*"]
  exclude: [legacy]
  tags: { include: [stable], exclude: [experimental] }
  start-timeout: 2s
  stop-timeout: 500ms
  failure-policy: continue
  parallelism: 4
  config:
    greeter: { greeting: hi }
`))
		require.NoError(t, err)
		want := plugins.Settings{
			Enabled: true, Include: []string{"core-*"}, Exclude: []string{"legacy"},
			StartTimeout: 2 * time.Second, StopTimeout: 500 * time.Millisecond,
			FailurePolicy: plugins.Continue, Parallelism: 4,
			Config: map[string]any{"greeter": map[string]any{"greeting": "hi"}},
		}
		want.Tags.Include, want.Tags.Exclude = []string{"stable"}, []string{"experimental"}
		assert.Equal(t, want, s)
	})
	tests := []struct {
		desc, yaml, key, contains string
	}{
		{"unknown key", "plugins:\n  exclued: [x]\n", "plugins.exclued", ""},
		{"bad duration", "plugins:\n  start-timeout: soon\n", "plugins.start-timeout", ""},
		{"bad glob", "plugins:\n  exclude: [\"[a-\"]\n", "plugins.exclude", "not a valid glob pattern"},
		{"bad tag glob", "plugins:\n  tags: { include: [\"\"] }\n", "plugins.tags.include", "not a valid glob pattern"},
		{"bad policy", "plugins:\n  failure-policy: retry\n", "plugins.failure-policy", `use "fail-fast" or "continue"`},
		{"negative timeout", "plugins:\n  stop-timeout: -1s\n", "plugins.stop-timeout", "is negative"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			_, err := plugins.LoadSettings(loadYAML(t, tt.yaml))
			require.Error(t, err)
			assert.ErrorIs(t, err, kernel.ErrConfig)
			var ce *kernel.ConfigError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, tt.key, ce.Key)
			assert.Contains(t, err.Error(), tt.contains)
			assert.NotEmpty(t, ce.Source, "the source is named")
		})
	}
}

func TestSettingsDriveTheManager(t *testing.T) {
	ctx := context.Background()
	cfg := loadYAML(t, `
plugins:
  exclude: [off]
  start-timeout: 25ms
  failure-policy: continue
`)
	s, err := plugins.LoadSettings(cfg)
	require.NoError(t, err)
	m := newManager(t, plugins.WithSettings(s), plugins.WithConfig(cfg))
	mustAdd(t, m,
		plugins.Define("off"),
		plugins.Define("slow", plugins.OnStart(func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() })),
		plugins.Define("fine", plugins.OnStart(nopHook)),
	)
	require.NoError(t, m.StartAll(ctx), "continue policy")
	assert.Equal(t, "fine=STARTED off=DISABLED slow=FAILED", states(m))
	d, _ := m.Plugin("slow")
	assert.Contains(t, d.FailedReason, "timed out after 25ms")
	require.NoError(t, m.StopAll(ctx))

	t.Run("options given later win", func(t *testing.T) {
		later := s
		later.FailurePolicy, later.Exclude = plugins.FailFast, nil
		m := newManager(t, plugins.WithSettings(s), plugins.WithSettings(later))
		mustAdd(t, m, plugins.Define("off"), plugins.Define("slow", plugins.OnStart(func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() })))
		assert.ErrorIs(t, m.StartAll(ctx), kernel.ErrPluginStart)
		assert.Equal(t, "off=STOPPED slow=FAILED", states(m), "off is enabled, started, and rolled back")
	})
	t.Run("invalid settings fail Add", func(t *testing.T) {
		m := newManager(t, settings(include("[oops")))
		assert.ErrorIs(t, m.Add(plugins.Define("a")), kernel.ErrConfig)
	})
}

type greeterConfig struct {
	Greeting string        `koanf:"greeting" default:"hello"`
	Times    int           `koanf:"times" default:"1"`
	Delay    time.Duration `koanf:"delay"`
}

func TestBindConfig(t *testing.T) {
	tests := []struct {
		desc, yaml, id string
		want           greeterConfig
		err            string
	}{
		{desc: "absent subtree gives defaults", yaml: "x: 1\n", id: "greeter", want: greeterConfig{Greeting: "hello", Times: 1}},
		{desc: "bound", yaml: "plugins:\n  config:\n    greeter: { greeting: hi, times: 3, delay: 1s }\n", id: "greeter", want: greeterConfig{Greeting: "hi", Times: 3, Delay: time.Second}},
		{desc: "dotted id nests", yaml: "plugins:\n  config:\n    acme:\n      greeter: { times: 2 }\n", id: "acme.greeter", want: greeterConfig{Greeting: "hello", Times: 2}},
		{desc: "unknown key is an error", yaml: "plugins:\n  config:\n    greeter: { greetin: hi }\n", id: "greeter", err: "plugins.config.greeter.greetin"},
		{desc: "wrong type", yaml: "plugins:\n  config:\n    greeter: { times: many }\n", id: "greeter", err: "plugins.config.greeter.times"},
		{desc: "invalid id", yaml: "x: 1\n", id: "Bad Id", err: "binding plugin configuration"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			got, err := plugins.BindConfig[greeterConfig](loadYAML(t, tt.yaml), tt.id)
			if tt.err != "" {
				require.Error(t, err)
				assert.ErrorIs(t, err, kernel.ErrConfig)
				assert.Contains(t, err.Error(), tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
	got, err := plugins.BindConfig[greeterConfig](nil, "greeter")
	require.NoError(t, err)
	assert.Equal(t, "hello", got.Greeting)
}

func TestManagerOptionsPrintThemselves(t *testing.T) {
	for _, tt := range []struct {
		o    plugins.ManagerOption
		want string
	}{
		{plugins.WithSettings(plugins.DefaultSettings()), "plugins.WithSettings(...)"},
		{plugins.WithConfig(nil), "plugins.WithConfig(...)"},
	} {
		assert.Equal(t, tt.want, tt.o.String())
	}
}

// TestDisablingCascadesDownALongChain adds the excluded root of a
// 100,000-plugin chain last and checks every dependent's reason. Disabling
// the dependents used to scan every plugin for each one disabled (quadratic);
// BenchmarkDisableCascade measures it per plugin.
func TestDisablingCascadesDownALongChain(t *testing.T) {
	const n = 100_000
	m := newManager(t, settings(exclude("p0")))
	for i := n - 1; i >= 1; i-- {
		mustAdd(t, m, plugins.Define(fmt.Sprintf("p%d", i), dep(fmt.Sprintf("p%d", i-1))))
	}
	mustAdd(t, m, plugins.Define("p0")) // its speed: BenchmarkDisableCascade
	ds := m.Plugins()
	require.Len(t, ds, n)
	for _, d := range ds {
		if d.ID == "p0" {
			assert.Equal(t, `id "p0" matches plugins.exclude "p0"`, d.FailedReason)
			continue
		}
		var i int
		_, err := fmt.Sscanf(d.ID, "p%d", &i)
		require.NoError(t, err)
		require.Equal(t, plugins.StateDisabled, d.State, d.ID)
		require.Equal(t, fmt.Sprintf("depends on disabled plugin %q", fmt.Sprintf("p%d", i-1)), d.FailedReason)
	}
	order, err := m.Order()
	require.NoError(t, err)
	assert.Empty(t, order)
}
