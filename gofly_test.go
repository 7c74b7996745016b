package gofly_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/fx"
	"go.uber.org/goleak"
	"go.uber.org/zap"

	"github.com/gofly-framework/gofly"
	"github.com/gofly-framework/gofly/goflytest"
	"github.com/gofly-framework/gofly/kernel"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestAssembleSettingsAndGraph(t *testing.T) {
	var logs bytes.Buffer
	var (
		cfg *kernel.Config
		log *zap.Logger
	)
	app := gofly.New(
		gofly.Environ([]string{"GOFLY_APP_NAME=from-env"}),
		gofly.ConfigYAML("app:\n  name: from-yaml\n  port: 80\n"),
		gofly.Defaults(map[string]any{"app.region": "eu"}),
		gofly.Overrides(map[string]any{"app.port": 8080}),
		gofly.LogOutput(&logs),
		fx.Populate(&cfg),
		fx.Invoke(fx.Annotate(func(l *zap.Logger) { log = l }, fx.ParamTags(`name:"gofly"`))),
	)
	require.NoError(t, app.Err())
	require.NotNil(t, cfg)
	require.NotNil(t, log)

	assert.Equal(t, "from-env", cfg.String("app.name"), "environment overrides the file")
	assert.Equal(t, "eu", cfg.String("app.region"), "defaults sit below the file")
	assert.Equal(t, "8080", cfg.String("app.port"), "properties sit above everything")

	log.Info("hello from the test")
	assert.Contains(t, logs.String(), "hello from the test")
	assert.NotContains(t, logs.String(), "PROVIDE", "fx events are quiet at info")
}

func TestFxEventsLoggedAtDebug(t *testing.T) {
	var logs bytes.Buffer
	app := gofly.New(
		gofly.Environ(nil),
		gofly.ConfigYAML("logging:\n  level: debug\n  format: json\n"),
		gofly.LogOutput(&logs),
		fx.Provide(func() int { return 1 }),
		fx.Invoke(func(int) {}),
	)
	require.NoError(t, app.Err())
	assert.Contains(t, logs.String(), `"level":"debug"`)
	assert.Contains(t, logs.String(), "provided")
}

func TestAssembleErrors(t *testing.T) {
	for _, tc := range []struct {
		desc  string
		opts  []gofly.Option
		class error
		want  string
	}{
		{
			desc:  "malformed yaml",
			opts:  []gofly.Option{gofly.ConfigYAML("a: [1,\n")},
			class: kernel.ErrConfig,
			want:  "line",
		},
		{
			desc:  "named file missing",
			opts:  []gofly.Option{gofly.ConfigFiles(filepath.Join(t.TempDir(), "nope.yaml"))},
			class: kernel.ErrConfig,
			want:  "nope.yaml",
		},
		{
			desc:  "bad log level",
			opts:  []gofly.Option{gofly.ConfigYAML("logging:\n  level: loud\n")},
			class: kernel.ErrConfig,
			want:  "logging.level",
		},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			opts := append([]gofly.Option{gofly.Environ(nil)}, tc.opts...)
			_, err := gofly.Assemble(opts...)
			require.Error(t, err)
			assert.True(t, errors.Is(err, tc.class), "want %v, got %v", tc.class, err)
			assert.Contains(t, err.Error(), tc.want)

			app := gofly.New(opts...)
			require.Error(t, app.Err())
			assert.True(t, errors.Is(app.Err(), tc.class))
		})
	}
}

func TestConfigDirAndProfiles(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "application.yaml", "app:\n  name: base\n  color: red\n")
	write(t, dir, "application-dev.yaml", "app:\n  name: dev\n")
	write(t, dir, "application-local.yaml", "app:\n  color: blue\n")

	a, err := gofly.Assemble(gofly.Environ(nil), gofly.ConfigDir(dir), gofly.Profiles("dev", "local"))
	require.NoError(t, err)
	assert.Equal(t, "dev", a.Config.String("app.name"))
	assert.Equal(t, "blue", a.Config.String("app.color"))
	assert.Equal(t, []string{"dev", "local"}, a.Config.Profiles())
}

// TestSettingsAddUpOrReplace pins the rule of the package doc: a later
// setting of the same kind wins, except those that add up.
func TestSettingsAddUpOrReplace(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a.yaml", "a: file-a\nb: file-a\nc: file-a\n")
	write(t, dir, "b.yaml", "b: file-b\n")
	for _, tc := range []struct {
		desc string
		opts []gofly.Option
		want map[string]string
	}{
		{
			desc: "ConfigFiles and ConfigYAML layer in option order",
			opts: []gofly.Option{
				gofly.ConfigFiles(filepath.Join(dir, "a.yaml")), gofly.ConfigYAML("b: yaml\nc: yaml\n"),
				gofly.ConfigFiles(filepath.Join(dir, "b.yaml")),
			},
			want: map[string]string{"a": "file-a", "b": "file-b", "c": "yaml"},
		},
		{
			desc: "Defaults and Properties add up",
			opts: []gofly.Option{
				gofly.Defaults(map[string]any{"a": "d1", "b": "d1"}), gofly.Defaults(map[string]any{"b": "d2"}),
				gofly.Overrides(map[string]any{"c": "p1"}), gofly.Overrides(map[string]any{"d": "p2"}),
			},
			want: map[string]string{"a": "d1", "b": "d2", "c": "p1", "d": "p2"},
		},
		{
			desc: "a later Environ replaces an earlier one",
			opts: []gofly.Option{gofly.Environ([]string{"GOFLY_A=first", "GOFLY_B=first"}), gofly.Environ([]string{"GOFLY_A=second"})},
			want: map[string]string{"a": "second", "b": ""},
		},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			a, err := gofly.Assemble(append([]gofly.Option{gofly.Environ(nil), gofly.LogOutput(&bytes.Buffer{})}, tc.opts...)...)
			require.NoError(t, err)
			for key, want := range tc.want {
				assert.Equal(t, want, a.Config.String(key), key)
			}
		})
	}
}

