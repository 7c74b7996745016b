package goflytest

import (
	"strings"

	"go.uber.org/fx/fxtest"

	"github.com/gofly-framework/gofly"
	"github.com/gofly-framework/gofly/kernel"
)

// New builds a test app from in-memory YAML and options, like gofly.New but
// on top of fxtest: a failed assembly or fx.New fails the test at once.
//
// The app does not see the process environment (gofly.Environ(nil) comes
// first; pass gofly.Environ to give it one) nor application.yaml in the
// working directory: yaml is the whole configuration ("" for none). The
// logger writes to tb.Logf at the level logging.level sets (info by
// default). The condition report is not printed, even with debug: true:
// assert on it through [Assemble] or [Runner] instead. Start and stop the app
// with RequireStart and RequireStop.
func New(tb fxtest.TB, yaml string, opts ...gofly.Option) *fxtest.App {
	a, err := Assemble(tb, yaml, opts...)
	if err != nil {
		tb.Errorf("goflytest: assembling the app failed: %v", err)
		tb.FailNow()
		return nil
	}
	return fxtest.New(tb, a.Options...)
}

// Assemble runs gofly's assembly step for a test, with the same defaults as
// [New], and returns its result or error without failing the test: use it to
// assert configuration errors.
func Assemble(tb fxtest.TB, yaml string, opts ...gofly.Option) (*gofly.Assembly, error) {
	all := make([]gofly.Option, 0, len(opts)+3)
	all = append(all,
		gofly.Environ(nil),
		gofly.ConfigYAML(yaml),
		gofly.LogOutput(tbWriter{tb}),
	)
	all = append(all, opts...)
	return gofly.Assemble(all...)
}

// Config loads a configuration from in-memory YAML without the process
// environment, failing the test on error. Extra load options (for example
// kernel.WithEnviron) are applied after the defaults.
func Config(tb fxtest.TB, yaml string, opts ...kernel.LoadOption) *kernel.Config {
	all := append([]kernel.LoadOption{
		kernel.WithEnviron(nil),
		kernel.WithYAML("inline.yaml", []byte(yaml)),
	}, opts...)
	cfg, err := kernel.LoadConfig(all...)
	if err != nil {
		tb.Errorf("goflytest: loading the configuration failed: %v", err)
		tb.FailNow()
		return nil
	}
	return cfg
}

// tbWriter sends log lines to the test's log.
type tbWriter struct{ tb fxtest.TB }

func (w tbWriter) Write(p []byte) (int, error) {
	w.tb.Logf("%s", strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
