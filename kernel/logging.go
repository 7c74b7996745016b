package kernel

import (
	"fmt"
	"os"
	"strings"

	"go.uber.org/fx/fxevent"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// LoggingConfig is the logging.* configuration read by [NewLogger]. Bind it
// with Bind[LoggingConfig](c, "logging"); keys are strict like any binding.
type LoggingConfig struct {
	// Level is the minimum level logged: debug, info, warn, error, dpanic,
	// panic or fatal (any case).
	Level string `koanf:"level" default:"info"`
	// Format is console (human-readable lines) or json (one object per line).
	Format string `koanf:"format" default:"console"`
	// Caller adds the file:line of the logging call to each entry.
	Caller bool `koanf:"caller" default:"true"`
}

// logLevels are the accepted logging.level values, in zap's order.
var logLevels = []zapcore.Level{
	zapcore.DebugLevel, zapcore.InfoLevel, zapcore.WarnLevel, zapcore.ErrorLevel,
	zapcore.DPanicLevel, zapcore.PanicLevel, zapcore.FatalLevel,
}

// NewLogger builds the application logger from logging.level and
// logging.format, writing to standard error. See [NewLoggerTo].
func NewLogger(c *Config) (*zap.Logger, error) {
	return NewLoggerTo(c, zapcore.Lock(os.Stderr))
}

// NewLoggerTo builds the application logger from the logging.* keys (see
// [LoggingConfig]) writing to w (standard error when w is nil); zap's own
// errors go to w too. The logger is production-like: ISO-8601 times,
// durations as text ("1.5s"), stack traces from dpanic level up (errors stay one line), caller on
// unless logging.caller is false, no sampling. The console format prints
// upper-case level names without colour.
//
// A bad level or format, or any other binding problem under logging, is a
// *[ConfigError] (class [ErrConfig]) naming the key, the value, its source
// and the allowed values.
func NewLoggerTo(c *Config, w zapcore.WriteSyncer) (*zap.Logger, error) {
	cfg, err := Bind[LoggingConfig](c, "logging")
	if err != nil {
		return nil, err
	}
	level, ok := parseLevel(cfg.Level)
	if !ok {
		names := make([]string, len(logLevels))
		for i, l := range logLevels {
			names[i] = l.String()
		}
		return nil, c.keyError("logging.level", cfg.Level, c.Source("logging.level"),
			fmt.Sprintf("unknown log level %q: want one of %s", cfg.Level, strings.Join(names, ", ")))
	}
	enc := zap.NewProductionEncoderConfig()
	enc.EncodeTime = zapcore.ISO8601TimeEncoder
	enc.EncodeDuration = zapcore.StringDurationEncoder
	var encoder zapcore.Encoder
	switch strings.ToLower(strings.TrimSpace(cfg.Format)) {
	case "json":
		encoder = zapcore.NewJSONEncoder(enc)
	case "console":
		enc.EncodeLevel = zapcore.CapitalLevelEncoder
		encoder = zapcore.NewConsoleEncoder(enc)
	default:
		return nil, c.keyError("logging.format", cfg.Format, c.Source("logging.format"),
			fmt.Sprintf("unknown log format %q: want one of json, console", cfg.Format))
	}
	if w == nil {
		w = zapcore.Lock(os.Stderr)
	}
	opts := []zap.Option{zap.ErrorOutput(w), zap.AddStacktrace(zapcore.DPanicLevel)}
	if cfg.Caller {
		opts = append(opts, zap.AddCaller())
	}
	return zap.New(zapcore.NewCore(encoder, w, zap.NewAtomicLevelAt(level)), opts...), nil
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

// FxEventLogger returns an fx event logger that writes fx's events through
// log: ordinary events (provided, invoked, started ...) at debug level, so an
// app logging at info is quiet, and failures at error level.
func FxEventLogger(log *zap.Logger) fxevent.Logger {
	l := &fxevent.ZapLogger{Logger: log}
	l.UseLogLevel(zapcore.DebugLevel)
	l.UseErrorLevel(zapcore.ErrorLevel)
	return l
}
