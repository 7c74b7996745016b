package goflytest_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/gofly-framework/gofly"
	"github.com/gofly-framework/gofly/autoconfig"
	"github.com/gofly-framework/gofly/extension"
	"github.com/gofly-framework/gofly/goflytest"
	"github.com/gofly-framework/gofly/kernel"
	"github.com/gofly-framework/gofly/plugins"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// pluginsOn turns plugins on above the YAML.
var pluginsOn = gofly.Overrides(map[string]any{"plugins.enabled": true})

func TestRunnerPluginsAutoConfig(t *testing.T) {
	base := goflytest.NewRunner(plugins.Define("core", plugins.Version("1.2.0")))

	t.Run("enabled by property", func(t *testing.T) {
		base.WithOptions(pluginsOn).Run(t, func(c *goflytest.Context) {
			require.NoError(t, c.Err())
			assert.True(t, goflytest.Has[*plugins.Manager](c))
			assert.True(t, goflytest.Has[*extension.Registry](c))
			m := goflytest.Get[*plugins.Manager](c)
			d, ok := m.Plugin("core")
			require.True(t, ok)
			assert.Equal(t, "1.2.0", d.Version)
			o, ok := c.Report().Find(autoconfig.PluginsName)
			require.True(t, ok)
			assert.Equal(t, autoconfig.StateMatched, o.State)
			_, failed := autoconfig.Analyze(c.Err(), c.Report())
			assert.False(t, failed)
		})
	})

	t.Run("enabled by yaml, started", func(t *testing.T) {
		base.WithOptions(gofly.ConfigYAML("plugins:\n  enabled: true\n")).Started().Run(t, func(c *goflytest.Context) {
			require.NoError(t, c.Err())
			assert.Equal(t, "true", c.Config().String("plugins.enabled"))
		})
	})

	t.Run("off: the plugin is rejected and the analysis says why", func(t *testing.T) {
		base.Run(t, func(c *goflytest.Context) {
			require.Error(t, c.Err())
			assert.True(t, errors.Is(c.Err(), kernel.ErrPluginLoad))
			assert.Contains(t, c.Err().Error(), "plugins.enabled is off")
			assert.False(t, goflytest.Has[*plugins.Manager](c))
			o, ok := c.Report().Find(autoconfig.PluginsName)
			require.True(t, ok)
			assert.Equal(t, autoconfig.StateNotMatched, o.State)
			an, ok := autoconfig.Analyze(c.Err(), c.Report())
			require.True(t, ok)
			assert.Contains(t, an.String(), "plugins.enabled")
		})
	})

	t.Run("invalid boolean", func(t *testing.T) {
		base.WithOptions(gofly.Overrides(map[string]any{"plugins.enabled": "yse"})).Run(t, func(c *goflytest.Context) {
			require.Error(t, c.Err())
			assert.True(t, errors.Is(c.Err(), kernel.ErrConfig))
			assert.Contains(t, c.Err().Error(), "plugins.enabled")
			assert.Nil(t, c.Report())
		})
	})

	t.Run("failed start", func(t *testing.T) {
		boom := errors.New("boom")
		goflytest.NewRunner(plugins.Define("bad", plugins.OnStart(func(context.Context) error { return boom }))).
			WithOptions(pluginsOn).Started().
			Run(t, func(c *goflytest.Context) {
				require.Error(t, c.Err())
				assert.True(t, errors.Is(c.Err(), kernel.ErrPluginStart))
				assert.True(t, errors.Is(c.Err(), boom))
				an, ok := autoconfig.Analyze(c.Err(), c.Report())
				require.True(t, ok)
				assert.Contains(t, an.String(), "bad")
			})
	})

	t.Run("environment", func(t *testing.T) {
		base.WithOptions(gofly.Environ([]string{"GOFLY_PLUGINS_ENABLED=true"})).Run(t, func(c *goflytest.Context) {
			require.NoError(t, c.Err())
			assert.True(t, goflytest.Has[*plugins.Manager](c))
		})
	})
}

func TestRunnerIsImmutable(t *testing.T) {
	base := goflytest.NewRunner()
	_ = base.WithOptions(pluginsOn)
	_ = base.WithOptions(gofly.ConfigYAML("plugins: {enabled: true}"))
	_ = base.Started()
	base.Run(t, func(c *goflytest.Context) {
		require.NoError(t, c.Err())
		assert.False(t, goflytest.Has[*plugins.Manager](c), "a With call does not change its receiver")
	})
}

// The Runner sees no process environment unless given one.
func TestRunnerIgnoresTheProcessEnvironment(t *testing.T) {
	t.Setenv("GOFLY_PLUGINS_ENABLED", "true")
	goflytest.NewRunner().Run(t, func(c *goflytest.Context) {
		require.NoError(t, c.Err())
		assert.False(t, goflytest.Has[*plugins.Manager](c))
	})
}
