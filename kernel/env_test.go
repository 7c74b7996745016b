package kernel_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gofly-framework/gofly/kernel"
)

func TestEnvironmentOverrides(t *testing.T) {
	const file = `
plugins:
  enabled: false
  start-timeout: 15s
  tags:
    exclude: [experimental]
my-app:
  name: file
components:
  my-cache:
    driver: redis
`
	tests := []struct {
		desc       string
		environ    []string
		defaults   map[string]any
		key        string
		want       any
		wantSource string
		absent     []string // keys that must not exist
	}{
		{desc: "plain", environ: []string{"GOFLY_PLUGINS_ENABLED=true"}, key: "plugins.enabled", want: "true", wantSource: "env GOFLY_PLUGINS_ENABLED"},
		{desc: "kebab with underscores", environ: []string{"GOFLY_PLUGINS_START_TIMEOUT=30s"}, key: "plugins.start-timeout", want: "30s", wantSource: "env GOFLY_PLUGINS_START_TIMEOUT", absent: []string{"plugins.start"}},
		{desc: "kebab run together is not the key's name", environ: []string{"GOFLY_PLUGINS_STARTTIMEOUT=30s"}, key: "plugins.start-timeout", want: "15s", wantSource: "app.yaml"},
		{desc: "kebab in the first segment", environ: []string{"GOFLY_MY_APP_NAME=env"}, key: "my-app.name", want: "env", absent: []string{"my"}},
		{desc: "a key no layer has is found by its name", environ: []string{"GOFLY_MY_APP_COLOUR=red"}, key: "my-app.colour", want: "red", wantSource: "env GOFLY_MY_APP_COLOUR"},
		{desc: "kebab map key", environ: []string{"GOFLY_COMPONENTS_MY_CACHE_DRIVER=memory"}, key: "components.my-cache.driver", want: "memory"},
		{desc: "lower case is not the key's name", environ: []string{"GOFLY_Plugins_Enabled=true"}, key: "plugins.enabled", want: false},
		{desc: "dashes and dots alike", environ: []string{"GOFLY_NEW_THING_X=1"}, key: "new-thing.x", want: "1"},
		{desc: "list key replaced by a string", environ: []string{"GOFLY_PLUGINS_TAGS_EXCLUDE=a,b"}, key: "plugins.tags.exclude", want: "a,b"},
		{desc: "known from defaults", environ: []string{"GOFLY_SERVER_READ_TIMEOUT=1s"}, defaults: map[string]any{"server.read-timeout": "5s"}, key: "server.read-timeout", want: "1s"},
		{desc: "one variable, two keys with one name", environ: []string{"GOFLY_MY_APP_NAME=both"}, defaults: map[string]any{"my.app.name": "d"}, key: "my.app.name", want: "both", wantSource: "env GOFLY_MY_APP_NAME"},
		{desc: "profiles variable is gofly.profiles.active", environ: []string{"GOFLY_PROFILES_ACTIVE=x"}, key: "gofly.profiles.active", want: "x", absent: []string{"profiles"}},
		{desc: "without prefix ignored", environ: []string{"PLUGINS_ENABLED=true", "gofly_plugins_enabled=true"}, key: "plugins.enabled", want: false},
		{desc: "empty segments ignored", environ: []string{"GOFLY__PLUGINS=1", "GOFLY_PLUGINS_=1", "GOFLY_A__B=1", "GOFLY_=1"}, key: "plugins.enabled", want: false, absent: []string{"a", ""}},
		{desc: "odd characters ignored", environ: []string{"GOFLY_A.B=1", "GOFLY_A-B=1"}, key: "plugins.enabled", want: false, absent: []string{"a", "a-b"}},
		{desc: "last entry of a name wins", environ: []string{"GOFLY_X=1", "GOFLY_X=2", "no-equals"}, key: "x", want: "2"},
		{desc: "empty value is set", environ: []string{"GOFLY_MY_APP_NAME="}, key: "my-app.name", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			opts := []kernel.LoadOption{kernel.WithEnviron(tt.environ), kernel.WithYAML("app.yaml", []byte(file))}
			if tt.defaults != nil {
				opts = append(opts, kernel.WithDefaults(tt.defaults))
			}
			c, err := kernel.LoadConfig(opts...)
			require.NoError(t, err)
			assert.Equal(t, tt.want, c.Get(tt.key))
			if tt.wantSource != "" {
				assert.Equal(t, tt.wantSource, c.Source(tt.key))
			}
			for _, k := range tt.absent {
				assert.False(t, c.Exists(k), "key %q must not exist", k)
			}
			for _, k := range c.Keys() {
				assert.NotEqual(t, "env GOFLY_MY_APP_COLOUR", c.Source(k), "a variable that no layer's key names is not listed")
			}
		})
	}
}

