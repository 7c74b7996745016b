package kernel_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gofly-framework/gofly/kernel"
)

// writeFiles writes name -> content into dir and returns dir.
func writeFiles(t *testing.T, dir string, files map[string]string) string {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
	}
	return dir
}

// asConfigError checks err is a *ConfigError of class ErrConfig and returns it.
func asConfigError(t *testing.T, err error) *kernel.ConfigError {
	t.Helper()
	require.Error(t, err)
	require.ErrorIs(t, err, kernel.ErrConfig)
	require.ErrorIs(t, err, kernel.ErrGofly)
	var ce *kernel.ConfigError
	require.ErrorAs(t, err, &ce)
	return ce
}

// yamlConfig loads in-memory YAML with no environment.
func yamlConfig(t *testing.T, yaml string, opts ...kernel.LoadOption) *kernel.Config {
	t.Helper()
	all := append([]kernel.LoadOption{kernel.WithEnviron(nil), kernel.WithYAML("app.yaml", []byte(yaml))}, opts...)
	c, err := kernel.LoadConfig(all...)
	require.NoError(t, err)
	return c
}

func TestLoadConfigDefaultFile(t *testing.T) {
	tests := []struct {
		desc      string
		files     map[string]string
		wantName  string // value of key name; "" when no file
		wantFile  string // file loaded, relative to the dir
		wantEmpty bool
	}{
		{desc: "application.yaml", files: map[string]string{"application.yaml": "name: yaml"}, wantName: "yaml", wantFile: "application.yaml"},
		{desc: "application.yml", files: map[string]string{"application.yml": "name: yml"}, wantName: "yml", wantFile: "application.yml"},
		{desc: ".yaml wins over .yml", files: map[string]string{"application.yaml": "name: yaml", "application.yml": "name: yml"}, wantName: "yaml", wantFile: "application.yaml"},
		{desc: "no file is an empty config", files: nil, wantEmpty: true},
		{desc: "other files are ignored", files: map[string]string{"app.yaml": "name: x"}, wantEmpty: true},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			dir := writeFiles(t, t.TempDir(), tt.files)
			c, err := kernel.LoadConfig(kernel.WithDir(dir), kernel.WithEnviron(nil))
			require.NoError(t, err)
			if tt.wantEmpty {
				assert.Empty(t, c.Keys())
				assert.Empty(t, c.Files())
				return
			}
			assert.Equal(t, tt.wantName, c.String("name"))
			path := filepath.Join(dir, tt.wantFile)
			assert.Equal(t, []string{path}, c.Files())
			assert.Equal(t, path, c.Source("name"))
		})
	}
}

func TestLoadConfigWithFiles(t *testing.T) {
	dir := writeFiles(t, t.TempDir(), map[string]string{
		"base.yaml":     "a: base\nb: base\n",
		"extra.yaml":    "b: extra\n",
		"base-dev.yaml": "c: dev\n",
	})
	c, err := kernel.LoadConfig(kernel.WithEnviron(nil), kernel.WithProfiles("dev"),
		kernel.WithFiles(filepath.Join(dir, "base.yaml"), filepath.Join(dir, "extra.yaml")))
	require.NoError(t, err)
	assert.Equal(t, "base", c.String("a"))
	assert.Equal(t, "extra", c.String("b"))
	assert.Equal(t, "dev", c.String("c"), "profile files are named after the first file")
	assert.Equal(t, []string{
		filepath.Join(dir, "base.yaml"), filepath.Join(dir, "extra.yaml"), filepath.Join(dir, "base-dev.yaml"),
	}, c.Files())

	t.Run("a named file that is missing is an error", func(t *testing.T) {
		missing := filepath.Join(dir, "nope.yaml")
		_, err := kernel.LoadConfig(kernel.WithEnviron(nil), kernel.WithFiles(missing))
		ce := asConfigError(t, err)
		assert.Equal(t, missing, ce.Source)
		assert.Contains(t, err.Error(), missing)
		assert.Contains(t, err.Error(), "named explicitly")
	})
	t.Run("a directory named like the default file is an error", func(t *testing.T) {
		d := t.TempDir()
		require.NoError(t, os.Mkdir(filepath.Join(d, "application.yaml"), 0o755))
		_, err := kernel.LoadConfig(kernel.WithEnviron(nil), kernel.WithDir(d))
		assert.Contains(t, asConfigError(t, err).Error(), "is a directory")
	})
	t.Run("WithFiles and WithYAML layer in option order", func(t *testing.T) {
		c, err := kernel.LoadConfig(kernel.WithEnviron(nil),
			kernel.WithYAML("first", []byte("a: first\nb: first\n")),
			kernel.WithFiles(filepath.Join(dir, "extra.yaml")),
			kernel.WithYAML("last", []byte("a: last\n")))
		require.NoError(t, err)
		assert.Equal(t, "last", c.String("a"))
		assert.Equal(t, "extra", c.String("b"))
		assert.Equal(t, []string{"first", filepath.Join(dir, "extra.yaml"), "last"}, c.Files())
	})
}

