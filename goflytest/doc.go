// Package goflytest helps users test their gofly apps: it builds an app from
// in-memory YAML on top of go.uber.org/fx/fxtest, isolated from the process
// environment and from application.yaml in the working directory.
//
// # Usage
//
//	app := goflytest.New(t, "greeting: hi\n", fx.Provide(NewGreeter), fx.Populate(&g))
//	app.RequireStart()
//	defer app.RequireStop()
//
// Use [Assemble] to assert that a configuration is rejected, and [Config] for a
// configuration alone.
//
// # Testing starters and auto-configurations
//
// [Runner] is gofly's ApplicationContextRunner: build an app from properties
// and options, then assert what is in the graph ([Has], [Get]), what the
// condition report says, and why a build or start failed:
//
//	goflytest.NewRunner(plugins.Define("core")).
//		WithOptions(gofly.Overrides(map[string]any{"plugins.enabled": true})).
//		Started().
//		Run(t, func(c *goflytest.Context) {
//			require.NoError(t, c.Err())
//			assert.True(t, goflytest.Has[*plugins.Manager](c))
//		})
package goflytest
