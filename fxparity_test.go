package gofly_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/dig"
	"go.uber.org/fx"
	"go.uber.org/fx/fxevent"
	"go.uber.org/zap"

	"github.com/gofly-framework/gofly"
)

// The same plain fx apps, built with fx.New and with gofly.New, behave the
// same: gofly adds settings and its own values without taking a type away
// from the app.

type builder struct {
	name  string
	build func(opts ...fx.Option) *fx.App
}

var builders = []builder{
	{"fx.New", fx.New},
	{"gofly.New", func(opts ...fx.Option) *fx.App {
		all := []gofly.Option{gofly.Environ(nil), gofly.ConfigYAML(""), gofly.LogOutput(io.Discard)}
		for _, o := range opts {
			all = append(all, o)
		}
		return gofly.New(all...)
	}},
}

// eachBuilder runs check with the app that each builder makes of opts().
func eachBuilder(t *testing.T, opts func() []fx.Option, check func(t *testing.T, app *fx.App)) {
	t.Helper()
	for _, b := range builders {
		t.Run(b.name, func(t *testing.T) {
			check(t, b.build(append([]fx.Option{fx.NopLogger}, opts()...)...))
		})
	}
}

var errSadness = errors.New("great sadness")

func TestFxParityLogger(t *testing.T) {
	nop := zap.NewNop()
	for _, tc := range []struct {
		desc string
		opts func() []fx.Option
	}{
		{"fx.Provide", func() []fx.Option { return []fx.Option{fx.Provide(func() *zap.Logger { return nop })} }},
		{"fx.Supply", func() []fx.Option { return []fx.Option{fx.Supply(nop)} }},
		{"in a module", func() []fx.Option {
			return []fx.Option{fx.Module("logging", fx.Provide(func() *zap.Logger { return nop }))}
		}},
	} {
		t.Run("the app's own logger/"+tc.desc, func(t *testing.T) {
			eachBuilder(t, func() []fx.Option {
				var got *zap.Logger
				return append(tc.opts(), fx.Invoke(func(l *zap.Logger) { got = l }), fx.Invoke(func() {
					if got != nop {
						panic("not the app's logger")
					}
				}))
			}, func(t *testing.T, app *fx.App) {
				require.NoError(t, app.Err())
			})
		})
	}

	t.Run("an app that needs a logger and provides none", func(t *testing.T) {
		eachBuilder(t, func() []fx.Option { return []fx.Option{fx.Invoke(func(*zap.Logger) {})} },
			func(t *testing.T, app *fx.App) {
				require.Error(t, app.Err())
				assert.Contains(t, app.Err().Error(), "missing type: *zap.Logger")
			})
	})

	t.Run("a logger constructor that fails falls back to fx's printer", func(t *testing.T) {
		for _, b := range builders {
			t.Run(b.name, func(t *testing.T) {
				var printed bytes.Buffer
				app := b.build(
					fx.Provide(func() (*zap.Logger, error) { return nil, errSadness }),
					fx.WithLogger(func(l *zap.Logger) fxevent.Logger { return &fxevent.ZapLogger{Logger: l} }),
					fx.Logger(printerTo(&printed)),
				)
				require.Error(t, app.Err())
				assert.ErrorIs(t, app.Err(), errSadness)
				assert.Contains(t, printed.String(), "great sadness", "fx's printer reports the failure")
			})
		}
	})

	t.Run("fx.Logger receives fx's events", func(t *testing.T) {
		for _, b := range builders {
			t.Run(b.name, func(t *testing.T) {
				var printed bytes.Buffer
				app := b.build(fx.Logger(printerTo(&printed)), fx.Provide(func() int { return 1 }), fx.Invoke(func(int) {}))
				require.NoError(t, app.Err())
				assert.Contains(t, printed.String(), "[Fx] PROVIDE")
				assert.Contains(t, printed.String(), "[Fx] INVOKE")
			})
		}
	})

	t.Run("the app's fx.WithLogger receives fx's events", func(t *testing.T) {
		for _, b := range builders {
			t.Run(b.name, func(t *testing.T) {
				var rec eventRecorder
				app := b.build(fx.WithLogger(func() fxevent.Logger { return &rec }), fx.Invoke(func() {}))
				require.NoError(t, app.Err())
				assert.NotZero(t, rec.count(), "events reach the app's logger")
			})
		}
	})
}

