package gofly

import (
	"bytes"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/fx/fxevent"

	"github.com/gofly-framework/gofly/kernel"
)

func TestFxEventsThroughTheBackend(t *testing.T) {
	events := []fxevent.Event{
		&fxevent.Provided{ConstructorName: "NewThing", OutputTypeNames: []string{"*Thing"}},
		&fxevent.Invoking{FunctionName: "Run"},
		&fxevent.Started{},
	}
	failure := &fxevent.Invoked{FunctionName: "Run", Err: errors.New("boom")}
	for _, backend := range []string{"zap", "slog"} {
		for _, tt := range []struct {
			level                    string
			wantEvents, wantFailures bool
		}{
			{"debug", true, true},
			{"info", false, true},
			{"error", false, true},
		} {
			t.Run(backend+"/"+tt.level, func(t *testing.T) {
				var buf bytes.Buffer
				cfg, err := kernel.LoadConfig(kernel.WithEnviron(nil),
					kernel.WithYAML("app.yaml", []byte("logging: {format: json, backend: "+backend+", level: "+tt.level+"}")))
				require.NoError(t, err)
				in := &inputs{s: settings{logOut: &buf}}
				_, _, fl, err := in.loggers(cfg)
				require.NoError(t, err)
				for _, e := range events {
					fl.LogEvent(e)
				}
				if tt.wantEvents {
					assert.Contains(t, buf.String(), "provided")
					assert.Contains(t, buf.String(), "invoking")
					assert.Contains(t, buf.String(), "started")
				} else {
					assert.Empty(t, buf.String())
				}
				buf.Reset()
				fl.LogEvent(failure)
				if tt.wantFailures {
					assert.Contains(t, buf.String(), "boom")
				} else {
					assert.Empty(t, buf.String())
				}
			})
		}
	}
}

func TestDebugEnabled(t *testing.T) {
	tests := []struct {
		desc string
		yaml string // "" for a nil configuration
		args []string
		want bool
	}{
		{desc: "nothing", want: false},
		{desc: "config true", yaml: "debug: true", want: true},
		{desc: "config string TRUE", yaml: `debug: "TRUE"`, want: true},
		{desc: "config false", yaml: "debug: false", want: false},
		{desc: "flag", args: []string{"serve", "--debug"}, want: true},
		{desc: "single-dash flag", args: []string{"-debug"}, want: true},
		{desc: "flag overrides config", yaml: "debug: true", args: []string{"--debug=false"}, want: false},
		{desc: "last flag wins", args: []string{"--debug=false", "--debug=True"}, want: true},
		{desc: "after -- is not a flag", args: []string{"--", "--debug"}, want: false},
		{desc: "a similar flag is not it", args: []string{"--debugger"}, want: false},
		{desc: "flag wins over an invalid config value", yaml: "debug: nope", args: []string{"--debug"}, want: true},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			var cfg *kernel.Config
			if tt.yaml != "" {
				cfg = loadYAML(t, tt.yaml)
			}
			got, err := debugEnabled(cfg, tt.args)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestDebugEnabledErrors(t *testing.T) {
	t.Run("bad flag", func(t *testing.T) {
		_, err := debugEnabled(nil, []string{"--debug=yes"})
		var ce *kernel.ConfigError
		require.True(t, errors.As(err, &ce))
		assert.Equal(t, "debug", ce.Key)
		assert.Equal(t, "command line", ce.Source)
		assert.ErrorIs(t, err, kernel.ErrConfig)
		assert.EqualError(t, err, `command-line flag "--debug=yes" is not a boolean: use --debug, --debug=true or --debug=false`)
	})
	t.Run("bad config", func(t *testing.T) {
		_, err := debugEnabled(loadYAML(t, "debug: 1"), nil)
		var ce *kernel.ConfigError
		require.True(t, errors.As(err, &ce))
		assert.Equal(t, "debug", ce.Key)
		assert.Equal(t, "application.yaml", ce.Source)
		assert.ErrorIs(t, err, kernel.ErrConfig)
	})
}

func loadYAML(t *testing.T, yaml string) *kernel.Config {
	t.Helper()
	cfg, err := kernel.LoadConfig(kernel.WithEnviron(nil), kernel.WithYAML("application.yaml", []byte(yaml)))
	require.NoError(t, err)
	return cfg
}