func TestLoadConfigProfiles(t *testing.T) {
	files := map[string]string{
		"application.yaml":        "who: main\nlist: [main]\n",
		"application-a.yaml":      "who: a\nonly-a: true\n",
		"application-b.yml":       "who: b\n",
		"application-c.yaml":      "who: c\n",
		"application-dev.yaml":    "who: dev\n",
		"listed/application.yaml": "gofly:\n  profiles:\n    active: [b, a]\n",
	}
	tests := []struct {
		desc     string
		dir      string // subdirectory, "" for the top
		opts     []kernel.LoadOption
		environ  []string
		main     string // replaces application.yaml via WithYAML when set
		want     []string
		wantWho  string
		wantFrom string // profile file the value of who comes from
	}{
		{desc: "none", want: nil, wantWho: "main", wantFrom: "application.yaml"},
		{desc: "WithProfiles in order", opts: []kernel.LoadOption{kernel.WithProfiles("a", "b")}, want: []string{"a", "b"}, wantWho: "b", wantFrom: "application-b.yml"},
		{desc: "order matters", opts: []kernel.LoadOption{kernel.WithProfiles("b", "a")}, want: []string{"b", "a"}, wantWho: "a", wantFrom: "application-a.yaml"},
		{desc: "env, trimmed", environ: []string{"GOFLY_PROFILES_ACTIVE= a , c "}, want: []string{"a", "c"}, wantWho: "c", wantFrom: "application-c.yaml"},
		{desc: "WithProfiles beats env", environ: []string{"GOFLY_PROFILES_ACTIVE=a"}, opts: []kernel.LoadOption{kernel.WithProfiles("dev")}, want: []string{"dev"}, wantWho: "dev", wantFrom: "application-dev.yaml"},
		{desc: "empty WithProfiles disables env", environ: []string{"GOFLY_PROFILES_ACTIVE=a"}, opts: []kernel.LoadOption{kernel.WithProfiles()}, want: nil, wantWho: "main", wantFrom: "application.yaml"},
		{desc: "key as YAML list", dir: "listed", want: []string{"b", "a"}, wantWho: "", wantFrom: ""},
		{desc: "key as string", main: "who: main\ngofly.profiles.active: 'c, a'\n", want: []string{"c", "a"}, wantWho: "a", wantFrom: "application-a.yaml"},
		{desc: "env beats key", main: "gofly.profiles.active: c\n", environ: []string{"GOFLY_PROFILES_ACTIVE=dev"}, want: []string{"dev"}, wantWho: "dev", wantFrom: "application-dev.yaml"},
		{desc: "empty env falls back to key", main: "gofly.profiles.active: c\n", environ: []string{"GOFLY_PROFILES_ACTIVE="}, want: []string{"c"}, wantWho: "c", wantFrom: "application-c.yaml"},
		{desc: "key from defaults", opts: []kernel.LoadOption{kernel.WithDefaults(map[string]any{"gofly.profiles.active": []string{"c"}})}, want: []string{"c"}, wantWho: "c", wantFrom: "application-c.yaml"},
		{desc: "a profile without a file is fine", opts: []kernel.LoadOption{kernel.WithProfiles("a", "nofile")}, want: []string{"a", "nofile"}, wantWho: "a", wantFrom: "application-a.yaml"},
		{desc: "repeats keep their first place", opts: []kernel.LoadOption{kernel.WithProfiles("a", "b", "a")}, want: []string{"a", "b"}, wantWho: "b", wantFrom: "application-b.yml"},
		{desc: "placeholder in the key", main: "gofly.profiles.active: ${WHICH:a}\n", environ: []string{"WHICH=dev"}, want: []string{"dev"}, wantWho: "dev", wantFrom: "application-dev.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			root := writeFiles(t, t.TempDir(), files)
			dir := filepath.Join(root, tt.dir)
			opts := []kernel.LoadOption{kernel.WithDir(dir), kernel.WithEnviron(tt.environ)}
			if tt.main != "" {
				opts = append(opts, kernel.WithYAML("main.yaml", []byte(tt.main)))
			}
			c, err := kernel.LoadConfig(append(opts, tt.opts...)...)
			require.NoError(t, err)
			assert.Equal(t, tt.want, c.Profiles())
			assert.Equal(t, tt.wantWho, c.String("who"))
			if tt.wantFrom != "" {
				if tt.main != "" && tt.wantFrom == "application.yaml" {
					assert.Equal(t, "main.yaml", c.Source("who"))
				} else {
					assert.Equal(t, filepath.Join(dir, tt.wantFrom), c.Source("who"))
				}
			}
		})
	}
}

