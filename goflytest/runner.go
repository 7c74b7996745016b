package goflytest

import (
	"context"
	"slices"
	"testing"

	"go.uber.org/fx"

	"github.com/gofly-framework/gofly"
	"github.com/gofly-framework/gofly/autoconfig"
	"github.com/gofly-framework/gofly/kernel"
)

// Runner builds apps for tests of starters and auto-configurations, as
// Spring's ApplicationContextRunner does: give it configuration and options,
// run it, and assert what is in the graph, what the condition report says, or
// why the app failed to build or start.
//
// A Runner is an immutable value: each With method returns a new Runner, so a
// base runner can be shared by the subtests of a table. Properties above the
// YAML and an environment are gofly options like any other:
//
//	base := goflytest.NewRunner(web.Starter())
//	base.WithOptions(gofly.Overrides(map[string]any{"web.admin.enabled": true})).Run(t, func(c *goflytest.Context) {
//		require.NoError(t, c.Err())
//		assert.True(t, goflytest.Has[*web.Server](c))
//	})
type Runner struct {
	opts  []gofly.Option
	start bool
}

// NewRunner returns a Runner with the given options (fx options, plugins,
// auto-configurations, gofly settings), no configuration and no environment.
func NewRunner(opts ...gofly.Option) Runner { return Runner{opts: slices.Clone(opts)} }

// WithOptions adds options after those the Runner has: fx options, plugins,
// auto-configurations and gofly settings, such as gofly.Overrides for
// properties above the YAML and gofly.Environ for an environment (the
// Runner's default is none: a later gofly.Environ replaces it).
func (r Runner) WithOptions(opts ...gofly.Option) Runner {
	r.opts = append(slices.Clone(r.opts), opts...)
	return r
}

// Started makes Run also start the app before the check (and stop it
// after); a failed start is then reported by Context.Err.
func (r Runner) Started() Runner { r.start = true; return r }

// Run assembles and builds the app (and starts it, with Started), then calls
// check with the outcome. It does not fail the test itself when the app
// fails: check asserts that with Context.Err. A started app is stopped when
// check returns, failing the test if it does not stop cleanly.
func (r Runner) Run(tb testing.TB, check func(c *Context)) {
	tb.Helper()
	c := &Context{tb: tb}
	c.assembly, c.err = Assemble(tb, "", r.opts...)
	if c.err == nil {
		c.app = fx.New(c.assembly.Options...)
		c.err = c.app.Err()
	}
	if c.err == nil && r.start {
		ctx, cancel := context.WithTimeout(context.Background(), c.app.StartTimeout())
		c.err = c.app.Start(ctx)
		cancel()
		if c.err == nil {
			defer func() {
				ctx, cancel := context.WithTimeout(context.Background(), c.app.StopTimeout())
				defer cancel()
				if err := c.app.Stop(ctx); err != nil {
					tb.Errorf("goflytest: the app did not stop cleanly: %v", err)
				}
			}()
		}
	}
	check(c)
}

// Context is the outcome of a [Runner.Run].
type Context struct {
	tb       testing.TB
	assembly *gofly.Assembly
	app      *fx.App
	err      error
}

// Err is why the app could not be assembled, built or (with Started)
// started; nil when it could. autoconfig.Analyze(c.Err(), c.Report()) says
// what failed and what to do, as gofly.Run prints it.
func (c *Context) Err() error { return c.err }

// Report is the condition report; nil when the assembly failed before it.
func (c *Context) Report() *autoconfig.Report {
	if c.assembly == nil {
		return nil
	}
	return c.assembly.Report
}

// Config is the loaded configuration; nil when it could not be loaded.
func (c *Context) Config() *kernel.Config {
	if c.assembly == nil {
		return nil
	}
	return c.assembly.Config
}

// Has reports whether the app's graph provides a T. It checks the graph
// without running constructors; false when the app failed.
func Has[T any](c *Context) bool {
	if c.err != nil {
		return false
	}
	opts := append(slices.Clone(c.assembly.Options), fx.Invoke(func(T) {}))
	return fx.ValidateApp(opts...) == nil
}

// Get returns the graph's T, failing the test when the app failed or has
// none. It builds the graph again with fx.Populate: constructors run once
// more, so compare values, not identities, across calls.
func Get[T any](c *Context) T {
	c.tb.Helper()
	var v T
	if c.err != nil {
		c.tb.Fatalf("goflytest: Get[%T]: the app failed: %v", v, c.err)
		return v
	}
	opts := append(slices.Clone(c.assembly.Options), fx.Populate(&v))
	if err := fx.New(opts...).Err(); err != nil {
		c.tb.Fatalf("goflytest: Get[%T]: %v", v, err)
	}
	return v
}