func TestEnvironmentConflicts(t *testing.T) {
	// The defaults know a, the file a.b: GOFLY_A and GOFLY_A_B cannot both apply.
	_, err := kernel.LoadConfig(kernel.WithEnviron([]string{"GOFLY_A=1", "GOFLY_A_B=2"}),
		kernel.WithDefaults(map[string]any{"a": 0}), kernel.WithYAML("app.yaml", []byte("a: {b: 1}")))
	ce := asConfigError(t, err)
	assert.Equal(t, "a.b", ce.Key)
	assert.EqualError(t, err, `environment variables GOFLY_A and GOFLY_A_B conflict: GOFLY_A sets config key "a" and GOFLY_A_B sets "a.b" under it: unset one`)
}

// TestEnvironmentGetAndBindAgree checks that every accessor sees what the
// environment contributed, for keys that a layer has and for keys that
// only code asks for.
func TestEnvironmentGetAndBindAgree(t *testing.T) {
	type myapp struct {
		Port    int           `koanf:"port" default:"80"`
		Timeout time.Duration `koanf:"start-timeout" default:"1s"`
		Name    string        `koanf:"name"`
	}
	c, err := kernel.LoadConfig(kernel.WithYAML("app.yaml", []byte("myapp: {name: file}\n")), kernel.WithEnviron([]string{
		"GOFLY_MYAPP_PORT=8081", "GOFLY_MYAPP_START_TIMEOUT=2s", "GOFLY_MYAPP_NAME=env", "GOFLY_MYAPP_STARTTIMEOUT=9s",
	}))
	require.NoError(t, err)
	got, err := kernel.Bind[myapp](c, "myapp")
	require.NoError(t, err)
	assert.Equal(t, myapp{Port: 8081, Timeout: 2 * time.Second, Name: "env"}, got)
	for key, want := range map[string]string{"myapp.port": "8081", "myapp.start-timeout": "2s", "myapp.name": "env"} {
		assert.Equal(t, want, c.Get(key), key)
		assert.Equal(t, want, c.String(key), key)
		assert.True(t, c.Exists(key), key)
		assert.Equal(t, "env "+strings.ToUpper(strings.NewReplacer(".", "_", "-", "_").Replace("gofly."+key)), c.Source(key), key)
	}
	assert.Equal(t, []string{"myapp.name"}, c.Keys(), "only keys that a layer has are listed")
	assert.Equal(t, "9s", c.Get("myapp.starttimeout"), "GOFLY_MYAPP_STARTTIMEOUT is the name of myapp.starttimeout, not of myapp.start-timeout")

	_, err = kernel.Bind[myapp](mustLoad(t, "GOFLY_MYAPP_PORT=x"), "myapp")
	ce := asConfigError(t, err)
	assert.Equal(t, "myapp.port", ce.Key)
	assert.Equal(t, "env GOFLY_MYAPP_PORT", ce.Source)
	assert.Equal(t, "x", ce.Value)
}

func mustLoad(t *testing.T, environ ...string) *kernel.Config {
	t.Helper()
	c, err := kernel.LoadConfig(kernel.WithYAML("app.yaml", nil), kernel.WithEnviron(environ))
	require.NoError(t, err)
	return c
}

