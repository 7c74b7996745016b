package kernel

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// loggingConfig is the logging.* configuration, bound strictly:
//
//	logging:
//	  level: info       # debug, info, warn, error, dpanic, panic or fatal (any case)
//	  format: console   # console (human-readable lines) or json (one object per line)
//	  caller: true      # add the file:line of the logging call
//	  backend: zap      # zap or slog: which logger fx's events (and the app) go through
type loggingConfig struct {
	Level   string `koanf:"level" default:"info"`
	Format  string `koanf:"format" default:"console"`
	Caller  bool   `koanf:"caller" default:"true"`
	Backend string `koanf:"backend" default:"zap"`
}

// logLevels are the accepted logging.level values, in zap's order.
var logLevels = []zapcore.Level{
	zapcore.DebugLevel, zapcore.InfoLevel, zapcore.WarnLevel, zapcore.ErrorLevel,
	zapcore.DPanicLevel, zapcore.PanicLevel, zapcore.FatalLevel,
}

// NewLogger builds the application's zap logger from the logging.* keys
// writing to w (standard error when w is nil); zap's own errors go to w too.
// The logger is production-like: ISO-8601 times, durations as text ("1.5s"),
// stack traces from dpanic level up (errors stay one line), caller on unless
// logging.caller is false, no sampling. The console format prints upper-case
// level names without colour.
//
// A bad level, format or backend, or any other binding problem under
// logging, is a *[ConfigError] (class [ErrConfig]) naming the key, the value,
// its source and the allowed values.
func NewLogger(c *Config, w io.Writer) (*zap.Logger, error) {
	cfg, err := bindLogging(c)
	if err != nil {
		return nil, err
	}
	level, _ := parseLevel(cfg.Level)
	enc := zap.NewProductionEncoderConfig()
	enc.EncodeTime = zapcore.ISO8601TimeEncoder
	enc.EncodeDuration = zapcore.StringDurationEncoder
	var encoder zapcore.Encoder
	if cfg.Format == "json" {
		encoder = zapcore.NewJSONEncoder(enc)
	} else {
		enc.EncodeLevel = zapcore.CapitalLevelEncoder
		encoder = zapcore.NewConsoleEncoder(enc)
	}
	ws := zapcore.Lock(os.Stderr)
	if w != nil {
		ws = zapcore.AddSync(w)
	}
	opts := []zap.Option{zap.ErrorOutput(ws), zap.AddStacktrace(zapcore.DPanicLevel)}
	if cfg.Caller {
		opts = append(opts, zap.AddCaller())
	}
	return zap.New(zapcore.NewCore(encoder, ws, zap.NewAtomicLevelAt(level)), opts...), nil
}

// NewSlogLogger builds the application's log/slog logger from the same
// logging.* keys as [NewLogger], writing to w (standard error when w is
// nil): a JSON handler for the json format, a text handler for console;
// levels above error (dpanic, panic, fatal) log at error; logging.caller adds
// the source position. Errors are those of NewLogger.
func NewSlogLogger(c *Config, w io.Writer) (*slog.Logger, error) {
	cfg, err := bindLogging(c)
	if err != nil {
		return nil, err
	}
	level, _ := parseLevel(cfg.Level)
	sl := slog.LevelError
	switch level {
	case zapcore.DebugLevel:
		sl = slog.LevelDebug
	case zapcore.InfoLevel:
		sl = slog.LevelInfo
	case zapcore.WarnLevel:
		sl = slog.LevelWarn
	}
	if w == nil {
		w = os.Stderr
	}
	opts := &slog.HandlerOptions{Level: sl, AddSource: cfg.Caller}
	if cfg.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return slog.New(slog.NewTextHandler(w, opts)), nil
}

// bindLogging binds and checks the logging section; the values it returns
// are normalised to lower case.
func bindLogging(c *Config) (loggingConfig, error) {
	cfg, err := Bind[loggingConfig](c, "logging")
	if err != nil {
		return cfg, err
	}
	if _, ok := parseLevel(cfg.Level); !ok {
		names := make([]string, len(logLevels))
		for i, l := range logLevels {
			names[i] = l.String()
		}
		return cfg, c.keyError("logging.level", cfg.Level,
			fmt.Sprintf("unknown log level %q: want one of %s", cfg.Level, strings.Join(names, ", ")))
	}
	cfg.Format = strings.ToLower(strings.TrimSpace(cfg.Format))
	if cfg.Format != "json" && cfg.Format != "console" {
		return cfg, c.keyError("logging.format", cfg.Format,
			fmt.Sprintf("unknown log format %q: want one of json, console", cfg.Format))
	}
	cfg.Backend = strings.ToLower(strings.TrimSpace(cfg.Backend))
	if cfg.Backend != "zap" && cfg.Backend != "slog" {
		return cfg, c.keyError("logging.backend", cfg.Backend,
			fmt.Sprintf("unknown log backend %q: want one of zap, slog", cfg.Backend))
	}
	return cfg, nil
}

func parseLevel(s string) (zapcore.Level, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, l := range logLevels {
		if l.String() == s {
			return l, true
		}
	}
	return 0, false
}
