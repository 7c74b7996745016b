package gofly_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/fx"

	"github.com/gofly-framework/gofly"
	"github.com/gofly-framework/gofly/autoconfig"
	"github.com/gofly-framework/gofly/extension"
	"github.com/gofly-framework/gofly/goflytest"
	"github.com/gofly-framework/gofly/internal/status"
	"github.com/gofly-framework/gofly/kernel"
	"github.com/gofly-framework/gofly/plugins"
)

type greeter interface{ Greet() string }

type hello struct{}

func (hello) Greet() string { return "hello" }

var greeters = extension.NewPoint[greeter]("test.greeters")

func TestPluginsAutoConfigEnabled(t *testing.T) {
	for _, tc := range []struct {
		desc string
		yaml string
		env  []string
	}{
		{desc: "yaml boolean", yaml: "plugins:\n  enabled: true\n"},
		{desc: "string in any case", yaml: "plugins:\n  enabled: \"TRUE\"\n"},
		{desc: "environment", env: []string{"GOFLY_PLUGINS_ENABLED=true"}},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			var (
				reg    *extension.Registry
				mgr    *plugins.Manager
				report *autoconfig.Report
				st     *status.Status
				events []string
			)
			app := goflytest.New(t, tc.yaml,
				gofly.Environ(tc.env),
				plugins.New("core",
					plugins.Declares(greeters),
					plugins.OnStart(func(context.Context) error { events = append(events, "core start"); return nil }),
					plugins.OnStop(func(context.Context) error { events = append(events, "core stop"); return nil }),
				),
				plugins.New("hello",
					plugins.DependsOn("core"),
					plugins.Extend(greeters, greeter(hello{}), 10),
					plugins.OnStart(func(context.Context) error { events = append(events, "hello start"); return nil }),
					plugins.OnStop(func(context.Context) error { events = append(events, "hello stop"); return nil }),
				),
				fx.Populate(&reg, &mgr, &report, &st),
			)
			require.Same(t, reg, mgr.Registry(), "the manager holds the app's registry")
			assert.False(t, st.Started())

			app.RequireStart()
			assert.True(t, st.Started())
			d, ok := mgr.Plugin("hello")
			require.True(t, ok)
			assert.Equal(t, plugins.StateStarted, d.State)
			got, err := extension.First(reg, greeters)
			require.NoError(t, err)
			assert.Equal(t, "hello", got.Greet())

			app.RequireStop()
			assert.Equal(t, status.PhaseStopping, st.Phase())
			assert.Equal(t, []string{"core start", "hello start", "hello stop", "core stop"}, events)

			o, ok := report.Find(autoconfig.PluginsName)
			require.True(t, ok)
			assert.Equal(t, autoconfig.StateMatched, o.State)
			assert.Contains(t, report.String(), "hello", "the plugin decisions are in the report")
		})
	}
}

func TestPluginsAutoConfigOff(t *testing.T) {
	for _, yaml := range []string{"", "plugins:\n  enabled: false\n", "plugins:\n  enabled: False\n"} {
		t.Run("no registry nor manager/"+yaml, func(t *testing.T) {
			a, err := goflytest.Assemble(t, yaml)
			require.NoError(t, err)
			var mgr *plugins.Manager
			err = fx.New(append(a.Options, fx.Populate(&mgr))...).Err()
			require.Error(t, err)
			assert.Contains(t, err.Error(), "missing type: *plugins.Manager")
			var reg *extension.Registry
			err = fx.New(append(a.Options, fx.Populate(&reg))...).Err()
			require.Error(t, err)
			assert.Contains(t, err.Error(), "missing type: *extension.Registry")
		})
	}

	t.Run("plugins given while off", func(t *testing.T) {
		a, err := goflytest.Assemble(t, "plugins:\n  enabled: false\n", plugins.New("b"), plugins.New("a"))
		require.NoError(t, err)
		err = fx.New(a.Options...).Err()
		require.Error(t, err)
		assert.True(t, errors.Is(err, kernel.ErrPluginLoad), "got %v", err)
		assert.Contains(t, err.Error(), "plugins.enabled is off")
		assert.Contains(t, err.Error(), `("a", "b")`)
	})

	t.Run("invalid boolean", func(t *testing.T) {
		for _, v := range []string{"yse", "1", "yes"} {
			_, err := goflytest.Assemble(t, "plugins:\n  enabled: "+v+"\n")
			require.Error(t, err, v)
			assert.True(t, errors.Is(err, kernel.ErrConfig), "got %v", err)
			assert.Contains(t, err.Error(), "plugins.enabled")
			assert.Contains(t, err.Error(), "inline.yaml")
		}
	})
}