func TestLoadConfigProfileFilesInLayerOrder(t *testing.T) {
	dir := writeFiles(t, t.TempDir(), map[string]string{
		"application.yaml":   "x: main\n",
		"application-a.yaml": "x: a\n",
		"application-b.yaml": "x: b\n",
	})
	c, err := kernel.LoadConfig(kernel.WithDir(dir), kernel.WithEnviron(nil), kernel.WithProfiles("b", "nofile", "a"))
	require.NoError(t, err)
	assert.Equal(t, []string{
		filepath.Join(dir, "application.yaml"), filepath.Join(dir, "application-b.yaml"), filepath.Join(dir, "application-a.yaml"),
	}, c.Files())
	assert.Equal(t, "a", c.String("x"))
}

func TestLoadConfigInvalidProfile(t *testing.T) {
	tests := []struct {
		desc       string
		opts       []kernel.LoadOption
		environ    []string
		wantValue  string
		wantSource string
	}{
		{desc: "empty", opts: []kernel.LoadOption{kernel.WithProfiles("")}, wantValue: "", wantSource: "WithProfiles"},
		{desc: "parent dir", opts: []kernel.LoadOption{kernel.WithProfiles("../etc")}, wantValue: "../etc", wantSource: "WithProfiles"},
		{desc: "dot dot", opts: []kernel.LoadOption{kernel.WithProfiles("..")}, wantValue: "..", wantSource: "WithProfiles"},
		{desc: "slash", opts: []kernel.LoadOption{kernel.WithProfiles("a/b")}, wantValue: "a/b", wantSource: "WithProfiles"},
		{desc: "backslash", opts: []kernel.LoadOption{kernel.WithProfiles(`a\b`)}, wantValue: `a\b`, wantSource: "WithProfiles"},
		{desc: "hidden", opts: []kernel.LoadOption{kernel.WithProfiles(".dev")}, wantValue: ".dev", wantSource: "WithProfiles"},
		{desc: "empty element in env", environ: []string{"GOFLY_PROFILES_ACTIVE=a,,b"}, wantValue: "", wantSource: "env GOFLY_PROFILES_ACTIVE"},
		{desc: "slash in key", opts: []kernel.LoadOption{kernel.WithYAML("m.yaml", []byte("gofly.profiles.active: [x/y]"))}, wantValue: "x/y", wantSource: "m.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			opts := append([]kernel.LoadOption{kernel.WithDir(t.TempDir()), kernel.WithEnviron(tt.environ)}, tt.opts...)
			_, err := kernel.LoadConfig(opts...)
			ce := asConfigError(t, err)
			assert.Equal(t, "gofly.profiles.active", ce.Key)
			assert.Equal(t, tt.wantValue, ce.Value)
			assert.Equal(t, tt.wantSource, ce.Source)
			assert.Contains(t, err.Error(), fmt.Sprintf("invalid profile name %q from %s", tt.wantValue, tt.wantSource))
		})
	}
	t.Run("a profile key that is not a list or string", func(t *testing.T) {
		_, err := kernel.LoadConfig(kernel.WithEnviron(nil), kernel.WithYAML("m.yaml", []byte("gofly:\n  profiles:\n    active: {a: 1}\n")))
		ce := asConfigError(t, err)
		assert.Equal(t, "gofly.profiles.active", ce.Key)
		assert.Equal(t, 3, ce.Line)
		assert.Contains(t, err.Error(), `config key "gofly.profiles.active" in m.yaml: cannot use a mapping as []string: want a list or a comma-separated string`)
	})
}

