package kernel_test

import (
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap/zapcore"

	"github.com/gofly-framework/gofly/kernel"
)

type tlsConfig struct {
	Cert string `koanf:"cert"`
	Key  string `koanf:"key" default:"key.pem"`
}

type backend struct {
	Name   string `koanf:"name"`
	Weight int    `koanf:"weight" default:"1"`
}

type Common struct {
	ID string `koanf:"id"`
}

type Extra struct {
	Note string `koanf:"note" default:"n"`
}

type serverConfig struct {
	Common
	*Extra
	Host     string             `koanf:"host" default:"localhost"`
	Port     int                `koanf:"port" default:"8080"`
	Debug    bool               `koanf:"debug"`
	Ratio    float64            `koanf:"ratio" default:"0.5"`
	Timeout  time.Duration      `koanf:"timeout" default:"15s"`
	Tags     []string           `koanf:"tags" default:"a,b"`
	Ports    []int              `koanf:"ports"`
	Limits   map[string]int     `koanf:"limits"`
	TLS      *tlsConfig         `koanf:"tls"`
	Backends []backend          `koanf:"backends"`
	Routes   map[string]backend `koanf:"routes"`
	Opts     map[string]any     `koanf:"opts"`
	Anything any                `koanf:"anything"`
	Level    zapcore.Level      `koanf:"level" default:"info"`
	IP       net.IP             `koanf:"ip"`
	MaxConns uint16             `koanf:"max-conns"`
	Small    int8               `koanf:"small"`
	Ratio32  float32            `koanf:"ratio32"`
	Optional *bool              `koanf:"optional"`
	Named    Common             `koanf:"named"`
	Untagged string
	Skipped  string `koanf:"-"`
	private  string // unexported fields are never bound
}

var _ = serverConfig{}.private // the field exists only to show it is not bound

func defaultServer() serverConfig {
	return serverConfig{
		Extra: &Extra{Note: "n"},
		Host:  "localhost", Port: 8080, Ratio: 0.5, Timeout: 15 * time.Second,
		Tags: []string{"a", "b"}, Level: zapcore.InfoLevel,
	}
}

func TestBindDefaultsOnly(t *testing.T) {
	for _, yaml := range []string{"", "other: 1", "server: ~", "server: {host: ~, named: ~}"} {
		t.Run(fmt.Sprintf("%q", yaml), func(t *testing.T) {
			got, err := kernel.Bind[serverConfig](yamlConfig(t, yaml), "server")
			require.NoError(t, err)
			assert.Equal(t, defaultServer(), got)
		})
	}
}

func TestBindAllKinds(t *testing.T) {
	c := yamlConfig(t, `
server:
  id: s1
  note: hello
  host: example.org
  port: 9090
  debug: TRUE
  ratio: 2
  timeout: 1m30s
  tags: [x]
  ports: [80, "443"]
  limits: {a: 1, b: 2}
  tls: {cert: c.pem}
  backends:
    - {name: one}
    - {name: two, weight: 5}
  routes:
    home: {name: h}
  opts:
    anything: [1, {deep: true}]
    unknown-is-fine: yes
  anything: {a: b}
  level: WARN
  ip: 10.0.0.1
  max-conns: 100
  small: -8
  ratio32: 1.25
  optional: false
  named: {id: n}
  untagged: u
`)
	got, err := kernel.Bind[serverConfig](c, "server")
	require.NoError(t, err)
	no := false
	want := serverConfig{
		Common: Common{ID: "s1"}, Extra: &Extra{Note: "hello"},
		Host: "example.org", Port: 9090, Debug: true, Ratio: 2, Timeout: 90 * time.Second,
		Tags: []string{"x"}, Ports: []int{80, 443}, Limits: map[string]int{"a": 1, "b": 2},
		TLS:      &tlsConfig{Cert: "c.pem", Key: "key.pem"},
		Backends: []backend{{Name: "one", Weight: 1}, {Name: "two", Weight: 5}},
		Routes:   map[string]backend{"home": {Name: "h", Weight: 1}},
		Opts:     map[string]any{"anything": []any{1, map[string]any{"deep": true}}, "unknown-is-fine": "yes"},
		Anything: map[string]any{"a": "b"},
		Level:    zapcore.WarnLevel, IP: net.ParseIP("10.0.0.1"), MaxConns: 100, Small: -8, Ratio32: 1.25,
		Optional: &no, Named: Common{ID: "n"}, Untagged: "u",
	}
	assert.Equal(t, want, got)
}

