package plugins_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/fx"

	"github.com/gofly-framework/gofly/extension"
	"github.com/gofly-framework/gofly/kernel"
	"github.com/gofly-framework/gofly/plugins"
)

func ids(ps []*plugins.Plugin) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.ID()
	}
	return out
}

func TestCatalog(t *testing.T) {
	c := plugins.NewCatalog()
	c.Register(plugins.Define("zeta"))
	c.Register(plugins.Define("alpha", plugins.DependsOn("zeta")))
	c.Register(plugins.Define("mid"))
	assert.Equal(t, []string{"alpha", "mid", "zeta"}, ids(c.Plugins()), "sorted by id")

	p, ok := c.Lookup("mid")
	require.True(t, ok)
	assert.Equal(t, "mid", p.ID())
	_, ok = c.Lookup("nope")
	assert.False(t, ok)

	assert.PanicsWithValue(t, `plugins: plugin "mid" is registered twice in the catalog; give each plugin a unique id`,
		func() { c.Register(plugins.Define("mid")) })
	assert.Panics(t, func() { c.Register(nil) })
	assert.Len(t, c.Plugins(), 3, "a failed registration changes nothing")

	m := newManager(t, plugins.Exclude("zeta"))
	require.NoError(t, c.AddTo(m))
	assert.Equal(t, "alpha=DISABLED mid=LOADED zeta=DISABLED", states(m))
	assert.ErrorIs(t, c.AddTo(m), kernel.ErrPluginLoad, "adding twice is a duplicate")

	c.Reset()
	assert.Empty(t, c.Plugins())
	var zero plugins.Catalog
	zero.Register(plugins.Define("x"))
	assert.Len(t, zero.Plugins(), 1, "the zero Catalog is usable")
}

func TestDefaultCatalog(t *testing.T) {
	t.Cleanup(plugins.DefaultCatalog().Reset)
	plugins.DefaultCatalog().Reset()
	plugins.Register(plugins.Define("b"))
	plugins.Register(plugins.Define("a"))
	assert.Equal(t, []string{"a", "b"}, ids(plugins.Catalogued()))
	assert.Panics(t, func() { plugins.Register(plugins.Define("a")) })
}

func TestFromCatalogInAnFxApp(t *testing.T) {
	var rec recorder
	c := plugins.NewCatalog()
	c.Register(rec.def("web", plugins.DependsOn("core"), plugins.Tags("stable")))
	c.Register(rec.def("core", plugins.Tags("stable")))
	c.Register(rec.def("lab", plugins.Tags("experimental")))
	cfg := loadYAML(t, "plugins:\n  tags:\n    exclude: [experimental]\n")
	var m *plugins.Manager
	app := fx.New(fx.NopLogger,
		fx.Supply(cfg),
		extension.Module,
		plugins.Module,
		plugins.FromCatalog(c),
		fx.Populate(&m),
	)
	require.NoError(t, app.Err())
	require.NoError(t, app.Start(context.Background()))
	assert.Equal(t, []string{"init:core", "start:core", "init:web", "start:web"}, rec.take())
	assert.Equal(t, "core=STARTED lab=DISABLED web=STARTED", states(m))
	require.NoError(t, app.Stop(context.Background()))

	t.Run("nil means the default catalog", func(t *testing.T) {
		t.Cleanup(plugins.DefaultCatalog().Reset)
		plugins.DefaultCatalog().Reset()
		plugins.Register(plugins.Define("from-default"))
		var m *plugins.Manager
		app := fx.New(fx.NopLogger, extension.Module, plugins.Module, plugins.FromCatalog(nil), fx.Populate(&m))
		require.NoError(t, app.Err())
		assert.Equal(t, "from-default=LOADED", states(m))
	})
}