func TestStrictEnv(t *testing.T) {
	const file = "gofly: {strict-env: true}\napp:\n  greeting: hi\ndb:\n  password: x\n"
	tests := []struct {
		desc      string
		file      string
		environ   []string
		wantErr   string // "" for no error
		wantValue string
	}{
		{desc: "known variables pass", file: file, environ: []string{"GOFLY_APP_GREETING=yo", "GOFLY_PROFILES_ACTIVE=dev", "GOFLY_GOFLY_STRICT_ENV=true"}},
		{desc: "off by default: ignored", file: "app: {greeting: hi}", environ: []string{"GOFLY_APP_GRETING=yo"}},
		{desc: "unknown variable", file: file, environ: []string{"GOFLY_APP_GRETING=yo"}, wantValue: "yo",
			wantErr: `environment variable GOFLY_APP_GRETING sets no known config key: with gofly.strict-env on`},
		{desc: "unknown variable, nothing close", file: file, environ: []string{"GOFLY_ZZZ_TOP=1"}, wantValue: "1",
			wantErr: `environment variable GOFLY_ZZZ_TOP sets no known config key: with gofly.strict-env on`},
		{desc: "a secret-looking variable's value is hidden", file: file, environ: []string{"GOFLY_DB_PASSWRD_TOKEN=hunter2"},
			wantErr: `environment variable GOFLY_DB_PASSWRD_TOKEN sets no known config key`},
		{desc: "switched on from the environment", file: "app: {greeting: hi}", environ: []string{"GOFLY_GOFLY_STRICT_ENV=TRUE", "GOFLY_APP_X=1"}, wantValue: "1",
			wantErr: `environment variable GOFLY_APP_X sets no known config key`},
		{desc: "switched on by an override", file: "app: {greeting: hi}", environ: []string{"GOFLY_APP_X=1"}, wantValue: "1",
			wantErr: `environment variable GOFLY_APP_X sets no known config key`},
		{desc: "not a bool", file: "gofly: {strict-env: yes}", wantErr: `config key "gofly.strict-env" in app.yaml: cannot use "yes" as bool`, wantValue: "yes"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			opts := []kernel.LoadOption{kernel.WithEnviron(tt.environ), kernel.WithYAML("app.yaml", []byte(tt.file))}
			if strings.Contains(tt.desc, "override") {
				opts = append(opts, kernel.WithOverrides(map[string]any{"gofly.strict-env": true}))
			}
			_, err := kernel.LoadConfig(opts...)
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			ce := asConfigError(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
			assert.Equal(t, tt.wantValue, ce.Value)
			assert.NotContains(t, err.Error(), "hunter2")
		})
	}
}