func TestBindFromEnvironmentStrings(t *testing.T) {
	c, err := kernel.LoadConfig(kernel.WithYAML("app.yaml", nil), kernel.WithEnviron([]string{
		"GOFLY_SERVER_PORT=7070", "GOFLY_SERVER_DEBUG=True", "GOFLY_SERVER_RATIO=0.25", "GOFLY_SERVER_TIMEOUT=250ms",
		"GOFLY_SERVER_TAGS=p, q ,r", "GOFLY_SERVER_PORTS=1,2", "GOFLY_SERVER_MAX_CONNS=7", "GOFLY_SERVER_MAXCONNS=8",
		"GOFLY_SERVER_LIMITS_A=3", "GOFLY_SERVER_TLS_CERT=env.pem", "GOFLY_SERVER_LEVEL=debug", "GOFLY_SERVER_OPTIONAL=false",
		"GOFLY_SERVER_BACKENDS=", "GOFLY_SERVER_SMALL= -3 ", "GOFLY_SERVER_COLOUR=red",
	}))
	require.NoError(t, err)
	got, err := kernel.Bind[serverConfig](c, "server")
	require.NoError(t, err, "variables that name no field (COLOUR, MAXCONNS) and map entries no layer has (LIMITS_A) are ignored")
	want := defaultServer()
	no := false
	want.Port, want.Debug, want.Ratio, want.Timeout = 7070, true, 0.25, 250*time.Millisecond
	want.Tags, want.Ports, want.MaxConns = []string{"p", "q", "r"}, []int{1, 2}, 7
	want.TLS, want.Level, want.Optional, want.Backends, want.Small = &tlsConfig{Cert: "env.pem", Key: "key.pem"}, zapcore.DebugLevel, &no, []backend{}, -3
	assert.Equal(t, want, got)
	assert.Equal(t, "7", c.Get("server.max-conns"), "Get agrees with Bind")
	assert.Equal(t, "env GOFLY_SERVER_MAX_CONNS", c.Source("server.max-conns"))
}

