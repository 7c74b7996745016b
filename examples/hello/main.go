// Command hello is the smallest gofly app: it loads application.yaml, binds
// its "hello" subtree into a struct, prints a greeting when the app starts,
// and shuts itself down. Run it from its directory with `go run .` (it reads
// application.yaml there); `make run` runs the web demo, examples/web.
package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"go.uber.org/fx"
	"go.uber.org/zap"

	"github.com/gofly-framework/gofly"
	"github.com/gofly-framework/gofly/kernel"
)

// Settings is the "hello" subtree of application.yaml.
type Settings struct {
	Greeting string `koanf:"greeting" default:"hello"`
	Name     string `koanf:"name" default:"world"`
	Times    int    `koanf:"times" default:"1"`
}

// Greeter prints the greeting.
type Greeter struct {
	settings Settings
	out      io.Writer
}

// NewGreeter binds the configuration strictly: an unknown key under hello: is an error.
func NewGreeter(cfg *kernel.Config, out io.Writer) (*Greeter, error) {
	s, err := kernel.Bind[Settings](cfg, "hello")
	if err != nil {
		return nil, err
	}
	return &Greeter{settings: s, out: out}, nil
}

// Greet writes the greeting Times times.
func (g *Greeter) Greet() {
	for i := 0; i < g.settings.Times; i++ {
		fmt.Fprintf(g.out, "%s, %s!\n", g.settings.Greeting, g.settings.Name)
	}
}

// registerIn is what register takes from the graph: gofly's logger is there
// as a *zap.Logger named "gofly", so that an app can provide its own.
type registerIn struct {
	fx.In
	Lifecycle  fx.Lifecycle
	Greeter    *Greeter
	Log        *zap.Logger `name:"gofly"`
	Shutdowner fx.Shutdowner
}

// register greets when the app starts, then asks the app to stop.
func register(in registerIn) {
	lc, g, log, sd := in.Lifecycle, in.Greeter, in.Log, in.Shutdowner
	lc.Append(fx.Hook{
		OnStart: func(context.Context) error {
			g.Greet()
			log.Info("greeted; shutting down")
			return sd.Shutdown()
		},
		OnStop: func(context.Context) error {
			log.Info("stopped cleanly")
			return nil
		},
	})
}

// options are the app's options; tests call them with their own writer.
func options(out io.Writer) []gofly.Option {
	return []gofly.Option{
		fx.Supply(fx.Annotate(out, fx.As(new(io.Writer)))),
		fx.Provide(NewGreeter),
		fx.Invoke(register),
	}
}

func main() {
	gofly.Run(options(os.Stdout)...)
}
