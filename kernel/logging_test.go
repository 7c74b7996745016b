package kernel_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap/zapcore"

	"github.com/gofly-framework/gofly/kernel"
)

func TestNewLoggerLevels(t *testing.T) {
	tests := []struct {
		level string // "" for the default
		want  zapcore.Level
	}{
		{"", zapcore.InfoLevel},
		{"debug", zapcore.DebugLevel},
		{"info", zapcore.InfoLevel},
		{"warn", zapcore.WarnLevel},
		{"error", zapcore.ErrorLevel},
		{"dpanic", zapcore.DPanicLevel},
		{"panic", zapcore.PanicLevel},
		{"fatal", zapcore.FatalLevel},
		{"WARN", zapcore.WarnLevel},
		{" Debug ", zapcore.DebugLevel},
	}
	for _, tt := range tests {
		t.Run(tt.level, func(t *testing.T) {
			yaml := ""
			if tt.level != "" {
				yaml = "logging: {level: '" + tt.level + "'}"
			}
			log, err := kernel.NewLogger(yamlConfig(t, yaml), &bytes.Buffer{})
			require.NoError(t, err)
			assert.Equal(t, tt.want, log.Level())
		})
	}
}

func TestNewLoggerFormats(t *testing.T) {
	t.Run("json", func(t *testing.T) {
		var buf bytes.Buffer
		log, err := kernel.NewLogger(yamlConfig(t, "logging: {format: json, level: debug}"), &buf)
		require.NoError(t, err)
		log.Debug("hello", zapcore.Field{Key: "n", Type: zapcore.Int64Type, Integer: 3})
		var entry map[string]any
		require.NoError(t, json.Unmarshal(buf.Bytes(), &entry), buf.String())
		assert.Equal(t, "debug", entry["level"])
		assert.Equal(t, "hello", entry["msg"])
		assert.Equal(t, float64(3), entry["n"])
		assert.Contains(t, entry["caller"], "logging_test.go")
		assert.Regexp(t, `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d`, entry["ts"])
	})
	t.Run("console, caller off", func(t *testing.T) {
		var buf bytes.Buffer
		log, err := kernel.NewLogger(yamlConfig(t, "logging: {caller: false}"), &buf)
		require.NoError(t, err)
		log.Debug("hidden")
		log.Info("shown")
		line := strings.TrimSpace(buf.String())
		assert.NotContains(t, line, "hidden")
		assert.Regexp(t, `^\d{4}-\d\d-\d\dT\S+\tINFO\tshown$`, line)
	})
	t.Run("stack traces from dpanic level only", func(t *testing.T) {
		var buf bytes.Buffer
		log, err := kernel.NewLogger(yamlConfig(t, "logging: {format: json}"), &buf)
		require.NoError(t, err)
		log.Error("e")
		log.DPanic("d")
		lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
		require.Len(t, lines, 2)
		assert.NotContains(t, lines[0], "stacktrace", "errors (fx's failure logs) stay readable")
		assert.Contains(t, lines[1], "stacktrace")
	})
	t.Run("NewLogger writes to standard error", func(t *testing.T) {
		log, err := kernel.NewLogger(yamlConfig(t, "logging: {level: fatal}"), nil)
		require.NoError(t, err)
		assert.Equal(t, zapcore.FatalLevel, log.Level())
	})
	t.Run("nil writer", func(t *testing.T) {
		log, err := kernel.NewLogger(kernel.EmptyConfig(), nil)
		require.NoError(t, err)
		assert.Equal(t, zapcore.InfoLevel, log.Level())
	})
}

func TestNewLoggerErrors(t *testing.T) {
	tests := []struct {
		desc      string
		yaml      string
		environ   []string
		wantKey   string
		wantValue string
		wantSrc   string
		wantMsg   string
	}{
		{desc: "unknown level", yaml: "logging:\n  level: verbose\n", wantKey: "logging.level", wantValue: "verbose", wantSrc: "app.yaml",
			wantMsg: `config key "logging.level" in app.yaml: unknown log level "verbose": want one of debug, info, warn, error, dpanic, panic, fatal`},
		{desc: "unknown level from env", environ: []string{"GOFLY_LOGGING_LEVEL=trace"}, wantKey: "logging.level", wantValue: "trace", wantSrc: "env GOFLY_LOGGING_LEVEL",
			wantMsg: `config key "logging.level" in env GOFLY_LOGGING_LEVEL: unknown log level "trace": want one of debug, info, warn, error, dpanic, panic, fatal`},
		{desc: "unknown format", yaml: "logging:\n  format: xml\n", wantKey: "logging.format", wantValue: "xml", wantSrc: "app.yaml",
			wantMsg: `config key "logging.format" in app.yaml: unknown log format "xml": want one of json, console`},
		{desc: "unknown key", yaml: "logging:\n  colour: true\n", wantKey: "logging.colour", wantValue: "true", wantSrc: "app.yaml",
			wantMsg: `config key "logging.colour" in app.yaml: unknown key: check its spelling or remove it (known under "logging": backend, caller, format, level)`},
		{desc: "bad caller", yaml: "logging:\n  caller: yse\n", wantKey: "logging.caller", wantValue: "yse", wantSrc: "app.yaml",
			wantMsg: `config key "logging.caller" in app.yaml: cannot use "yse" as bool: want true or false`},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			c, err := kernel.LoadConfig(kernel.WithEnviron(tt.environ), kernel.WithYAML("app.yaml", []byte(tt.yaml)))
			require.NoError(t, err)
			log, err := kernel.NewLogger(c, &bytes.Buffer{})
			assert.Nil(t, log)
			ce := asConfigError(t, err)
			assert.Equal(t, tt.wantKey, ce.Key)
			assert.Equal(t, tt.wantValue, ce.Value)
			assert.Equal(t, tt.wantSrc, ce.Source)
			if tt.wantSrc == "app.yaml" {
				assert.Equal(t, 2, ce.Line)
			}
			assert.EqualError(t, err, tt.wantMsg)
			_, err = kernel.NewLogger(c, nil)
			assert.EqualError(t, err, tt.wantMsg)
		})
	}
}

func TestNewSlogLogger(t *testing.T) {
	var buf bytes.Buffer
	log, err := kernel.NewSlogLogger(yamlConfig(t, "logging: {format: json, level: warn, caller: false}"), &buf)
	require.NoError(t, err)
	log.Info("quiet")
	log.Warn("loud", "k", 1)
	var m map[string]any
	require.NoError(t, json.Unmarshal(buf.Bytes(), &m), buf.String())
	assert.Equal(t, "loud", m["msg"])
	assert.Equal(t, "WARN", m["level"])
	assert.NotContains(t, buf.String(), "quiet")

	buf.Reset()
	log, err = kernel.NewSlogLogger(yamlConfig(t, "logging: {level: debug}"), &buf)
	require.NoError(t, err)
	log.Debug("text")
	assert.Contains(t, buf.String(), "level=DEBUG")
	assert.Contains(t, buf.String(), "source=", "logging.caller is on by default")

	_, err = kernel.NewSlogLogger(yamlConfig(t, "logging: {backend: log4j}"), nil)
	require.Error(t, err)
	assert.ErrorIs(t, err, kernel.ErrConfig)
	assert.Contains(t, err.Error(), `unknown log backend "log4j": want one of zap, slog`)
}