func TestLoadConfigLayers(t *testing.T) {
	dir := writeFiles(t, t.TempDir(), map[string]string{
		"application.yaml":     "k:\n  main: main\n  profile: main\n  env: main\n  over: main\n",
		"application-dev.yaml": "k:\n  profile: dev\n  env: dev\n  over: dev\n",
	})
	c, err := kernel.LoadConfig(
		kernel.WithDir(dir),
		kernel.WithProfiles("dev"),
		kernel.WithEnviron([]string{"GOFLY_K_ENV=env", "GOFLY_K_OVER=env"}),
		kernel.WithDefaults(map[string]any{"k": map[string]any{"def": "def", "main": "def"}}),
		kernel.WithOverrides(map[string]any{"k.over": "over"}),
	)
	require.NoError(t, err)
	main, dev := filepath.Join(dir, "application.yaml"), filepath.Join(dir, "application-dev.yaml")
	tests := []struct {
		key, value, source string
	}{
		{"k.def", "def", kernel.SourceDefaults},
		{"k.main", "main", main},
		{"k.profile", "dev", dev},
		{"k.env", "env", "env GOFLY_K_ENV"},
		{"k.over", "over", "overrides"},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			assert.Equal(t, tt.value, c.String(tt.key))
			assert.Equal(t, tt.source, c.Source(tt.key))
		})
	}
	assert.Equal(t, []string{"k.def", "k.env", "k.main", "k.over", "k.profile"}, c.Keys())
	assert.Equal(t, kernel.SourceDefaults, c.Source("k"), "a subtree reports its first leaf's source")
	assert.Equal(t, "", c.Source("nope"))
}