type printerFunc func(string, ...any)

func (f printerFunc) Printf(format string, args ...any) { f(format, args...) }

func printerTo(w io.Writer) fx.Printer {
	return printerFunc(func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) })
}

type eventRecorder struct {
	mu sync.Mutex
	n  int
}

func (r *eventRecorder) LogEvent(fxevent.Event) { r.mu.Lock(); r.n++; r.mu.Unlock() }
func (r *eventRecorder) count() int             { r.mu.Lock(); defer r.mu.Unlock(); return r.n }

// An app that builds fine fires no fx.ErrorHook, also when gofly has plugins
// or the extension registry on.
func TestFxParityErrorHookQuietOnSuccess(t *testing.T) {
	for _, yaml := range []string{"", "plugins:\n  enabled: true\n", "extension:\n  enabled: true\n"} {
		t.Run(yaml, func(t *testing.T) {
			var fired []error
			hook := fx.ErrorHook(errorHandlerFunc(func(err error) { fired = append(fired, err) }))
			app := gofly.New(gofly.Environ(nil), gofly.ConfigYAML(yaml), gofly.LogOutput(io.Discard),
				hook, fx.Provide(func() int { return 1 }), fx.Invoke(func(int) {}))
			require.NoError(t, app.Err())
			assert.Empty(t, fired)
		})
	}
}

type errorHandlerFunc func(error)

func (f errorHandlerFunc) HandleError(err error) { f(err) }

type Named struct{ Name string }

func TestFxParityGraph(t *testing.T) {
	t.Run("fx.Replace", func(t *testing.T) {
		var got *Named
		eachBuilder(t, func() []fx.Option {
			return []fx.Option{fx.Provide(func() *Named { return &Named{"orig"} }), fx.Replace(&Named{"new"}), fx.Populate(&got)}
		}, func(t *testing.T, app *fx.App) {
			require.NoError(t, app.Err())
			assert.Equal(t, "new", got.Name)
		})
	})
	t.Run("a decoration is scoped to its module", func(t *testing.T) {
		var inner, outer string
		eachBuilder(t, func() []fx.Option {
			return []fx.Option{
				fx.Provide(func() *Named { return &Named{"root"} }),
				fx.Module("child",
					fx.Decorate(func(n *Named) *Named { return &Named{n.Name + "+child"} }),
					fx.Invoke(func(n *Named) { inner = n.Name })),
				fx.Invoke(func(n *Named) { outer = n.Name }),
			}
		}, func(t *testing.T, app *fx.App) {
			require.NoError(t, app.Err())
			assert.Equal(t, "root+child", inner)
			assert.Equal(t, "root", outer)
		})
	})
	t.Run("fx.Private", func(t *testing.T) {
		eachBuilder(t, func() []fx.Option {
			return []fx.Option{
				fx.Module("child", fx.Provide(func() *Named { return &Named{"private"} }, fx.Private)),
				fx.Invoke(func(*Named) {}),
			}
		}, func(t *testing.T, app *fx.App) {
			require.Error(t, app.Err())
			assert.Contains(t, app.Err().Error(), "missing type: *gofly_test.Named")
		})
	})
	t.Run("value groups and fx.Annotate", func(t *testing.T) {
		var names []string
		eachBuilder(t, func() []fx.Option {
			names = nil
			return []fx.Option{
				fx.Provide(fx.Annotate(func() *Named { return &Named{"a"} }, fx.ResultTags(`group:"names"`))),
				fx.Provide(fx.Annotate(func() *Named { return &Named{"b"} }, fx.ResultTags(`group:"names"`))),
				fx.Invoke(fx.Annotate(func(ns []*Named) {
					for _, n := range ns {
						names = append(names, n.Name)
					}
				}, fx.ParamTags(`group:"names"`))),
			}
		}, func(t *testing.T, app *fx.App) {
			require.NoError(t, app.Err())
			assert.ElementsMatch(t, []string{"a", "b"}, names)
		})
	})
}

