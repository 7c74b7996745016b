package kernel_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gofly-framework/gofly/kernel"
)

func ExampleLoadConfig() {
	cfg, err := kernel.LoadConfig(
		kernel.WithYAML("application.yaml", []byte(`
plugins:
  enabled: true
  start-timeout: 15s
db:
  url: postgres://${DB_HOST:localhost}:5432/app
`)),
		kernel.WithEnviron([]string{"GOFLY_PLUGINS_START_TIMEOUT=30s", "DB_HOST=db.internal"}),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg.Keys())
	fmt.Println(cfg.String("plugins.start-timeout"), "from", cfg.Source("plugins.start-timeout"))
	fmt.Println(cfg.String("db.url"), "from", cfg.Source("db.url"))
	// Output:
	// [db.url plugins.enabled plugins.start-timeout]
	// 30s from env GOFLY_PLUGINS_START_TIMEOUT
	// postgres://db.internal:5432/app from application.yaml
}

// PluginsConfig is the plugins.* section of application.yaml.
type PluginsConfig struct {
	Enabled      bool          `koanf:"enabled"`
	StartTimeout time.Duration `koanf:"start-timeout" default:"15s"`
	Exclude      []string      `koanf:"exclude"`
}

func ExampleBind() {
	cfg, err := kernel.LoadConfig(
		kernel.WithYAML("application.yaml", []byte(`
plugins:
  enabled: true
  exclude: [legacy-*]
`)),
		kernel.WithEnviron([]string{"GOFLY_PLUGINS_EXCLUDE=legacy-*,experimental-*"}),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	plugins, err := kernel.Bind[PluginsConfig](cfg, "plugins")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%+v\n", plugins)
	// Output:
	// {Enabled:true StartTimeout:15s Exclude:[legacy-* experimental-*]}
}

func ExampleBind_errors() {
	for _, yaml := range []string{
		"plugins:\n  enabled: yse\n",
		"plugins:\n  enabled: true\n  start-timout: 30s\n",
	} {
		cfg, err := kernel.LoadConfig(kernel.WithEnviron(nil), kernel.WithYAML("application.yaml", []byte(yaml)))
		if err != nil {
			fmt.Println(err)
			return
		}
		_, err = kernel.Bind[PluginsConfig](cfg, "plugins")
		fmt.Println(err)

		var ce *kernel.ConfigError
		if errors.As(err, &ce) && errors.Is(err, kernel.ErrConfig) {
			fmt.Printf("key=%s value=%s source=%s line=%d\n", ce.Key, ce.Value, ce.Source, ce.Line)
		}
	}
	// Output:
	// config key "plugins.enabled" in application.yaml: cannot use "yse" as bool: want true or false
	// key=plugins.enabled value=yse source=application.yaml line=2
	// config key "plugins.start-timout" in application.yaml: unknown key: check its spelling or remove it (known under "plugins": enabled, exclude, start-timeout)
	// key=plugins.start-timout value=30s source=application.yaml line=3
}

func ExampleWithProfiles() {
	dir, err := os.MkdirTemp("", "gofly-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	files := map[string]string{
		"application.yaml":      "greeting: hello\nlogging:\n  level: info\n",
		"application-dev.yaml":  "logging:\n  level: debug\n",
		"application-demo.yaml": "greeting: welcome to the demo\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			fmt.Println(err)
			return
		}
	}

	cfg, err := kernel.LoadConfig(
		kernel.WithDir(dir),
		kernel.WithProfiles("dev", "demo", "local"), // "local" has no file: fine
		kernel.WithEnviron(nil),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range cfg.Files() {
		fmt.Println(filepath.Base(f))
	}
	fmt.Println(cfg.Profiles())
	fmt.Println(cfg.String("greeting"), "/", cfg.String("logging.level"))
	// Output:
	// application.yaml
	// application-dev.yaml
	// application-demo.yaml
	// [dev demo local]
	// welcome to the demo / debug
}

func ExampleWithDefaults() {
	cfg, err := kernel.LoadConfig(
		kernel.WithDefaults(map[string]any{"server.port": 8080, "server.host": "localhost"}),
		kernel.WithYAML("application.yaml", []byte("server:\n  host: example.org\n")),
		kernel.WithOverrides(map[string]any{"debug": true}),
		kernel.WithEnviron(nil),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, key := range cfg.Keys() {
		fmt.Printf("%s = %v (%s)\n", key, cfg.Get(key), cfg.Source(key))
	}
	// Output:
	// debug = true (overrides)
	// server.host = example.org (application.yaml)
	// server.port = 8080 (defaults)
}