func TestLoadConfigDefaultsAndOverrides(t *testing.T) {
	t.Run("dotted and nested keys mix; later maps win", func(t *testing.T) {
		c, err := kernel.LoadConfig(kernel.WithEnviron(nil),
			kernel.WithDefaults(map[string]any{"a.b": 1, "a": map[string]any{"c": "x"}, "list": []string{"p", "q"}}),
			kernel.WithDefaults(map[string]any{"a.c": "y"}),
			kernel.WithOverrides(map[string]any{"o": map[string]string{"k.v": "w"}}))
		require.NoError(t, err)
		assert.Equal(t, 1, c.Get("a.b"))
		assert.Equal(t, "y", c.Get("a.c"))
		assert.Equal(t, []any{"p", "q"}, c.Get("list"))
		assert.Equal(t, "w", c.Get("o.k.v"))
	})
	t.Run("the map is copied", func(t *testing.T) {
		defaults := map[string]any{"a": map[string]any{"b": 1}}
		c, err := kernel.LoadConfig(kernel.WithEnviron(nil), kernel.WithDefaults(defaults))
		require.NoError(t, err)
		defaults["a"].(map[string]any)["b"] = 2
		assert.Equal(t, 1, c.Get("a.b"))
	})
	tests := []struct {
		desc    string
		values  map[string]any
		wantKey string
	}{
		{desc: "dotted key and nested map set one key", values: map[string]any{"a.b": 1, "a": map[string]any{"b": 2}}, wantKey: "a.b"},
		{desc: "value and mapping", values: map[string]any{"a": 1, "a.b": 2}, wantKey: "a"},
		{desc: "empty part", values: map[string]any{"a..b": 1}, wantKey: "a..b"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			_, err := kernel.LoadConfig(kernel.WithEnviron(nil), kernel.WithDefaults(tt.values))
			ce := asConfigError(t, err)
			assert.Equal(t, tt.wantKey, ce.Key)
			assert.Equal(t, kernel.SourceDefaults, ce.Source)
		})
	}
}

func TestLoadConfigMalformedYAML(t *testing.T) {
	tests := []struct {
		desc     string
		yaml     string
		wantLine int // 0: yaml.v3's own line, near the problem, or none
		wantMsg  string
	}{
		{desc: "mapping value in a scalar", yaml: "a: 1\nb:\n  c: [1, 2]\n  d: x: y\n", wantLine: 4, wantMsg: "invalid YAML: mapping values are not allowed in this context"},
		{desc: "tab indent", yaml: "a:\n\tb: 1\n", wantLine: 2, wantMsg: "invalid YAML: found character that cannot start any token"},
		{desc: "unclosed flow list", yaml: "a: [1, 2\nb: 3\n", wantMsg: "invalid YAML"},
		{desc: "mapping value on the first line", yaml: "c: d: e\nx: 1\n", wantMsg: "invalid YAML: mapping values are not allowed in this context"},
		{desc: "tab on the first line", yaml: "\ta: 1\n", wantMsg: "invalid YAML: found character that cannot start any token"},
		{desc: "reserved character on the first line", yaml: "a: @x\nb: 1\n", wantMsg: "invalid YAML"},
		{desc: "extra bracket on the first line", yaml: "key: [a, b]]\n", wantMsg: "invalid YAML: did not find expected key"},
		{desc: "placeholder in a flow list", yaml: "a: 1\nv: [${A:1}, b]\nw: 2\n", wantMsg: "invalid YAML: did not find expected ',' or ']'"},
		{desc: "unclosed flow list later", yaml: "a: 1\nb: 2\nc: [1, 2\nd: 4\n", wantMsg: "invalid YAML"},
		{desc: "bad indent", yaml: "a:\n  b: 1\n c: 2\n", wantMsg: "invalid YAML: did not find expected key"},
		{desc: "bad indent deep in a block", yaml: "a:\n  b:\n    c: 1\n    d: 2\n   e: 3\n", wantMsg: "invalid YAML: did not find expected key"},
		{desc: "unclosed quote", yaml: "a: 'x\nb: 1\nc: 2\n", wantMsg: "invalid YAML: found unexpected end of stream"},
		{desc: "unknown anchor", yaml: "a: 1\nb: *nope\n", wantMsg: "invalid YAML: unknown anchor 'nope' referenced"},
		{desc: "list after a mapping", yaml: "a: b\n- c\n", wantMsg: "invalid YAML"},
		{desc: "broken second document", yaml: "a: 1\n---\nb: [\n", wantMsg: "invalid YAML"},
		{desc: "byte order mark", yaml: "\ufeffa: 1\nb: c: d\n", wantLine: 2, wantMsg: "invalid YAML: mapping values are not allowed in this context"},
		{desc: "no final newline", yaml: "a: 1\nb: [", wantMsg: "invalid YAML"},
		{desc: "duplicate key", yaml: "a: 1\nb: 2\na: 3\n", wantLine: 3, wantMsg: `key "a" is set twice (also at line 1)`},
		{desc: "duplicate through dotted key", yaml: "a:\n  b: 1\na.b: 2\n", wantLine: 3, wantMsg: `key "a.b" is set twice (also at line 2)`},
		{desc: "top level list", yaml: "- a\n- b\n", wantLine: 1, wantMsg: "the top level must be a mapping of keys to values, not a list or a single value"},
		{desc: "top level scalar", yaml: "just text\n", wantLine: 1, wantMsg: "the top level must be a mapping of keys to values"},
		{desc: "two documents", yaml: "a: 1\n---\nb: 2\n", wantLine: 2, wantMsg: "a second document starts here"},
		{desc: "empty key part", yaml: "a:\n  .b: 1\n", wantLine: 2, wantMsg: `key "a..b" has an empty part`},
		{desc: "complex key", yaml: "? [a, b]\n: 1\n", wantLine: 1, wantMsg: "a key must be a plain scalar"},
		{desc: "merge of a scalar", yaml: "a:\n  <<: 1\n", wantLine: 2, wantMsg: "the merge key << needs a mapping"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			dir := writeFiles(t, t.TempDir(), map[string]string{"application.yaml": tt.yaml})
			path := filepath.Join(dir, "application.yaml")
			_, err := kernel.LoadConfig(kernel.WithDir(dir), kernel.WithEnviron(nil))
			ce := asConfigError(t, err)
			assert.Equal(t, path, ce.Source)
			if tt.wantLine > 0 {
				assert.Equal(t, tt.wantLine, ce.Line)
			}
			where := "config file " + path + ": "
			if ce.Line > 0 {
				where = fmt.Sprintf("config file %s line %d: ", path, ce.Line)
			}
			assert.Contains(t, err.Error(), where)
			assert.LessOrEqual(t, ce.Line, strings.Count(tt.yaml, "\n")+1, "a line of the file")
			assert.Contains(t, err.Error(), tt.wantMsg)
		})
	}
}