func TestBindErrors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "application.yaml")
	tests := []struct {
		desc      string
		yaml      string
		environ   []string
		wantKey   string
		wantValue string
		wantLine  int
		wantMsg   string // full message when wantSource is the file; else a part of it
		envSource string
	}{
		{desc: "invalid bool yse", yaml: "server:\n  debug: yse\n", wantKey: "server.debug", wantValue: "yse", wantLine: 2,
			wantMsg: `config key "server.debug" in ` + path + `: cannot use "yse" as bool: want true or false`},
		{desc: "bool 1 from YAML", yaml: "server:\n  debug: 1\n", wantKey: "server.debug", wantValue: "1", wantLine: 2,
			wantMsg: `config key "server.debug" in ` + path + `: cannot use 1 as bool: want true or false`},
		{desc: "bool yes from YAML", yaml: "server:\n  debug: yes\n", wantKey: "server.debug", wantValue: "yes", wantLine: 2,
			wantMsg: `config key "server.debug" in ` + path + `: cannot use "yes" as bool: want true or false`},
		{desc: "bool 1 from env", environ: []string{"GOFLY_SERVER_DEBUG=1"}, wantKey: "server.debug", wantValue: "1", envSource: "env GOFLY_SERVER_DEBUG",
			wantMsg: `config key "server.debug" in env GOFLY_SERVER_DEBUG: cannot use "1" as bool: want true or false`},
		{desc: "bool yse from env", environ: []string{"GOFLY_SERVER_DEBUG=yse"}, wantKey: "server.debug", wantValue: "yse", envSource: "env GOFLY_SERVER_DEBUG",
			wantMsg: `config key "server.debug" in env GOFLY_SERVER_DEBUG: cannot use "yse" as bool: want true or false`},
		{desc: "unknown key", yaml: "server:\n  host: h\n  colour: red\n", wantKey: "server.colour", wantValue: "red", wantLine: 3,
			wantMsg: `config key "server.colour" in ` + path + `: unknown key: check its spelling or remove it (known under "server": anything, backends, debug, host, id, ip, level, limits, max-conns, named, note, optional, opts, port, ports, ratio, ratio32, routes, small, tags, timeout, tls, untagged)`},
		{desc: "unknown subtree", yaml: "server:\n  extra:\n    a: 1\n", wantKey: "server.extra", wantValue: "<mapping>", wantLine: 2,
			wantMsg: `config key "server.extra" in ` + path + `: unknown key`},
		{desc: "whole number from env", environ: []string{"GOFLY_SERVER_PORT=80x"}, wantKey: "server.port", wantValue: "80x", envSource: "env GOFLY_SERVER_PORT",
			wantMsg: `config key "server.port" in env GOFLY_SERVER_PORT: cannot use "80x" as int: want a whole number`},
		{desc: "env over the file", yaml: "server:\n  port: 1\n", environ: []string{"GOFLY_SERVER_PORT=x"}, wantKey: "server.port", wantValue: "x", envSource: "env GOFLY_SERVER_PORT",
			wantMsg: `config key "server.port" in env GOFLY_SERVER_PORT: cannot use "x" as int`},
		{desc: "unknown key in nested struct", yaml: "server:\n  tls:\n    cert: c\n    crt: d\n", wantKey: "server.tls.crt", wantValue: "d", wantLine: 4,
			wantMsg: `config key "server.tls.crt" in ` + path + `: unknown key: check its spelling or remove it (known under "server.tls": cert, key)`},
		{desc: "unknown key in map entry", yaml: "server:\n  routes:\n    home:\n      nme: x\n", wantKey: "server.routes.home.nme", wantValue: "x", wantLine: 4,
			wantMsg: `unknown key: check its spelling or remove it (known under "server.routes.home": name, weight)`},
		{desc: "unknown key in list element", yaml: "server:\n  backends:\n    - name: a\n    - nme: b\n", wantKey: "server.backends[1].nme", wantValue: "b", wantLine: 4,
			wantMsg: `config key "server.backends[1].nme" in ` + path + `: unknown key`},
		{desc: "untagged field uses the lower-cased name", yaml: "server:\n  Untagged: x\n", wantKey: "server.Untagged", wantValue: "x", wantLine: 2,
			wantMsg: `unknown key`},
		{desc: "unexported field", yaml: "server:\n  private: x\n", wantKey: "server.private", wantValue: "x", wantLine: 2, wantMsg: `unknown key`},
		{desc: "skipped field", yaml: "server:\n  skipped: x\n", wantKey: "server.skipped", wantValue: "x", wantLine: 2, wantMsg: `unknown key`},
		{desc: "not a whole number", yaml: "server:\n  port: abc\n", wantKey: "server.port", wantValue: "abc", wantLine: 2,
			wantMsg: `config key "server.port" in ` + path + `: cannot use "abc" as int: want a whole number`},
		{desc: "fraction for int", yaml: "server:\n  port: 1.5\n", wantKey: "server.port", wantValue: "1.5", wantLine: 2, wantMsg: `cannot use 1.5 as int: want a whole number`},
		{desc: "bool for int", yaml: "server:\n  port: true\n", wantKey: "server.port", wantValue: "true", wantLine: 2, wantMsg: `cannot use true as int`},
		{desc: "int8 out of range", yaml: "server:\n  small: 300\n", wantKey: "server.small", wantValue: "300", wantLine: 2, wantMsg: `cannot use 300 as int8: out of range`},
		{desc: "negative uint", yaml: "server:\n  max-conns: -1\n", wantKey: "server.max-conns", wantValue: "-1", wantLine: 2, wantMsg: `cannot use -1 as uint16: want a whole number, zero or more`},
		{desc: "uint16 out of range", yaml: "server:\n  max-conns: 70000\n", wantKey: "server.max-conns", wantValue: "70000", wantLine: 2, wantMsg: `cannot use 70000 as uint16: out of range`},
		{desc: "float from text", yaml: "server:\n  ratio: half\n", wantKey: "server.ratio", wantValue: "half", wantLine: 2, wantMsg: `cannot use "half" as float64: want a number`},
		{desc: "float32 out of range", yaml: "server:\n  ratio32: 1e300\n", wantKey: "server.ratio32", wantValue: "1e+300", wantLine: 2, wantMsg: `cannot use 1e+300 as float32: out of range`},
		{desc: "duration without unit", yaml: "server:\n  timeout: 15\n", wantKey: "server.timeout", wantValue: "15", wantLine: 2,
			wantMsg: `config key "server.timeout" in ` + path + `: cannot use 15 as duration: want a duration such as "15s", "1m30s" or "250ms" (a bare number has no unit)`},
		{desc: "duration text without unit", yaml: "server:\n  timeout: '15'\n", wantKey: "server.timeout", wantValue: "15", wantLine: 2, wantMsg: `cannot use "15" as duration: want a duration such as`},
		{desc: "list for string", yaml: "server:\n  host: [a, b]\n", wantKey: "server.host", wantValue: "[a, b]", wantLine: 2, wantMsg: `cannot use a list as string: want a single value`},
		{desc: "float for string", yaml: "server:\n  host: 1.10\n", wantKey: "server.host", wantValue: "1.1", wantLine: 2, wantMsg: `cannot use the number 1.1 as string: put it in quotes`},
		{desc: "mapping for list", yaml: "server:\n  tags: {a: 1}\n", wantKey: "server.tags", wantValue: "<mapping>", wantLine: 2, wantMsg: `cannot use a mapping as []string: want a list or a comma-separated string`},
		{desc: "number for list", yaml: "server:\n  tags: 5\n", wantKey: "server.tags", wantValue: "5", wantLine: 2, wantMsg: `cannot use 5 as []string: want a list`},
		{desc: "list element", yaml: "server:\n  ports:\n    - 80\n    - x\n", wantKey: "server.ports[1]", wantValue: "x", wantLine: 4, wantMsg: `config key "server.ports[1]" in ` + path + `: cannot use "x" as int`},
		{desc: "scalar for map", yaml: "server:\n  limits: 3\n", wantKey: "server.limits", wantValue: "3", wantLine: 2, wantMsg: `cannot use 3 as map[string]int: want a mapping`},
		{desc: "map value", yaml: "server:\n  limits: {a: x}\n", wantKey: "server.limits.a", wantValue: "x", wantLine: 2, wantMsg: `config key "server.limits.a" in ` + path + `: cannot use "x" as int`},
		{desc: "scalar for struct", yaml: "server:\n  tls: on\n", wantKey: "server.tls", wantValue: "on", wantLine: 2, wantMsg: `cannot use "on" as kernel_test.tlsConfig: want a mapping`},
		{desc: "scalar for the prefix", yaml: "server: 5\n", wantKey: "server", wantValue: "5", wantLine: 1, wantMsg: `cannot use 5 as kernel_test.serverConfig: want a mapping`},
		{desc: "text unmarshaler", yaml: "server:\n  level: loud\n", wantKey: "server.level", wantValue: "loud", wantLine: 2, wantMsg: `cannot use "loud" as zapcore.Level: unrecognized level: "loud"`},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			writeFiles(t, dir, map[string]string{"application.yaml": tt.yaml})
			c, err := kernel.LoadConfig(kernel.WithDir(dir), kernel.WithEnviron(tt.environ))
			require.NoError(t, err)
			_, err = kernel.Bind[serverConfig](c, "server")
			ce := asConfigError(t, err)
			assert.Equal(t, tt.wantKey, ce.Key)
			assert.Equal(t, tt.wantValue, ce.Value)
			wantSource := path
			if tt.envSource != "" {
				wantSource = tt.envSource
			}
			assert.Equal(t, wantSource, ce.Source)
			assert.Equal(t, tt.wantLine, ce.Line)
			assert.Contains(t, err.Error(), tt.wantMsg)
		})
	}
}