func TestWithConfigAndLogger(t *testing.T) {
	cfg := goflytest.Config(t, "x: 1\n")
	log := zap.NewNop()
	var (
		gotCfg *kernel.Config
		gotLog *zap.Logger
	)
	app := gofly.New(gofly.WithConfig(cfg), gofly.WithLogger(log), fx.Populate(&gotCfg),
		fx.Invoke(fx.Annotate(func(l *zap.Logger) { gotLog = l }, fx.ParamTags(`name:"gofly"`))))
	require.NoError(t, app.Err())
	assert.Same(t, cfg, gotCfg)
	assert.Same(t, log, gotLog)
}

func TestRunContextExitCodes(t *testing.T) {
	quiet := func(opts ...gofly.Option) []gofly.Option {
		return append([]gofly.Option{gofly.Environ(nil), gofly.ConfigYAML(""), gofly.LogOutput(&bytes.Buffer{})}, opts...)
	}
	t.Run("shutdowner exit code", func(t *testing.T) {
		code := gofly.RunContext(context.Background(), &bytes.Buffer{}, quiet(
			fx.Invoke(func(lc fx.Lifecycle, sd fx.Shutdowner) {
				lc.Append(fx.StartHook(func() error { return sd.Shutdown(fx.ExitCode(3)) }))
			}))...)
		assert.Equal(t, 3, code)
	})
	t.Run("context done", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		stopped := false
		code := gofly.RunContext(ctx, &bytes.Buffer{}, quiet(
			fx.Invoke(func(lc fx.Lifecycle) {
				lc.Append(fx.Hook{
					OnStart: func(context.Context) error { cancel(); return nil },
					OnStop:  func(context.Context) error { stopped = true; return nil },
				})
			}))...)
		assert.Equal(t, 0, code)
		assert.True(t, stopped, "the app is stopped when the context is done")
	})
	t.Run("failed start", func(t *testing.T) {
		var errOut bytes.Buffer
		code := gofly.RunContext(context.Background(), &errOut, quiet(
			fx.Invoke(func(lc fx.Lifecycle) {
				lc.Append(fx.StartHook(func() error { return errors.New("boom") }))
			}))...)
		assert.Equal(t, 1, code)
		assert.Contains(t, errOut.String(), "failed to start")
		assert.Contains(t, errOut.String(), "boom")
	})
	t.Run("failed build", func(t *testing.T) {
		var errOut bytes.Buffer
		code := gofly.RunContext(context.Background(), &errOut, quiet(gofly.ConfigYAML(": :\n"))...)
		assert.Equal(t, 1, code)
		assert.Contains(t, errOut.String(), "could not be built")
	})
	t.Run("failed stop", func(t *testing.T) {
		var errOut bytes.Buffer
		code := gofly.RunContext(context.Background(), &errOut, quiet(
			fx.Invoke(func(lc fx.Lifecycle, sd fx.Shutdowner) {
				lc.Append(fx.Hook{
					OnStart: func(context.Context) error { return sd.Shutdown() },
					OnStop:  func(context.Context) error { return errors.New("stuck") },
				})
			}))...)
		assert.Equal(t, 1, code)
		assert.Contains(t, errOut.String(), "stuck")
	})
}

func TestGoflytestNew(t *testing.T) {
	var cfg *kernel.Config
	app := goflytest.New(t, "app:\n  name: test\n", fx.Populate(&cfg))
	app.RequireStart().RequireStop()
	assert.Equal(t, "test", cfg.String("app.name"))
}

// TestReadmeQuickstartIsCompiledCode keeps the README's 30-second example
// identical to examples/quickstart, whose test builds and runs it.
func TestReadmeQuickstartIsCompiledCode(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	for _, tc := range []struct{ lang, file string }{
		{"go", "examples/quickstart/main.go"},
		{"yaml", "examples/quickstart/application.yaml"},
	} {
		block := regexp.MustCompile("(?s)```" + tc.lang + "\n(.*?)```").FindSubmatch(readme)
		require.NotNil(t, block, "README has a %s block", tc.lang)
		want, err := os.ReadFile(tc.file)
		require.NoError(t, err)
		assert.Equal(t, string(want), string(block[1]), "README's %s block must equal %s", tc.lang, tc.file)
	}
}

func write(t *testing.T, dir, name, content string) {
	t.Helper()
	require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600))
}