// TestLoadConfigMalformedYAMLLongFile checks that an error far below the
// start of its block names the file and yaml.v3's line, within the block.
func TestLoadConfigMalformedYAMLLongFile(t *testing.T) {
	for _, n := range []int{10, 100, 2000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			var b strings.Builder
			b.WriteString("first: 1\nroot:\n")
			for i := 0; i < n; i++ {
				fmt.Fprintf(&b, "  key%d: value %d\n", i, i)
			}
			b.WriteString(" bad: 1\n  after: 2\n")
			_, err := kernel.LoadConfig(kernel.WithYAML("long.yaml", []byte(b.String())), kernel.WithEnviron(nil))
			ce := asConfigError(t, err)
			assert.GreaterOrEqual(t, ce.Line, 2)
			assert.LessOrEqual(t, ce.Line, n+3)
			assert.Contains(t, err.Error(), fmt.Sprintf("config file long.yaml line %d: invalid YAML: did not find expected key", ce.Line))
		})
	}
}

func TestLoadConfigYAMLValues(t *testing.T) {
	c := yamlConfig(t, `
anchors:
  base: &base {x: 1, y: 2}
  derived:
    <<: *base
    y: 3
  copy: *base
date: 2001-12-14
empty: {}
null-value: ~
1: one
nested:
  a.b: dotted
  a:
    c: plain
`)
	assert.Equal(t, 1, c.Get("anchors.derived.x"))
	assert.Equal(t, 3, c.Get("anchors.derived.y"), "own keys win over merged ones")
	assert.Equal(t, map[string]any{"x": 1, "y": 2}, c.Get("anchors.copy"))
	assert.Equal(t, "2001-12-14", c.Get("date"), "timestamps stay as written")
	assert.Equal(t, map[string]any{}, c.Get("empty"))
	assert.True(t, c.Exists("null-value"))
	assert.Nil(t, c.Get("null-value"))
	assert.Equal(t, "one", c.Get("1"))
	assert.Equal(t, "dotted", c.Get("nested.a.b"))
	assert.Equal(t, "plain", c.Get("nested.a.c"))

	t.Run("empty documents", func(t *testing.T) {
		for _, y := range []string{"", "# comment only\n", "~\n"} {
			assert.Empty(t, yamlConfig(t, y).Keys(), "%q", y)
		}
	})
}