// The environment is matched against a struct's fields at Bind time when no
// loaded layer names the key.
func TestEnvironmentAtBindTime(t *testing.T) {
	type component struct {
		Driver string         `koanf:"driver"`
		Load   string         `koanf:"load" default:"auto"`
		Opts   map[string]any `koanf:"opts"`
	}
	type plugins struct {
		Enabled      bool                 `koanf:"enabled"`
		StartTimeout time.Duration        `koanf:"start-timeout" default:"15s"`
		Exclude      []string             `koanf:"exclude"`
		Components   map[string]component `koanf:"components"`
		Extra        any                  `koanf:"extra"`
	}
	tests := []struct {
		desc      string
		environ   []string
		file      string
		overrides map[string]any
		prefix    string
		check     func(t *testing.T, p plugins)
		wantErr   string
	}{
		{
			desc: "underscores", environ: []string{"GOFLY_PLUGINS_START_TIMEOUT=30s"}, prefix: "plugins",
			check: func(t *testing.T, p plugins) { assert.Equal(t, 30*time.Second, p.StartTimeout) },
		},
		{
			desc: "run together is not the key's name", environ: []string{"GOFLY_PLUGINS_STARTTIMEOUT=30s"}, prefix: "plugins",
			check: func(t *testing.T, p plugins) { assert.Equal(t, 15*time.Second, p.StartTimeout) },
		},
		{
			desc: "env beats the file at the field's key", environ: []string{"GOFLY_PLUGINS_START_TIMEOUT=30s"},
			file: "plugins: {start-timeout: 5s}", prefix: "plugins",
			check: func(t *testing.T, p plugins) { assert.Equal(t, 30*time.Second, p.StartTimeout) },
		},
		{
			desc: "overrides beat env", environ: []string{"GOFLY_PLUGINS_START_TIMEOUT=30s"},
			overrides: map[string]any{"plugins.start-timeout": "1m"}, prefix: "plugins",
			check: func(t *testing.T, p plugins) { assert.Equal(t, time.Minute, p.StartTimeout) },
		},
		{
			desc: "string to bool and list", environ: []string{"GOFLY_PLUGINS_ENABLED=TRUE", "GOFLY_PLUGINS_EXCLUDE=a, b"}, prefix: "plugins",
			check: func(t *testing.T, p plugins) {
				assert.True(t, p.Enabled)
				assert.Equal(t, []string{"a", "b"}, p.Exclude)
			},
		},
		{
			desc: "field of a map entry that a layer has", environ: []string{"GOFLY_PLUGINS_COMPONENTS_MY_CACHE_DRIVER=redis"},
			file: "plugins: {components: {my-cache: {}}}", prefix: "plugins",
			check: func(t *testing.T, p plugins) {
				assert.Equal(t, map[string]component{"my-cache": {Driver: "redis", Load: "auto"}}, p.Components)
			},
		},
		{
			desc: "a map entry that no layer has is not made up", environ: []string{"GOFLY_PLUGINS_COMPONENTS_MY_CACHE_DRIVER=redis"}, prefix: "plugins",
			check: func(t *testing.T, p plugins) { assert.Nil(t, p.Components) },
		},
		{
			desc: "free-form subtree: keys that a layer has", environ: []string{"GOFLY_PLUGINS_COMPONENTS_DB_OPTS_MAX_CONNS=5", "GOFLY_PLUGINS_COMPONENTS_DB_OPTS_X=1"},
			file: "plugins: {components: {db: {opts: {max-conns: 1}}}}", prefix: "plugins",
			check: func(t *testing.T, p plugins) {
				assert.Equal(t, map[string]any{"max-conns": "5"}, p.Components["db"].Opts)
			},
		},
		{
			desc: "prefix in kebab case", environ: []string{"GOFLY_MY_PLUGINS_START_TIMEOUT=2s"}, prefix: "my-plugins",
			check: func(t *testing.T, p plugins) { assert.Equal(t, 2*time.Second, p.StartTimeout) },
		},
		{
			desc: "other prefixes untouched", environ: []string{"GOFLY_OTHER_STARTTIMEOUT=2s"}, prefix: "plugins",
			check: func(t *testing.T, p plugins) { assert.Equal(t, 15*time.Second, p.StartTimeout) },
		},
		{
			desc: "a variable that names no field is ignored", environ: []string{"GOFLY_PLUGINS_START_TIME=2s"}, prefix: "plugins",
			check: func(t *testing.T, p plugins) { assert.Equal(t, 15*time.Second, p.StartTimeout) },
		},
		{
			desc: "bad value names the variable", environ: []string{"GOFLY_PLUGINS_START_TIMEOUT=soon"}, prefix: "plugins",
			wantErr: `config key "plugins.start-timeout" in env GOFLY_PLUGINS_START_TIMEOUT: cannot use "soon" as duration`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			opts := []kernel.LoadOption{kernel.WithEnviron(tt.environ), kernel.WithYAML("app.yaml", []byte(tt.file))}
			if tt.overrides != nil {
				opts = append(opts, kernel.WithOverrides(tt.overrides))
			}
			c, err := kernel.LoadConfig(opts...)
			require.NoError(t, err)
			p, err := kernel.Bind[plugins](c, tt.prefix)
			if tt.wantErr != "" {
				asConfigError(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			tt.check(t, p)
		})
	}
}

func TestPlaceholders(t *testing.T) {
	environ := []string{"HOST=db.local", "PORT=5432", "EMPTY=", "GOFLY_DB_USER=${USER_NAME:app}", "USER_NAME=alice"}
	tests := []struct {
		desc  string
		yaml  string
		key   string
		want  any
		extra []kernel.LoadOption
	}{
		{desc: "variable", yaml: "db: {host: '${HOST}'}", key: "db.host", want: "db.local"},
		{desc: "in text", yaml: "db: {url: 'postgres://${HOST}:${PORT}/app'}", key: "db.url", want: "postgres://db.local:5432/app"},
		{desc: "default used", yaml: "db: {name: '${DB_NAME:app}'}", key: "db.name", want: "app"},
		{desc: "default with colons", yaml: "cache: {url: '${REDIS_URL:redis://127.0.0.1:6379/0}'}", key: "cache.url", want: "redis://127.0.0.1:6379/0"},
		{desc: "empty default", yaml: "a: '${NOPE:}'", key: "a", want: ""},
		{desc: "set but empty is kept", yaml: "a: '${EMPTY:fallback}'", key: "a", want: ""},
		{desc: "escape", yaml: "a: '$${HOST} is ${HOST}'", key: "a", want: "${HOST} is db.local"},
		{desc: "lone dollar", yaml: "a: 'cost $5 $ {x}'", key: "a", want: "cost $5 $ {x}"},
		{desc: "not re-scanned", yaml: "a: '${X}'", key: "a", want: "${HOST}", extra: []kernel.LoadOption{kernel.WithEnviron([]string{"X=${HOST}"})}},
		{desc: "in a list", yaml: "hosts: ['${HOST}', other]", key: "hosts", want: []any{"db.local", "other"}},
		{desc: "in a list of mappings", yaml: "routes: [{to: '${HOST}'}]", key: "routes", want: []any{map[string]any{"to": "db.local"}}},
		{desc: "in a merged mapping", yaml: "a: {<<: {b: '${HOST}'}, c: 1}", key: "a.b", want: "db.local"},
		{desc: "numbers stay numbers", yaml: "port: 8080", key: "port", want: 8080},
		{desc: "in an env value", key: "db.user", want: "alice"},
		{desc: "in defaults", key: "d", want: "db.local", extra: []kernel.LoadOption{kernel.WithDefaults(map[string]any{"d": "${HOST}"})}},
		{desc: "in overrides", key: "o", want: "5432", extra: []kernel.LoadOption{kernel.WithOverrides(map[string]any{"o": "${PORT}"})}},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			opts := append([]kernel.LoadOption{kernel.WithEnviron(environ), kernel.WithYAML("app.yaml", []byte(tt.yaml))}, tt.extra...)
			c, err := kernel.LoadConfig(opts...)
			require.NoError(t, err)
			assert.Equal(t, tt.want, c.Get(tt.key))
		})
	}
}

