package plugins_test

import (
	"context"
	"fmt"

	"go.uber.org/fx"

	"github.com/gofly-framework/gofly/extension"
	"github.com/gofly-framework/gofly/kernel"
	"github.com/gofly-framework/gofly/plugins"
)

// Formatter is the type of an example extension point.
type Formatter interface{ Format(s string) string }

type upper struct{}

func (upper) Format(s string) string { return "<" + s + ">" }

var formatters = extension.NewPoint[Formatter]("formatters")

// A manager driven by hand: plugins are added in any order and start in
// dependency order.
func Example() {
	ctx := context.Background()
	say := func(s string) func(context.Context) error {
		return func(context.Context) error { fmt.Println(s); return nil }
	}
	reg := extension.NewRegistry()
	m := plugins.NewManager(reg, plugins.WithListener(func(ch plugins.StateChange) {
		fmt.Printf("  %s: %s -> %s\n", ch.Plugin, ch.Old, ch.New)
	}))
	_ = m.Add(plugins.Define("json",
		plugins.Version("1.2.0"),
		plugins.DependsOn("core", ">=1.0.0 <2.0.0"),
		plugins.Extend[Formatter](formatters, upper{}, 10),
		plugins.OnStart(say("json starts")),
	))
	_ = m.Add(plugins.Define("core",
		plugins.Version("1.4.0"),
		plugins.Declares(formatters),
		plugins.OnStart(say("core starts")),
		plugins.OnStop(say("core stops")),
	))
	order, _ := m.Order()
	fmt.Println("order:", order)
	if err := m.StartAll(ctx); err != nil {
		fmt.Println(err)
	}
	for _, f := range extension.All(reg, formatters) {
		fmt.Println(f.Format("hello"))
	}
	_ = m.StopAll(ctx)
	// Output:
	//   json: UNLOADED -> LOADED
	//   core: UNLOADED -> LOADED
	// order: [core json]
	// core starts
	//   core: LOADED -> STARTED
	// json starts
	//   json: LOADED -> STARTED
	// <hello>
	//   json: STARTED -> STOPPED
	// core stops
	//   core: STARTED -> STOPPED
}

// Resolution errors name what is wrong: here, a cycle.
func ExampleManager_Order() {
	m := plugins.NewManager(nil)
	_ = m.Add(plugins.Define("a", plugins.DependsOn("b")))
	_ = m.Add(plugins.Define("b", plugins.DependsOn("c")))
	_ = m.Add(plugins.Define("c", plugins.DependsOn("a")))
	_, err := m.Order()
	fmt.Println(err)
	// Output:
	// plugins form a dependency cycle: a -> b -> c -> a; remove one of these dependencies
}

// In an fx app, plugins are fx options and their hooks take parameters from
// the graph; the manager starts them with the app, in dependency order.
func ExampleNew() {
	type Greeting struct{ Text string }
	app := fx.New(fx.NopLogger,
		extension.Module,
		plugins.Module,
		plugins.New("greeter",
			plugins.DependsOn("store"),
			plugins.OnStart(func(ctx context.Context, g *Greeting) error {
				fmt.Println("greeter says", g.Text)
				return nil
			}),
		),
		plugins.New("store",
			plugins.FxOptions(fx.Supply(&Greeting{Text: "hello"})),
			plugins.OnStart(func(context.Context) error { fmt.Println("store starts"); return nil }),
		),
	)
	_ = app.Start(context.Background())
	_ = app.Stop(context.Background())
	// Output:
	// store starts
	// greeter says hello
}

// Filters disable plugins, and the plugins that require them, with reasons.
func ExampleManager_Decisions() {
	s := plugins.DefaultSettings()
	s.Exclude = []string{"legacy-*"}
	m := plugins.NewManager(nil, plugins.WithSettings(s))
	_ = m.Add(plugins.Define("legacy-auth"))
	_ = m.Add(plugins.Define("sso", plugins.DependsOn("legacy-auth")))
	_ = m.Add(plugins.Define("web"))
	for _, d := range m.Decisions() {
		fmt.Println(d)
	}
	// Output:
	// legacy-auth: disabled (id "legacy-auth" matches plugins.exclude "legacy-*")
	// sso: disabled (depends on disabled plugin "legacy-auth")
	// web: enabled (id "web" matches no plugins.exclude pattern)
}

// A plugin binds its own configuration subtree, plugins.config.<id>, strictly.
func ExampleBindConfig() {
	type GreeterConfig struct {
		Greeting string `koanf:"greeting" default:"hello"`
		Times    int    `koanf:"times" default:"1"`
	}
	cfg, _ := kernel.LoadConfig(kernel.WithEnviron(nil), kernel.WithYAML("application.yaml", []byte(`
plugins:
  config:
    greeter:
      times: 3
`)))
	c, err := plugins.BindConfig[GreeterConfig](cfg, "greeter")
	fmt.Println(c, err)
	// Output:
	// {hello 3} <nil>
}
