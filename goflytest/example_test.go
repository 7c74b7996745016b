package goflytest_test

import (
	"fmt"

	"go.uber.org/fx"

	"github.com/gofly-framework/gofly/goflytest"
	"github.com/gofly-framework/gofly/kernel"
)

// exampleTB stands in for the *testing.T a real test passes.
type exampleTB struct{}

func (exampleTB) Logf(string, ...any)          {}
func (exampleTB) Errorf(f string, args ...any) { fmt.Printf(f+"\n", args...) }
func (exampleTB) FailNow()                     {}

func ExampleNew() {
	type Settings struct {
		Name string `koanf:"name"`
	}
	var cfg *kernel.Config
	app := goflytest.New(exampleTB{}, "app:\n  name: demo\n", fx.Populate(&cfg))
	app.RequireStart()
	defer app.RequireStop()

	s, err := kernel.Bind[Settings](cfg, "app")
	fmt.Println(s.Name, err)
	// Output: demo <nil>
}

func ExampleConfig() {
	cfg := goflytest.Config(exampleTB{}, "plugins:\n  enabled: true\n")
	enabled, err := cfg.Bool("plugins.enabled", false)
	fmt.Println(enabled, err)
	// Output: true <nil>
}
