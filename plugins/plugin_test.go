package plugins_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/fx"

	"github.com/gofly-framework/gofly/extension"
	"github.com/gofly-framework/gofly/kernel"
	"github.com/gofly-framework/gofly/plugins"
)

func TestDefineValidIDs(t *testing.T) {
	for _, id := range []string{"a", "core", "json-formatter", "db_v2", "acme.billing", "0day", "a.b-c.d_e"} {
		t.Run(id, func(t *testing.T) {
			p := plugins.Define(id)
			require.NoError(t, p.Err())
			assert.Equal(t, id, p.ID())
			require.NoError(t, newManager(t).Add(p))
		})
	}
}

func TestDefineInvalid(t *testing.T) {
	tests := []struct {
		desc string
		id   string
		opts []plugins.Option
		want string
	}{
		{desc: "empty id", id: "", want: "the id is empty"},
		{desc: "upper case", id: "Core", want: `contains 'C'`},
		{desc: "space", id: "my plugin", want: `contains ' '`},
		{desc: "slash", id: "a/b", want: `contains '/'`},
		{desc: "leading dash", id: "-a", want: "segment starting with '-'"},
		{desc: "trailing dot", id: "a.", want: "ends with '.'"},
		{desc: "empty segment", id: "a..b", want: "empty segment"},
		{desc: "too long", id: strings.Repeat("a", 129), want: "longer than 128"},
		{desc: "bad version", id: "a", opts: []plugins.Option{plugins.Version("banana")}, want: `version "banana" is not a semantic version`},
		{desc: "bad constraint", id: "a", opts: []plugins.Option{plugins.DependsOn("b", ">>1")}, want: `constraint ">>1"`},
		{desc: "bad dependency id", id: "a", opts: []plugins.Option{plugins.DependsOn("B")}, want: "dependency: id"},
		{desc: "hook not a func", id: "a", opts: []plugins.Option{plugins.OnStart(42)}, want: "OnStart hook is a int"},
		{desc: "hook without context", id: "a", opts: []plugins.Option{plugins.OnStart(func() error { return nil })}, want: "does not take a context.Context first"},
		{desc: "hook without error", id: "a", opts: []plugins.Option{plugins.OnStop(func(context.Context) {})}, want: "does not return exactly an error"},
		{desc: "variadic hook", id: "a", opts: []plugins.Option{plugins.OnInit(func(context.Context, ...int) error { return nil })}, want: "variadic"},
		{desc: "nil hook", id: "a", opts: []plugins.Option{plugins.OnUnload(nil)}, want: "OnUnload hook is nil"},
		{desc: "typed nil hook", id: "a", opts: []plugins.Option{plugins.OnStart((func(context.Context, int) error)(nil))}, want: "OnStart hook is nil"},
		{desc: "hook twice", id: "a", opts: []plugins.Option{plugins.OnStart(nopHook), plugins.OnStart(nopHook)}, want: "OnStart is given twice"},
		{desc: "nil condition", id: "a", opts: []plugins.Option{plugins.When(nil)}, want: "When condition is nil"},
		{desc: "empty tag", id: "a", opts: []plugins.Option{plugins.Tags("x", "")}, want: "a tag is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			p := plugins.Define(tt.id, tt.opts...)
			err := p.Err()
			require.Error(t, err)
			assert.ErrorIs(t, err, kernel.ErrPluginLoad)
			assert.ErrorIs(t, err, kernel.ErrGofly)
			assert.Contains(t, err.Error(), tt.want)

			m := newManager(t)
			addErr := m.Add(p)
			require.Error(t, addErr)
			assert.ErrorIs(t, addErr, kernel.ErrPluginLoad)
			var pe *kernel.PluginError
			require.ErrorAs(t, addErr, &pe)
			assert.Equal(t, tt.id, pe.PluginID)
			assert.Empty(t, m.Plugins(), "an invalid plugin must not be added")
		})
	}
}

func TestDefineBadVersionKeepsSemverCause(t *testing.T) {
	err := plugins.Define("a", plugins.Version("1.x.y")).Err()
	var pe *kernel.PluginError
	require.ErrorAs(t, err, &pe)
	require.Error(t, pe.Err, "the semver parse error is the cause")
}

func TestDefineDefaultsAndMetadata(t *testing.T) {
	m := newManager(t)
	mustAdd(t, m,
		plugins.Define("plain"),
		plugins.Define("full",
			plugins.Version("1.2.3"), plugins.Name("Full Plugin"), plugins.Author("ACME"),
			plugins.Description("does everything"), plugins.Tags("web", "stable", "web"),
			plugins.DependsOn("plain", ">=0.0.0"), plugins.OptionalDependsOn("other")),
	)
	plain, ok := m.Plugin("plain")
	require.True(t, ok)
	assert.Equal(t, "0.0.0", plain.Version)
	assert.Equal(t, "plain", plain.Name, "the name defaults to the id")
	assert.Equal(t, plugins.StateLoaded, plain.State)
	assert.False(t, plain.LoadedAt.IsZero())
	assert.Equal(t, plain.LoadedAt, plain.LastStateChange)

	full, ok := m.Plugin("full")
	require.True(t, ok)
	assert.Equal(t, plugins.Descriptor{
		ID: "full", Version: "1.2.3", Name: "Full Plugin", Author: "ACME", Description: "does everything",
		Tags: []string{"web", "stable"},
		DependsOn: []plugins.Dependency{
			{ID: "plain", Constraint: ">=0.0.0"},
			{ID: "other", Optional: true},
		},
		State: plugins.StateLoaded, LoadedAt: full.LoadedAt, LastStateChange: full.LastStateChange,
	}, full)
}

