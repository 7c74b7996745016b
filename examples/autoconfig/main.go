// Command autoconfig shows how to write auto-configurations: a greeting
// "starter" that provides a default Greeter unless the application has its
// own, configured under greeting: in application.yaml with defaults that sit
// below the file, plus a second auto-configuration that builds on the first.
//
// It performs the assembly step by hand (load the configuration, evaluate
// the auto-configurations, build the fx app with the user options first),
// the step the gofly facade performs for its users, so that every part is
// visible. Try:
//
//	go run .                      # the default greeter
//	go run . --debug              # plus the condition report
//	GOFLY_PROFILES_ACTIVE=loud go run .
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"go.uber.org/fx"

	"github.com/gofly-framework/gofly/autoconfig"
	"github.com/gofly-framework/gofly/kernel"
)

// --- the starter: what a library author writes -----------------------------

// Greeter greets someone.
type Greeter interface {
	Greet(name string) string
}

// GreetingSettings is the greeting: subtree of the configuration.
type GreetingSettings struct {
	Enabled bool   `koanf:"enabled"`
	Text    string `koanf:"text"`
}

type textGreeter struct{ text string }

func (g textGreeter) Greet(name string) string { return g.text + ", " + name + "!" }

// NewDefaultGreeter is the default Greeter, configured from greeting.text.
func NewDefaultGreeter(cfg *kernel.Config) (Greeter, error) {
	s, err := kernel.Bind[GreetingSettings](cfg, "greeting")
	if err != nil {
		return nil, err
	}
	return textGreeter{text: s.Text}, nil
}

// Greeting provides the default Greeter when greeting.enabled is true (the
// default) and the application does not provide a Greeter of its own.
var Greeting = autoconfig.New("greeting",
	autoconfig.DefaultProperties(map[string]any{
		"greeting": map[string]any{"enabled": true, "text": "Hello"},
	}),
	autoconfig.When(
		autoconfig.OnBooleanProperty("greeting.enabled", true),
		autoconfig.OnMissingType[Greeter](), // last: the expensive one
	),
	autoconfig.Provide(fx.Provide(NewDefaultGreeter)),
)

type loudGreeter struct{ Greeter }

func (g loudGreeter) Greet(name string) string { return strings.ToUpper(g.Greeter.Greet(name)) }

// Loud makes the default greeter shout when the profile loud is active. It
// needs Greeting (OnAutoConfig also orders it after Greeting).
var Loud = autoconfig.New("greeting-loud",
	autoconfig.When(
		autoconfig.OnAutoConfig("greeting"),
		autoconfig.OnProfile("loud & !quiet"),
	),
	autoconfig.Provide(fx.Decorate(func(g Greeter) Greeter { return loudGreeter{g} })),
)

// --- the application ---------------------------------------------------------

// app runs the application: load the configuration from loadOpts, evaluate
// the auto-configurations, greet "world" once started, stop. It returns the
// process exit code; args are the command-line arguments (--debug).
func app(args []string, stdout, stderr io.Writer, user []fx.Option, loadOpts ...kernel.LoadOption) int {
	candidates := []*autoconfig.AutoConfig{Greeting, Loud}

	// 1. The starters' defaults sit below everything the user controls.
	defaults, err := autoconfig.CollectDefaults(candidates)
	if err != nil {
		fmt.Fprintln(stderr, autoconfig.Explain(err, nil))
		return 1
	}
	cfg, err := kernel.LoadConfig(append([]kernel.LoadOption{kernel.WithDefaults(defaults)}, loadOpts...)...)
	if err != nil {
		fmt.Fprintln(stderr, autoconfig.Explain(err, nil))
		return 1
	}

	// 2. Decide which auto-configurations join the app, and say why.
	res, err := autoconfig.Evaluate(autoconfig.Env{Config: cfg, UserOptions: user}, candidates)
	if err != nil {
		fmt.Fprintln(stderr, autoconfig.Explain(err, nil))
		return 1
	}
	if debug, err := autoconfig.DebugEnabled(cfg, args); err != nil {
		fmt.Fprintln(stderr, autoconfig.Explain(err, res.Report))
		return 1
	} else if debug {
		fmt.Fprintln(stderr, res.Report)
	}

	// 3. The user options first, the matched auto-configurations after.
	opts := []fx.Option{fx.NopLogger, fx.Supply(cfg)}
	opts = append(opts, user...)
	opts = append(opts, res.Options...)
	opts = append(opts, fx.Invoke(func(g Greeter) { fmt.Fprintln(stdout, g.Greet("world")) }))
	a := fx.New(opts...)
	if err := a.Err(); err != nil {
		fmt.Fprintln(stderr, autoconfig.Explain(err, res.Report))
		return 1
	}
	ctx := context.Background()
	if err := a.Start(ctx); err != nil {
		fmt.Fprintln(stderr, autoconfig.Explain(err, res.Report))
		return 1
	}
	if err := a.Stop(ctx); err != nil {
		fmt.Fprintln(stderr, autoconfig.Explain(err, res.Report))
		return 1
	}
	return 0
}

func main() {
	os.Exit(app(os.Args[1:], os.Stdout, os.Stderr, nil))
}