func TestPlaceholderErrors(t *testing.T) {
	dir := writeFiles(t, t.TempDir(), map[string]string{
		"application.yaml": "db:\n  name: app\n  url: 'postgres://${DB_HOST}/x'\n",
		"unclosed.yaml":    "a: '${HOST'\n",
		"noname.yaml":      "list:\n  - ok\n  - '${:x}'\n",
	})
	tests := []struct {
		desc       string
		opts       []kernel.LoadOption
		wantKey    string
		wantValue  string
		wantSource string
		wantLine   int
		wantMsg    string
	}{
		{
			desc: "unresolved", opts: []kernel.LoadOption{kernel.WithDir(dir)},
			wantKey: "db.url", wantValue: "${DB_HOST}", wantSource: filepath.Join(dir, "application.yaml"), wantLine: 3,
			wantMsg: `config key "db.url" in ` + filepath.Join(dir, "application.yaml") +
				`: placeholder "${DB_HOST}" is not resolved: set environment variable DB_HOST or give a default as ${DB_HOST:value}`,
		},
		{
			desc: "unclosed", opts: []kernel.LoadOption{kernel.WithFiles(filepath.Join(dir, "unclosed.yaml"))},
			wantKey: "a", wantValue: "${HOST", wantSource: filepath.Join(dir, "unclosed.yaml"), wantLine: 1,
			wantMsg: `placeholder "${HOST" is not closed`,
		},
		{
			desc: "no name, in a list", opts: []kernel.LoadOption{kernel.WithFiles(filepath.Join(dir, "noname.yaml"))},
			wantKey: "list[1]", wantValue: "${:x}", wantSource: filepath.Join(dir, "noname.yaml"), wantLine: 3,
			wantMsg: `config key "list[1]" in ` + filepath.Join(dir, "noname.yaml") + `: placeholder "${:x}" names no variable`,
		},
		{
			desc: "in env", opts: []kernel.LoadOption{kernel.WithDir(t.TempDir()), kernel.WithEnviron([]string{"GOFLY_A_B=${NOPE}"}),
				kernel.WithDefaults(map[string]any{"a.b": "x"})},
			wantKey: "a.b", wantValue: "${NOPE}", wantSource: "env GOFLY_A_B",
			wantMsg: `config key "a.b" in env GOFLY_A_B: placeholder "${NOPE}" is not resolved`,
		},
		{
			desc: "in env, a key no layer has", opts: []kernel.LoadOption{kernel.WithDir(t.TempDir()), kernel.WithEnviron([]string{"GOFLY_A_B=${NOPE}"})},
			wantKey: "", wantValue: "${NOPE}", wantSource: "env GOFLY_A_B",
			wantMsg: `env GOFLY_A_B: placeholder "${NOPE}" is not resolved`,
		},
		{
			desc: "in defaults", opts: []kernel.LoadOption{kernel.WithDir(t.TempDir()), kernel.WithDefaults(map[string]any{"a": "${NOPE}"})},
			wantKey: "a", wantValue: "${NOPE}", wantSource: "defaults",
			wantMsg: `config key "a" in defaults: placeholder "${NOPE}" is not resolved`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			opts := append([]kernel.LoadOption{kernel.WithEnviron(nil)}, tt.opts...)
			_, err := kernel.LoadConfig(opts...)
			ce := asConfigError(t, err)
			assert.Equal(t, tt.wantKey, ce.Key)
			assert.Equal(t, tt.wantValue, ce.Value)
			assert.Equal(t, tt.wantSource, ce.Source)
			assert.Equal(t, tt.wantLine, ce.Line)
			assert.Contains(t, err.Error(), tt.wantMsg)
		})
	}
}
