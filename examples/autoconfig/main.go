// Command autoconfig shows how to write auto-configurations: a greeting
// "starter" that provides a default Greeter unless the application has its
// own, configured under greeting: in application.yaml with defaults that sit
// below the file, plus a second auto-configuration that builds on the first.
//
// The gofly facade does the rest: it loads the configuration with the
// starter's defaults below it, evaluates the auto-configurations, builds the
// fx app with the user options first and the matched auto-configurations
// after, and explains a failure. Try:
//
//	go run .                      # the default greeter
//	go run . --debug              # plus the condition report
//	GOFLY_PROFILES_ACTIVE=loud go run .
//	GOFLY_GREETING_ENABLED=false go run .   # fails, and says why
package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"go.uber.org/fx"

	"github.com/gofly-framework/gofly"
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

// greet greets "world" once the app has started, then asks it to stop.
func greet(stdout io.Writer) fx.Option {
	return fx.Invoke(func(lc fx.Lifecycle, g Greeter, sd fx.Shutdowner) {
		lc.Append(fx.StartHook(func() error {
			fmt.Fprintln(stdout, g.Greet("world"))
			return sd.Shutdown()
		}))
	})
}

func main() {
	gofly.Run(Greeting, Loud, greet(os.Stdout))
}
