package kernel_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gofly-framework/gofly/kernel"
)

// aliasBomb is a billion-laughs document: 9 levels of 9 aliases, ~370 bytes
// that expand to 9^9 strings.
func aliasBomb() []byte {
	var b strings.Builder
	b.WriteString(`a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]` + "\n")
	prev := "a"
	for _, c := range "bcdefghi" {
		fmt.Fprintf(&b, "%c: &%c [%s]\n", c, c, strings.TrimSuffix(strings.Repeat("*"+prev+",", 9), ","))
		prev = string(c)
	}
	return []byte(b.String())
}

// mergeBomb is a chain of merge keys, each merging the previous mapping 8
// times: ~400 bytes.
func mergeBomb() []byte {
	var b strings.Builder
	b.WriteString("m0: &m0 {a: 1, b: 2}\n")
	for i := 1; i < 9; i++ {
		fmt.Fprintf(&b, "m%d: &m%d {<<: [%s]}\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*m%d,", i-1), 8), ","))
	}
	return []byte(b.String())
}

// TestLoadConfigRejectsAliasBombs checks that documents whose aliases expand
// without bound are rejected by yaml.v3's guard, naming the file. Each took
// seconds and gigabytes before; BenchmarkLoadConfigAliasBomb measures them.
func TestLoadConfigRejectsAliasBombs(t *testing.T) {
	for name, data := range map[string][]byte{"billion laughs": aliasBomb(), "merge chain": mergeBomb()} {
		t.Run(name, func(t *testing.T) {
			assert.Less(t, len(data), 450)
			path := filepath.Join(t.TempDir(), "bomb.yaml")
			require.NoError(t, os.WriteFile(path, data, 0o644))
			_, err := kernel.LoadConfig(kernel.WithEnviron(nil), kernel.WithFiles(path))
			ce := asConfigError(t, err)
			assert.Equal(t, path, ce.Source)
			assert.EqualError(t, err, "config file "+path+": invalid YAML: document contains excessive aliasing")
		})
	}
}

func BenchmarkLoadConfigAliasBomb(b *testing.B) {
	for name, data := range map[string][]byte{"billion-laughs": aliasBomb(), "merge-chain": mergeBomb()} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := kernel.LoadConfig(kernel.WithEnviron(nil), kernel.WithYAML("bomb.yaml", data)); err == nil {
					b.Fatal("bomb accepted")
				}
			}
		})
	}
}

// TestAliasLines checks that a key reached through an alias has the line of
// the alias, one brought in by a merge key the line of the mapping that
// merges it, and that aliases still give their values.
func TestAliasLines(t *testing.T) {
	const doc = `base: &base
  port: 80
  host: h
server:
  <<: *base
  name: s
copy: *base
`
	type server struct {
		Port int    `koanf:"port"`
		Host string `koanf:"host"`
		Name string `koanf:"name"`
	}
	c := yamlConfig(t, doc)
	got, err := kernel.Bind[server](c, "server")
	require.NoError(t, err)
	assert.Equal(t, server{Port: 80, Host: "h", Name: "s"}, got)

	tests := []struct {
		desc, prefix string
		line         int
	}{
		{desc: "merged key", prefix: "server", line: 4},
		{desc: "aliased mapping", prefix: "copy", line: 7},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			_, err := kernel.Bind[struct {
				Port bool `koanf:"port"`
			}](c, tt.prefix)
			ce := asConfigError(t, err)
			assert.Equal(t, tt.prefix+".host", ce.Key, "the unknown key comes first")
			assert.Equal(t, tt.line, ce.Line)
		})
	}
}

