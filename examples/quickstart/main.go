package main

import (
	"context"
	"fmt"

	"go.uber.org/fx"

	"github.com/gofly-framework/gofly"
	"github.com/gofly-framework/gofly/kernel"
)

type Settings struct {
	Greeting string `koanf:"greeting" default:"hello"`
}

func main() {
	gofly.Run(
		fx.Invoke(func(lc fx.Lifecycle, cfg *kernel.Config) error {
			s, err := kernel.Bind[Settings](cfg, "app") // strict: unknown keys under app: are errors
			if err != nil {
				return err
			}
			lc.Append(fx.StartHook(func(context.Context) { fmt.Println(s.Greeting) }))
			return nil
		}),
	)
}
