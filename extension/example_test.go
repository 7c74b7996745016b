package extension_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"go.uber.org/fx"

	"github.com/gofly-framework/gofly/extension"
	"github.com/gofly-framework/gofly/kernel"
)

// Greeter is the type of the examples' point.
type Greeter interface{ Greet(name string) string }

type hello struct{}

func (hello) Greet(name string) string { return "hello, " + name }

type shout struct{}

func (shout) Greet(name string) string { return "HEY " + strings.ToUpper(name) }

var reflectTypeOfGreeter = reflect.TypeFor[Greeter]()

var greeters = extension.NewPoint[Greeter]("greeters", extension.Description("say hello"))

func Example() {
	reg := extension.NewRegistry()
	if err := extension.Declare(reg, greeters); err != nil {
		panic(err)
	}
	_ = extension.Add(reg, greeters, Greeter(hello{}), 10)
	_ = extension.Add(reg, greeters, Greeter(shout{}), 20)

	for _, g := range extension.All(reg, greeters) { // highest priority first
		fmt.Println(g.Greet("gofly"))
	}
	winner, _ := extension.First(reg, greeters)
	fmt.Println("winner:", winner.Greet("gofly"))
	// Output:
	// HEY GOFLY
	// hello, gofly
	// winner: HEY GOFLY
}

// A hook is a point of a func type: the highest-priority function wins.
func Example_hook() {
	type Authorize func(user string) error
	onAuthorize := extension.NewPoint[Authorize]("authorize", extension.Required())

	reg := extension.NewRegistry()
	_ = extension.Declare(reg, onAuthorize)
	_, err := extension.First(reg, onAuthorize)
	fmt.Println(err)

	_ = extension.Add(reg, onAuthorize, func(string) error { return nil }, 0)
	_ = extension.Add(reg, onAuthorize, func(user string) error {
		if user != "admin" {
			return errors.New("denied")
		}
		return nil
	}, 100)

	authorize, _ := extension.First(reg, onAuthorize)
	fmt.Println(authorize("admin"), authorize("guest"))
	// Output:
	// extension point "authorize" has no registered extensions: register one for it
	// <nil> denied
}

func ExampleRegistry_Register() {
	reg := extension.NewRegistry()
	_ = reg.RegisterPoint("greeters", reflectTypeOfGreeter)

	err := reg.Register("greeters", 42, 0)
	fmt.Println(errors.Is(err, kernel.ErrNotImplemented))
	fmt.Println(err)
	// Output:
	// true
	// extension of type int does not implement extension point "greeters" of type extension_test.Greeter: register a value that implements extension_test.Greeter
}

func ExampleRegistry_GetExtension() {
	reg := extension.NewRegistry()
	_, err := reg.GetExtension("greeters")
	fmt.Println(err)

	_ = extension.Declare(reg, greeters)
	_, err = reg.GetExtension("greeters")
	fmt.Println(err)
	// Output:
	// extension point "greeters" is not registered: declare it before reading its extensions
	// extension point "greeters" has no registered extensions: register one for it
}

func ExampleRegistry_Unregister() {
	reg := extension.NewRegistry()
	g := &hello{}
	_ = extension.Add(reg, greeters, Greeter(g), 0)
	fmt.Println(reg.Unregister("greeters", g), len(reg.Get("greeters")))
	fmt.Println(reg.Unregister("greeters", g))
	// Output:
	// true 0
	// false
}

func ExampleView() {
	reg := extension.NewRegistry()
	view := extension.View(reg, greeters) // live: follows later changes
	fmt.Println(len(view.All()))
	_ = extension.Add(reg, greeters, Greeter(hello{}), 0)
	fmt.Println(len(view.All()))
	// Output:
	// 0
	// 1
}

// In an fx app a component takes a point's extensions as a typed parameter.
func ExampleProvide() {
	type Welcome struct{ greeters extension.Extensions[Greeter] }
	app := fx.New(fx.NopLogger,
		extension.Module,
		extension.Provide(greeters),
		extension.Contribute(greeters, Greeter(hello{}), 10),
		extension.ContributeFunc(greeters, func() Greeter { return shout{} }, 20),
		fx.Provide(func(gs extension.Extensions[Greeter]) *Welcome { return &Welcome{greeters: gs} }),
		fx.Invoke(func(w *Welcome) {
			for _, g := range w.greeters.All() {
				fmt.Println(g.Greet("fx"))
			}
		}),
	)
	fmt.Println(app.Err())
	// Output:
	// HEY FX
	// hello, fx
	// <nil>
}

// Of two points of one type, Provide provides the view of one; declare the
// other in an invoke and read it through the registry.
func ExampleProvide_twoPointsOfOneType() {
	welcome := extension.NewPoint[Greeter]("welcome")
	farewell := extension.NewPoint[Greeter]("farewell")
	type Door struct{ in, out extension.Extensions[Greeter] }
	app := fx.New(fx.NopLogger,
		extension.Module,
		extension.Provide(welcome),
		fx.Invoke(func(r *extension.Registry) error { return extension.Declare(r, farewell) }),
		extension.Contribute(welcome, Greeter(hello{}), 0),
		extension.Contribute(farewell, Greeter(shout{}), 0),
		fx.Provide(func(in extension.Extensions[Greeter], r *extension.Registry) *Door {
			return &Door{in: in, out: extension.View(r, farewell)}
		}),
		fx.Invoke(func(d *Door) {
			fmt.Println(d.in.All()[0].Greet("in"), "/", d.out.All()[0].Greet("out"))
		}),
	)
	fmt.Println(app.Err())
	// Output:
	// hello, in / HEY OUT
	// <nil>
}