// TestStartTimeout checks the facade's gofly.start-timeout and stop-timeout,
// read with Bind into a time.Duration: a value that is not a duration is an
// error naming key, value, source and line.
func TestStartTimeout(t *testing.T) {
	type app struct {
		StartTimeout time.Duration `koanf:"start-timeout" default:"15s"`
		StopTimeout  time.Duration `koanf:"stop-timeout" default:"15s"`
	}
	tests := []struct {
		desc, yaml    string
		environ       []string
		want          app
		wantKey       string
		wantValue     string
		wantSource    string
		wantLine      int
		wantMsgSuffix string
	}{
		{desc: "defaults", want: app{15 * time.Second, 15 * time.Second}},
		{desc: "set", yaml: "gofly:\n  start-timeout: 1m\n", environ: []string{"GOFLY_GOFLY_STOP_TIMEOUT=5s"}, want: app{time.Minute, 5 * time.Second}},
		{desc: "bare number", yaml: "gofly:\n  start-timeout: 30\n", wantKey: "gofly.start-timeout", wantValue: "30", wantSource: "app.yaml", wantLine: 2,
			wantMsgSuffix: `cannot use 30 as duration: want a duration such as "15s", "1m30s" or "250ms" (a bare number has no unit)`},
		{desc: "text", yaml: "gofly:\n  stop-timeout: soon\n", wantKey: "gofly.stop-timeout", wantValue: "soon", wantSource: "app.yaml", wantLine: 2,
			wantMsgSuffix: `cannot use "soon" as duration`},
		{desc: "from env", environ: []string{"GOFLY_GOFLY_START_TIMEOUT=10"}, wantKey: "gofly.start-timeout", wantValue: "10", wantSource: "env GOFLY_GOFLY_START_TIMEOUT",
			wantMsgSuffix: `cannot use "10" as duration`},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			c, err := kernel.LoadConfig(kernel.WithEnviron(tt.environ), kernel.WithYAML("app.yaml", []byte(tt.yaml)))
			require.NoError(t, err)
			got, err := kernel.Bind[app](c, "gofly")
			if tt.wantKey == "" {
				require.NoError(t, err)
				assert.Equal(t, tt.want, got)
				return
			}
			ce := asConfigError(t, err)
			assert.Equal(t, tt.wantKey, ce.Key)
			assert.Equal(t, tt.wantValue, ce.Value)
			assert.Equal(t, tt.wantSource, ce.Source)
			assert.Equal(t, tt.wantLine, ce.Line)
			assert.Contains(t, err.Error(), fmt.Sprintf("config key %q in %s: %s", tt.wantKey, tt.wantSource, tt.wantMsgSuffix))
		})
	}
}

func TestIsSecretKey(t *testing.T) {
	tests := []struct {
		key  string
		want bool
	}{
		{"db.password", true}, {"DB.Password", true}, {"dbPassword", true}, {"DB_PASSWORD", true}, {"GOFLY_DB_PASSWORD", true},
		{"smtp.passwd", true}, {"smtp.pwd", true}, {"ssh.passphrase", true}, {"mypassword", true},
		{"oauth.client-secret", true}, {"clientSecret", true}, {"webhook.secret", true},
		{"github.token", true}, {"accessToken", true}, {"refresh_token", true}, {"token-ttl", true},
		{"svc.api-key", true}, {"svc.api_key", true}, {"svc.apiKey", true}, {"svc.APIKey", true}, {"svc.apikey", true},
		{"tls.private-key", true}, {"tls.privateKey", true}, {"aws.accessKey", true}, {"aws.access_key", true},
		{"aws.credentials", true}, {"aws.credential", true}, {"credentials.user", true}, {"secrets.db", true},
		{"web.auth", true}, {"web.basic-auth", true}, {"proxy.authorization", true},
		{"plugins.enabled", false}, {"passwords.policy.min-length", false}, {"book.author", false},
		{"ui.keyboard", false}, {"cache.key", false}, {"cache.key-prefix", false}, {"db.primary-key", false},
		{"oauth.enabled", false}, {"secret-santa.enabled", false}, {"monkey", false}, {"", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, kernel.IsSecretKey(tt.key), tt.key)
	}
}
