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