func TestConfigAccessors(t *testing.T) {
	c := yamlConfig(t, `
b: x
a:
  list: [1, two, true]
  num: 8080
  float: 1.5
  yes: true
  sub:
    deep: v
`)
	assert.Equal(t, []string{"a.float", "a.list", "a.num", "a.sub.deep", "a.yes", "b"}, c.Keys())
	assert.Equal(t, map[string]any{
		"a.float": 1.5, "a.list": []any{1, "two", true}, "a.num": 8080, "a.sub.deep": "v", "a.yes": true, "b": "x",
	}, c.All())

	strings := []struct{ key, want string }{
		{"b", "x"}, {"a.num", "8080"}, {"a.float", "1.5"}, {"a.yes", "true"}, {"a.list", "1,two,true"},
		{"a.sub", ""}, {"missing", ""},
	}
	for _, tt := range strings {
		assert.Equal(t, tt.want, c.String(tt.key), tt.key)
	}
	assert.True(t, c.Exists("a"))
	assert.True(t, c.Exists("a.sub"))
	assert.True(t, c.Exists("a.sub.deep"))
	assert.False(t, c.Exists("a.sub.deep.more"))
	assert.False(t, c.Exists("missing"))
	assert.Nil(t, c.Get("missing"))
	assert.Equal(t, map[string]any{"deep": "v"}, c.Get("a.sub"))

	t.Run("reads are copies", func(t *testing.T) {
		c.Get("a.sub").(map[string]any)["deep"] = "changed"
		c.Get("a.list").([]any)[0] = "changed"
		c.All()["b"] = "changed"
		keys := c.Keys()
		keys[0] = "changed"
		assert.Equal(t, "v", c.Get("a.sub.deep"))
		assert.Equal(t, 1, c.Get("a.list").([]any)[0])
		assert.Equal(t, "x", c.Get("b"))
		assert.Equal(t, "a.float", c.Keys()[0])
	})
}

func TestConfigBool(t *testing.T) {
	c, err := kernel.LoadConfig(
		kernel.WithEnviron([]string{"GOFLY_E_YES=TRUE", "GOFLY_E_ONE=1"}),
		kernel.WithYAML("b.yaml", []byte("t: true\nf: false\ns: 'False'\nyse: yse\nyes: yes\none: 1\nmap: {a: 1}\n")),
	)
	require.NoError(t, err)
	tests := []struct {
		key       string
		def       bool
		want      bool
		wantErr   string
		wantValue string
		source    string
		line      int
	}{
		{key: "t", want: true},
		{key: "f", def: true, want: false},
		{key: "s", def: true, want: false},
		{key: "e.yes", want: true},
		{key: "missing", def: true, want: true},
		{key: "yse", wantErr: `config key "yse" in b.yaml: cannot use "yse" as bool: want true or false`, wantValue: "yse", source: "b.yaml", line: 4},
		{key: "yes", wantErr: `config key "yes" in b.yaml: cannot use "yes" as bool: want true or false`, wantValue: "yes", source: "b.yaml", line: 5},
		{key: "one", wantErr: `config key "one" in b.yaml: cannot use 1 as bool: want true or false`, wantValue: "1", source: "b.yaml", line: 6},
		{key: "e.one", wantErr: `config key "e.one" in env GOFLY_E_ONE: cannot use "1" as bool: want true or false`, wantValue: "1", source: "env GOFLY_E_ONE"},
		{key: "map", wantErr: `cannot use a mapping as bool`, wantValue: "<mapping>", source: "b.yaml", line: 7},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			got, err := c.Bool(tt.key, tt.def)
			if tt.wantErr == "" {
				require.NoError(t, err)
				assert.Equal(t, tt.want, got)
				return
			}
			ce := asConfigError(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
			assert.Equal(t, tt.key, ce.Key)
			assert.Equal(t, tt.wantValue, ce.Value)
			assert.Equal(t, tt.source, ce.Source)
			assert.Equal(t, tt.line, ce.Line)
		})
	}
}

