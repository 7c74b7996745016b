package plugins_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/fx"

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

	assert.PanicsWithValue(t, `plugins: plugin "mid" is registered twice in the catalog; give each plugin a unique id`,
		func() { c.Register(plugins.Define("mid")) })
	assert.Panics(t, func() { c.Register(nil) })
	assert.Len(t, c.Plugins(), 3, "a failed registration changes nothing")

	m := newManager(t, settings(exclude("zeta")))
	for _, p := range c.Plugins() {
		require.NoError(t, m.Add(p))
	}
	assert.Equal(t, "alpha=DISABLED mid=LOADED zeta=DISABLED", states(m))
	assert.ErrorIs(t, m.Add(c.Plugins()[0]), kernel.ErrPluginLoad, "adding twice is a duplicate")

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
	assert.Equal(t, []string{"a", "b"}, ids(plugins.DefaultCatalog().Plugins()))
	assert.Panics(t, func() { plugins.Register(plugins.Define("a")) })
}

func TestCatalogIsForGoflyNew(t *testing.T) {
	c := plugins.NewCatalog()
	c.Register(plugins.Define("core"))
	err := fx.New(fx.NopLogger, c).Err()
	require.Error(t, err)
	assert.ErrorIs(t, err, kernel.ErrGofly)
	assert.Contains(t, err.Error(), "a *plugins.Catalog is an option of gofly.New")
}