type badDefault struct {
	On bool `koanf:"on" default:"yse"`
}

type dupNames struct {
	A string `koanf:"x"`
	B string `koanf:"x"`
}

type withChan struct {
	C chan int `koanf:"c"`
}

type withStringer struct {
	S fmt.Stringer `koanf:"s"`
}

func TestBindTypeProblems(t *testing.T) {
	t.Run("bad default tag", func(t *testing.T) {
		_, err := kernel.Bind[badDefault](kernel.EmptyConfig(), "p")
		ce := asConfigError(t, err)
		assert.Equal(t, "p.on", ce.Key)
		assert.Equal(t, "default tag of kernel_test.badDefault.On", ce.Source)
		assert.EqualError(t, err, `config key "p.on" in default tag of kernel_test.badDefault.On: cannot use "yse" as bool: want true or false`)
	})
	t.Run("two fields with one name both take the value", func(t *testing.T) {
		got, err := kernel.Bind[dupNames](yamlConfig(t, "p: {x: 1}"), "p")
		require.NoError(t, err)
		assert.Equal(t, dupNames{A: "1", B: "1"}, got)
	})
	t.Run("unsupported field type", func(t *testing.T) {
		_, err := kernel.Bind[withChan](yamlConfig(t, "p: {c: 1}"), "p")
		ce := asConfigError(t, err)
		assert.Equal(t, "p.c", ce.Key)
		assert.Contains(t, err.Error(), `config key "p.c" in app.yaml: cannot bind into type chan int`)
	})
	t.Run("unsupported interface", func(t *testing.T) {
		_, err := kernel.Bind[withStringer](yamlConfig(t, "p: {s: x}"), "p")
		assert.Contains(t, asConfigError(t, err).Error(), `cannot bind into type fmt.Stringer`)
	})
	t.Run("unsupported field without a value is fine", func(t *testing.T) {
		_, err := kernel.Bind[withChan](yamlConfig(t, "p: {}"), "p")
		require.NoError(t, err)
	})
	t.Run("unknown key at the root", func(t *testing.T) {
		_, err := kernel.Bind[tlsConfig](yamlConfig(t, "cert: c\nother: 1\n"), "")
		ce := asConfigError(t, err)
		assert.Equal(t, "other", ce.Key)
		assert.EqualError(t, err, `config key "other" in app.yaml: unknown key: check its spelling or remove it (known: cert, key)`)
	})
}