func TestFxParityErrors(t *testing.T) {
	t.Run("constructor error", func(t *testing.T) {
		eachBuilder(t, func() []fx.Option {
			return []fx.Option{fx.Provide(func() (*Named, error) { return nil, errSadness }), fx.Invoke(func(*Named) {})}
		}, func(t *testing.T, app *fx.App) {
			require.Error(t, app.Err())
			assert.ErrorIs(t, app.Err(), errSadness)
			assert.Equal(t, errSadness, dig.RootCause(app.Err()))
		})
	})
	t.Run("invoke error", func(t *testing.T) {
		eachBuilder(t, func() []fx.Option {
			return []fx.Option{fx.Invoke(func() error { return errSadness })}
		}, func(t *testing.T, app *fx.App) {
			assert.ErrorIs(t, app.Err(), errSadness)
			var pe *parityError
			assert.False(t, errors.As(app.Err(), &pe))
		})
	})
	t.Run("hook error, rollback and order", func(t *testing.T) {
		var log []string
		eachBuilder(t, func() []fx.Option {
			log = nil
			hook := func(name string, fail bool) fx.Option {
				return fx.Invoke(func(lc fx.Lifecycle) {
					lc.Append(fx.Hook{
						OnStart: func(context.Context) error {
							log = append(log, "start "+name)
							if fail {
								return &parityError{name}
							}
							return nil
						},
						OnStop: func(context.Context) error { log = append(log, "stop "+name); return nil },
					})
				})
			}
			return []fx.Option{hook("a", false), hook("b", false), hook("c", true)}
		}, func(t *testing.T, app *fx.App) {
			require.NoError(t, app.Err())
			err := app.Start(context.Background())
			var pe *parityError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, "c", pe.name)
			// gofly's own hooks (the status) are not in the log.
			assert.Equal(t, []string{"start a", "start b", "start c", "stop b", "stop a"}, log)
		})
	})
	t.Run("start timeout", func(t *testing.T) {
		eachBuilder(t, func() []fx.Option {
			return []fx.Option{fx.Invoke(func(lc fx.Lifecycle) {
				lc.Append(fx.StartHook(func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }))
			})}
		}, func(t *testing.T, app *fx.App) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
			defer cancel()
			assert.ErrorIs(t, app.Start(ctx), context.DeadlineExceeded)
		})
	})
	t.Run("shutdowner exit code", func(t *testing.T) {
		eachBuilder(t, func() []fx.Option {
			return []fx.Option{fx.Invoke(func(sd fx.Shutdowner) error { return sd.Shutdown(fx.ExitCode(3)) })}
		}, func(t *testing.T, app *fx.App) {
			require.NoError(t, app.Start(context.Background()))
			sig := <-app.Wait()
			assert.Equal(t, 3, sig.ExitCode)
			require.NoError(t, app.Stop(context.Background()))
		})
	})
}

type parityError struct{ name string }

func (e *parityError) Error() string { return "hook " + e.name + " failed" }

// The fx events of an app built by gofly.New name the user's call sites for
// what the user provided.
func TestFxEventsNameTheUsersLines(t *testing.T) {
	var rec provideTraces
	app := gofly.New(gofly.Environ(nil), gofly.ConfigYAML(""), gofly.LogOutput(io.Discard),
		fx.WithLogger(func() fxevent.Logger { return &rec }),
		fx.Provide(func() *Named { return &Named{} }))
	require.NoError(t, app.Err())
	require.NotEmpty(t, rec.traces)
	assert.True(t, strings.Contains(rec.traces[0], "fxparity_test.go"), "got %q", rec.traces[0])
}

type provideTraces struct{ traces []string }

func (p *provideTraces) LogEvent(e fxevent.Event) {
	if e, ok := e.(*fxevent.Provided); ok && strings.Contains(strings.Join(e.OutputTypeNames, ","), "Named") {
		p.traces = append(p.traces, e.ModuleTrace[0])
	}
}
