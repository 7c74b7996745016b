package kernel_test

import (
	"testing"
	"time"

	kyaml "github.com/knadh/koanf/parsers/yaml"
	"github.com/knadh/koanf/providers/rawbytes"
	"github.com/knadh/koanf/v2"

	"github.com/gofly-framework/gofly/kernel"
)

var benchYAML = []byte(`
app:
  name: bench
  plugins:
    enabled: true
    exclude: ["legacy-*", "old-*"]
    start-timeout: 15s
    tags: {exclude: [experimental]}
  server:
    host: 0.0.0.0
    port: 8080
    read-timeout: 5s
    write-timeout: 10s
  components:
    cache: {driver: redis, load: auto, opts: {url: "redis://127.0.0.1:6379/0"}}
    db: {driver: postgres, load: "yes", opts: {url: "postgres://localhost/app", pool: 10}}
logging:
  level: info
  format: json
`)

type benchComponent struct {
	Driver string         `koanf:"driver"`
	Load   string         `koanf:"load" default:"auto"`
	Opts   map[string]any `koanf:"opts"`
}

type benchApp struct {
	Name    string `koanf:"name"`
	Plugins struct {
		Enabled      bool          `koanf:"enabled"`
		Exclude      []string      `koanf:"exclude"`
		StartTimeout time.Duration `koanf:"start-timeout"`
		Tags         struct {
			Exclude []string `koanf:"exclude"`
		} `koanf:"tags"`
	} `koanf:"plugins"`
	Server struct {
		Host         string        `koanf:"host"`
		Port         int           `koanf:"port"`
		ReadTimeout  time.Duration `koanf:"read-timeout"`
		WriteTimeout time.Duration `koanf:"write-timeout"`
	} `koanf:"server"`
	Components map[string]benchComponent `koanf:"components"`
}

// BenchmarkLoadConfig loads the YAML through every layer (no environment).
func BenchmarkLoadConfig(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := kernel.LoadConfig(kernel.WithEnviron(nil), kernel.WithYAML("app.yaml", benchYAML)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadConfigBaselineKoanf is the baseline: plain koanf with its
// YAML parser (no lines, no sources, no placeholders, no layers).
func BenchmarkLoadConfigBaselineKoanf(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		k := koanf.New(".")
		if err := k.Load(rawbytes.Provider(benchYAML), kyaml.Parser()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBind binds the app subtree strictly.
func BenchmarkBind(b *testing.B) {
	c, err := kernel.LoadConfig(kernel.WithEnviron(nil), kernel.WithYAML("app.yaml", benchYAML))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := kernel.Bind[benchApp](c, "app"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBindBaselineKoanfUnmarshal is the baseline: koanf's Unmarshal
// (mapstructure, not strict, no default tags).
func BenchmarkBindBaselineKoanfUnmarshal(b *testing.B) {
	k := koanf.New(".")
	if err := k.Load(rawbytes.Provider(benchYAML), kyaml.Parser()); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var out benchApp
		if err := k.Unmarshal("app", &out); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkConfigGet reads one scalar.
func BenchmarkConfigGet(b *testing.B) {
	c, err := kernel.LoadConfig(kernel.WithEnviron(nil), kernel.WithYAML("app.yaml", benchYAML))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if c.Get("app.server.port") == nil {
			b.Fatal("missing")
		}
	}
}

// BenchmarkConfigGetBaselineMap is the baseline: a lookup in a flat map.
func BenchmarkConfigGetBaselineMap(b *testing.B) {
	c, err := kernel.LoadConfig(kernel.WithEnviron(nil), kernel.WithYAML("app.yaml", benchYAML))
	if err != nil {
		b.Fatal(err)
	}
	flat := c.All()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if flat["app.server.port"] == nil {
			b.Fatal("missing")
		}
	}
}