func TestBindOtherTargets(t *testing.T) {
	c := yamlConfig(t, "a:\n  timeout: 2s\n  tags: x,y\n  n: 3\n")
	d, err := kernel.Bind[time.Duration](c, "a.timeout")
	require.NoError(t, err)
	assert.Equal(t, 2*time.Second, d)
	tags, err := kernel.Bind[[]string](c, "a.tags")
	require.NoError(t, err)
	assert.Equal(t, []string{"x", "y"}, tags)
	m, err := kernel.Bind[map[string]any](c, "a")
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"timeout": "2s", "tags": "x,y", "n": 3}, m)
	p, err := kernel.Bind[*tlsConfig](yamlConfig(t, "t: {cert: c}"), "t")
	require.NoError(t, err)
	assert.Equal(t, &tlsConfig{Cert: "c", Key: "key.pem"}, p)
	_, err = kernel.Bind[int](c, "a.timeout")
	assert.Contains(t, asConfigError(t, err).Error(), `config key "a.timeout" in app.yaml: cannot use "2s" as int`)
}

func TestBindNilConfig(t *testing.T) {
	s, err := kernel.Bind[serverConfig](nil, "")
	require.NoError(t, err)
	assert.Equal(t, defaultServer(), s, "a nil config binds the default tags only")
	_, err = kernel.Bind[badDefault](nil, "")
	assert.Equal(t, "on", asConfigError(t, err).Key)
}