func TestEmptyAndNilConfig(t *testing.T) {
	for name, c := range map[string]*kernel.Config{"empty": kernel.EmptyConfig(), "nil": nil} {
		t.Run(name, func(t *testing.T) {
			assert.Empty(t, c.Keys())
			assert.Empty(t, c.All())
			assert.Empty(t, c.Files())
			assert.Empty(t, c.Profiles())
			assert.Nil(t, c.Get("a"))
			assert.False(t, c.Exists("a"))
			assert.Equal(t, "", c.String("a"))
			assert.Equal(t, "", c.Source("a"))
			b, err := c.Bool("a", true)
			require.NoError(t, err)
			assert.True(t, b)
			got, err := kernel.Bind[struct {
				Name string `koanf:"name" default:"d"`
			}](c, "x")
			require.NoError(t, err)
			assert.Equal(t, "d", got.Name)
		})
	}
}

func TestLoadOptionString(t *testing.T) {
	tests := []struct {
		opt  kernel.LoadOption
		want string
	}{
		{kernel.WithDir("conf"), `kernel.WithDir("conf")`},
		{kernel.WithFiles("a.yaml", "b.yaml"), `kernel.WithFiles(["a.yaml" "b.yaml"])`},
		{kernel.WithYAML("x", nil), `kernel.WithYAML("x", ...)`},
		{kernel.WithProfiles("dev"), `kernel.WithProfiles(["dev"])`},
		{kernel.WithEnviron(nil), `kernel.WithEnviron(...)`},
		{kernel.WithDefaults(nil), `kernel.WithDefaults(...)`},
		{kernel.WithOverrides(nil), `kernel.WithOverrides(...)`},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, fmt.Sprint(tt.opt))
	}
}

func TestLoadConfigUsesProcessEnvironment(t *testing.T) {
	t.Setenv("GOFLY_TEST_FROM_PROCESS", "yes")
	c, err := kernel.LoadConfig(kernel.WithDir(t.TempDir()))
	require.NoError(t, err)
	assert.Equal(t, "yes", c.String("test.from.process"))
}

func TestConfigConcurrentReads(t *testing.T) {
	c, err := kernel.LoadConfig(kernel.WithEnviron([]string{"GOFLY_PLUGINS_START_TIMEOUT=2s"}),
		kernel.WithYAML("c.yaml", []byte("plugins:\n  enabled: true\n  exclude: [a, b]\n")))
	require.NoError(t, err)
	type plugins struct {
		Enabled      bool     `koanf:"enabled"`
		Exclude      []string `koanf:"exclude"`
		StartTimeout string   `koanf:"start-timeout"`
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 50; j++ {
				_ = c.Get("plugins")
				_ = c.Keys()
				_ = c.All()
				_ = c.Source("plugins.enabled")
				p, err := kernel.Bind[plugins](c, "plugins")
				if err == nil && p.StartTimeout != "2s" {
					err = fmt.Errorf("start-timeout = %q", p.StartTimeout)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
