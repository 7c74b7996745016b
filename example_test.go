package gofly_test

import (
	"context"
	"fmt"
	"io"

	"go.uber.org/fx"

	"github.com/gofly-framework/gofly"
	"github.com/gofly-framework/gofly/kernel"
)

func ExampleNew() {
	type Settings struct {
		Greeting string `koanf:"greeting" default:"hello"`
		Name     string `koanf:"name"`
	}
	app := gofly.New(
		gofly.ConfigYAML("app:\n  name: gofly\n"), // instead of application.yaml
		gofly.Environ([]string{"GOFLY_APP_GREETING=hi"}),
		gofly.LogOutput(io.Discard),
		fx.Invoke(func(lc fx.Lifecycle, cfg *kernel.Config) error {
			s, err := kernel.Bind[Settings](cfg, "app")
			if err != nil {
				return err
			}
			lc.Append(fx.StartHook(func() { fmt.Printf("%s, %s\n", s.Greeting, s.Name) }))
			return nil
		}),
	)
	if err := app.Start(context.Background()); err != nil {
		fmt.Println(err)
		return
	}
	_ = app.Stop(context.Background())
	// Output: hi, gofly
}

func ExampleAssemble() {
	a, err := gofly.Assemble(gofly.Environ(nil), gofly.ConfigYAML("plugins:\n  enabled: yse\n"))
	fmt.Println(a == nil)
	fmt.Println(err)
	// Output:
	// true
	// evaluating auto-configuration "extension", condition Any(OnBooleanProperty(plugins.enabled, default false), OnBooleanProperty(extension.enabled, default false)): config key "plugins.enabled" in inline.yaml: cannot use "yse" as bool: want true or false
}