// upper is a text type that upper-cases what it is given.
type upper string

func (u *upper) UnmarshalText(b []byte) error {
	*u = upper(strings.ToUpper(string(b)))
	return nil
}

func TestBindGoValuesFromDefaults(t *testing.T) {
	type target struct {
		Timeout time.Duration     `koanf:"timeout"`
		Zero    time.Duration     `koanf:"zero"`
		Name    string            `koanf:"name"`
		Flag    string            `koanf:"flag"`
		Port    uint              `koanf:"port"`
		Big     int64             `koanf:"big"`
		Whole   int               `koanf:"whole"`
		F       float64           `koanf:"f"`
		Bytes   string            `koanf:"bytes"`
		Codes   map[string]string `koanf:"codes"`
		Items   []int             `koanf:"items"`
		U1      upper             `koanf:"u1"`
		U2      upper             `koanf:"u2"`
		U3      upper             `koanf:"u3"`
		Nothing *int              `koanf:"nothing"`
	}
	c, err := kernel.LoadConfig(kernel.WithEnviron(nil), kernel.WithDefaults(map[string]any{
		"t.timeout": 3 * time.Second, "t.zero": 0, "t.name": 42, "t.flag": true, "t.port": int32(8),
		"t.big": uint8(9), "t.whole": 2.0, "t.f": float32(1.5), "t.bytes": "raw",
		"t.codes": map[int]string{1: "one"}, "t.items": [2]int{1, 2},
		"t.u1": "abc", "t.u2": 12, "t.u3": true, "t.nothing": (*int)(nil),
	}))
	require.NoError(t, err)
	got, err := kernel.Bind[target](c, "t")
	require.NoError(t, err)
	assert.Equal(t, target{
		Timeout: 3 * time.Second, Name: "42", Flag: "true", Port: 8, Big: 9, Whole: 2, F: 1.5, Bytes: "raw",
		Codes: map[string]string{"1": "one"}, Items: []int{1, 2}, U1: "ABC", U2: "12", U3: "TRUE",
	}, got)

	// Go values are encoded like YAML (yaml.v3): a []byte is a list of numbers.
	c, err = kernel.LoadConfig(kernel.WithEnviron(nil), kernel.WithDefaults(map[string]any{"b": []byte("hi"), "d": time.Second}))
	require.NoError(t, err)
	assert.Equal(t, []any{104, 105}, c.Get("b"))
	assert.Equal(t, "1s", c.Get("d"))

	_, err = kernel.Bind[target](yamlConfig(t, "t: {u1: [a]}"), "t")
	assert.Contains(t, asConfigError(t, err).Error(), `config key "t.u1" in app.yaml: cannot use a list as string`)
	_, err = kernel.Bind[target](yamlConfig(t, "t: {zero: 0, timeout: 0s}"), "t")
	require.NoError(t, err)
	_, err = kernel.Bind[target](yamlConfig(t, "t: {timeout: [1]}"), "t")
	assert.Contains(t, asConfigError(t, err).Error(), `cannot use a list as duration`)
	_, err = kernel.Bind[target](yamlConfig(t, "t: {port: '-1'}"), "t")
	assert.Contains(t, asConfigError(t, err).Error(), `cannot use "-1" as uint`)
}