func TestDependencyEntriesMerge(t *testing.T) {
	tests := []struct {
		desc string
		opts []plugins.Option
		want []plugins.Dependency
	}{
		{
			desc: "exact duplicates",
			opts: []plugins.Option{plugins.DependsOn("a"), plugins.DependsOn("a")},
			want: []plugins.Dependency{{ID: "a"}},
		},
		{
			desc: "constraints add up",
			opts: []plugins.Option{plugins.DependsOn("a", ">=1.0.0"), plugins.DependsOn("a", "<2.0.0"), plugins.DependsOn("a", ">=1.0.0")},
			want: []plugins.Dependency{{ID: "a", Constraint: ">=1.0.0, <2.0.0"}},
		},
		{
			desc: "required wins over optional",
			opts: []plugins.Option{plugins.OptionalDependsOn("a"), plugins.DependsOn("a")},
			want: []plugins.Dependency{{ID: "a"}},
		},
		{
			desc: "optional twice stays optional",
			opts: []plugins.Option{plugins.OptionalDependsOn("a"), plugins.OptionalDependsOn("a", "^1")},
			want: []plugins.Dependency{{ID: "a", Constraint: "^1", Optional: true}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			m := newManager(t)
			mustAdd(t, m, plugins.Define("p", tt.opts...))
			d, _ := m.Plugin("p")
			assert.Equal(t, tt.want, d.DependsOn)
		})
	}
}

func TestOptionsPrintThemselves(t *testing.T) {
	pt := extension.NewPoint[Greeter]("greeters")
	cond := func(*kernel.Config) (bool, string) { return true, "" }
	tests := []struct {
		opt  plugins.Option
		want string
	}{
		{plugins.Version("1.2.0"), `plugins.Version("1.2.0")`},
		{plugins.Name("N"), `plugins.Name("N")`},
		{plugins.Author("A"), `plugins.Author("A")`},
		{plugins.Description("D"), `plugins.Description("D")`},
		{plugins.Tags("x", "y"), `plugins.Tags("x", "y")`},
		{plugins.DependsOn("core", ">=1.2.0 <2.0.0"), `plugins.DependsOn("core", ">=1.2.0 <2.0.0")`},
		{plugins.OptionalDependsOn("core"), `plugins.OptionalDependsOn("core")`},
		{plugins.Declares(pt), `plugins.Declares[plugins_test.Greeter]("greeters")`},
		{plugins.Extend[Greeter](pt, greeter("hi"), 10), `plugins.Extend[plugins_test.Greeter]("greeters", plugins_test.greeter, 10)`},
		{plugins.OnStart(nopHook), `plugins.OnStart(func(context.Context) error)`},
		{plugins.OnStop(func(context.Context, *recorder) error { return nil }), `plugins.OnStop(func(context.Context, *plugins_test.recorder) error)`},
		{plugins.When(cond), `plugins.When(github.com/gofly-framework/gofly/plugins_test.TestOptionsPrintThemselves.func1)`},
		{plugins.FxOptions(fx.NopLogger), `plugins.FxOptions(fx.WithLogger(go.uber.org/fx.init.func1()))`},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.opt.String())
		})
	}
	p := plugins.Define("json", plugins.Version("1.2.0"), plugins.DependsOn("core"))
	assert.Equal(t, `plugins.Define("json", plugins.Version("1.2.0"), plugins.DependsOn("core"))`, p.String())
}

func TestStateString(t *testing.T) {
	tests := []struct {
		s    plugins.State
		want string
	}{
		{plugins.StateLoaded, "LOADED"},
		{plugins.StateStarted, "STARTED"},
		{plugins.StateStopped, "STOPPED"},
		{plugins.StateFailed, "FAILED"},
		{plugins.StateDisabled, "DISABLED"},
		{plugins.StateUnloaded, "UNLOADED"},
		{plugins.State(42), "State(42)"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.s.String())
	}
}

func TestGraphHookNeedsFx(t *testing.T) {
	m := newManager(t)
	require.NoError(t, m.Add(plugins.Define("a", plugins.OnStart(func(context.Context, *recorder) error { return nil }))),
		"the hook gets its parameters when the manager is wired into an fx app")
	err := m.StartAll(context.Background())
	require.Error(t, err)
	assert.ErrorIs(t, err, kernel.ErrPluginStart)
	assert.Contains(t, err.Error(), "takes parameters from the fx graph (*plugins_test.recorder) but the manager is not wired into an fx app")
	d, _ := m.Plugin("a")
	assert.Equal(t, plugins.StateFailed, d.State)
}

var errBoom = errors.New("boom")

type validated struct{ ok bool }

func (v validated) Greet() string { return "hi" }
func (v validated) Validate() error {
	if !v.ok {
		return errors.New("needs ok")
	}
	return nil
}

func TestExtendValidatesExtensions(t *testing.T) {
	p := plugins.Define("v", plugins.Extend(extension.NewPoint[Greeter]("greeters"), Greeter(validated{}), 0))
	err := p.Err()
	require.Error(t, err)
	assert.ErrorIs(t, err, kernel.ErrPluginLoad)
	assert.Contains(t, err.Error(), `invalid plugin definition "v": its extension of point "greeters" is invalid: needs ok`)
	require.NoError(t, plugins.Define("v", plugins.Extend(extension.NewPoint[Greeter]("greeters"), Greeter(validated{ok: true}), 0)).Err())
}