func TestTheRegistryIsTheManagers(t *testing.T) {
	var (
		reg *extension.Registry
		mgr *plugins.Manager
	)
	app := goflytest.New(t, "plugins:\n  enabled: true\n", fx.Populate(&reg, &mgr))
	app.RequireStart().RequireStop()
	assert.Same(t, reg, mgr.Registry())
}

func TestPluginsHiddenInAModuleWhileOff(t *testing.T) {
	a, err := goflytest.Assemble(t, "plugins:\n  enabled: false\n", fx.Module("mine", plugins.New("b"), plugins.New("a")))
	require.NoError(t, err, "the assembly step cannot see inside a module")
	err = fx.New(a.Options...).Err()
	require.Error(t, err)
	assert.ErrorIs(t, err, kernel.ErrPluginLoad)
	assert.Contains(t, err.Error(), `2 plugin(s) ("a", "b") but plugins.enabled is off`)
}

func TestDebugPrintsTheReport(t *testing.T) {
	for _, tc := range []struct {
		desc  string
		yaml  string
		args  []string
		print bool
	}{
		{desc: "debug property", yaml: "debug: true\nplugins:\n  enabled: true\n  exclude: [legacy-*]\n", print: true},
		{desc: "--debug flag", yaml: "plugins:\n  enabled: true\n  exclude: [legacy-*]\n", args: []string{"--debug"}, print: true},
		{desc: "off by default", print: false},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			var out bytes.Buffer
			app := gofly.New(gofly.Environ(nil), gofly.ConfigYAML(tc.yaml), gofly.LogOutput(&bytes.Buffer{}),
				gofly.Args(tc.args), gofly.ReportOutput(&out), plugins.New("legacy-auth"), plugins.New("core"))
			if tc.print {
				require.NoError(t, app.Err())
				assert.Contains(t, out.String(), "CONDITIONS EVALUATION REPORT")
				assert.Contains(t, out.String(), "plugins.enabled")
				assert.Contains(t, out.String(), "legacy-auth", "the plugin filter decisions are printed")
				assert.Contains(t, out.String(), "legacy-*")
			} else {
				assert.Empty(t, out.String())
			}
		})
	}
}

func TestAutoConfigAmongOptions(t *testing.T) {
	type Store struct{ Name string }
	defaultStore := autoconfig.New("store",
		autoconfig.DefaultProperties(map[string]any{"store.name": "memory"}),
		autoconfig.When(autoconfig.OnMissingType[*Store](), autoconfig.OnPlugin("core")),
		autoconfig.Provide(fx.Provide(func(cfg *kernel.Config) *Store { return &Store{Name: cfg.String("store.name")} })),
	)
	t.Run("defaults sit below the file, plugin seen", func(t *testing.T) {
		var s *Store
		goflytest.New(t, "store:\n  name: from-file\nplugins:\n  enabled: true\n",
			defaultStore, plugins.Define("core"), fx.Populate(&s))
		assert.Equal(t, "from-file", s.Name)
	})
	t.Run("default used", func(t *testing.T) {
		var s *Store
		goflytest.New(t, "plugins:\n  enabled: true\n", defaultStore, plugins.Define("core"), fx.Populate(&s))
		assert.Equal(t, "memory", s.Name)
	})
	t.Run("user's own wins", func(t *testing.T) {
		var s *Store
		a, err := goflytest.Assemble(t, "plugins:\n  enabled: true\n", defaultStore, plugins.Define("core"),
			fx.Provide(func() *Store { return &Store{Name: "mine"} }), fx.Populate(&s))
		require.NoError(t, err)
		require.NoError(t, fx.New(a.Options...).Err())
		assert.Equal(t, "mine", s.Name)
		o, ok := a.Report.Find("store")
		require.True(t, ok)
		assert.Equal(t, autoconfig.StateNotMatched, o.State)
	})
	t.Run("excluded in code", func(t *testing.T) {
		a, err := goflytest.Assemble(t, "", defaultStore, gofly.ExcludeAutoConfig("store"))
		require.NoError(t, err)
		o, ok := a.Report.Find("store")
		require.True(t, ok)
		assert.Equal(t, autoconfig.StateExcluded, o.State)
		assert.Equal(t, []autoconfig.Exclusion{{Name: "store", Source: "gofly.ExcludeAutoConfig"}}, a.Report.Exclusions)
	})
	t.Run("an unknown exclusion in code", func(t *testing.T) {
		_, err := goflytest.Assemble(t, "", defaultStore, gofly.ExcludeAutoConfig("stor"))
		require.Error(t, err)
		assert.ErrorIs(t, err, kernel.ErrConfig)
		assert.Contains(t, err.Error(), `cannot exclude "stor": not an auto-configuration (candidates: extension, plugins, store)`)
	})
}

