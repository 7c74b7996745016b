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
package goflytest