func TestConflictingDefaultProperties(t *testing.T) {
	a := autoconfig.New("a", autoconfig.DefaultProperties(map[string]any{"web.address": ":8080"}))
	b := autoconfig.New("b", autoconfig.DefaultProperties(map[string]any{"web": map[string]any{"address": ":9090"}}))
	_, err := goflytest.Assemble(t, "", b, a)
	require.Error(t, err)
	assert.ErrorIs(t, err, kernel.ErrConfig)
	assert.Contains(t, err.Error(), `auto-configurations "a" and "b" give different defaults for key "web.address"`)

	// A configuration loaded beforehand ignores the defaults, conflicting or not.
	cfg, err := kernel.LoadConfig(kernel.WithEnviron(nil), kernel.WithYAML("app.yaml", []byte("x: 1")))
	require.NoError(t, err)
	asm, err := gofly.Assemble(gofly.WithConfig(cfg), gofly.LogOutput(&bytes.Buffer{}), b, a)
	require.NoError(t, err)
	assert.Same(t, cfg, asm.Config)
	assert.False(t, asm.Config.Exists("web.address"))
}

func TestRunExplainsAFailure(t *testing.T) {
	var errOut bytes.Buffer
	code := gofly.RunContext(context.Background(), &errOut,
		gofly.Environ(nil), gofly.ConfigYAML(""), gofly.LogOutput(&bytes.Buffer{}),
		fx.Invoke(func(*plugins.Manager) {}))
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut.String(), "*plugins.Manager")
	assert.Contains(t, errOut.String(), "plugins.enabled", "the analysis says which property would provide it")
}

func TestPluginsExcludedWhileEnabled(t *testing.T) {
	a, err := goflytest.Assemble(t, "plugins:\n  enabled: true\nautoconfig:\n  exclude: [plugins]\n", plugins.New("a"))
	require.NoError(t, err)
	err = fx.New(a.Options...).Err()
	require.Error(t, err)
	assert.True(t, errors.Is(err, kernel.ErrPluginLoad))
	assert.Contains(t, err.Error(), "auto-configuration is excluded")
	assert.NotContains(t, err.Error(), "plugins.enabled is off")
}

func TestCatalogAmongOptions(t *testing.T) {
	cat := plugins.NewCatalog()
	cat.Register(plugins.Define("zeta"))
	cat.Register(plugins.Define("alpha", plugins.Tags("experimental")))
	assert.Equal(t, "plugins.Catalog(alpha, zeta)", cat.String())

	seen := autoconfig.New("needs-zeta",
		autoconfig.When(autoconfig.OnPlugin("zeta")),
		autoconfig.Provide(fx.Supply(&struct{ Name string }{"zeta seen"})))
	var mgr *plugins.Manager
	a, err := goflytest.Assemble(t, "plugins:\n  enabled: true\n  tags:\n    exclude: [experimental]\n", cat, seen, fx.Populate(&mgr))
	require.NoError(t, err)
	require.NoError(t, fx.New(a.Options...).Err())
	o, ok := a.Report.Find("needs-zeta")
	require.True(t, ok)
	assert.Equal(t, autoconfig.StateMatched, o.State, "catalogued plugins are visible to OnPlugin")

	alpha, ok := mgr.Plugin("alpha")
	require.True(t, ok)
	assert.Equal(t, plugins.StateDisabled, alpha.State, "the filters apply to catalogued plugins")
	zeta, ok := mgr.Plugin("zeta")
	require.True(t, ok)
	assert.Equal(t, plugins.StateLoaded, zeta.State)
}
