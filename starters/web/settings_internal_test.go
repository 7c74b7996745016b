package web

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gofly-framework/gofly/goflytest"
	"github.com/gofly-framework/gofly/kernel"
)

func TestIsLoopback(t *testing.T) {
	for _, tc := range []struct {
		addr string
		want bool
	}{
		{"127.0.0.1:8080", true}, {"127.255.0.1:1", true}, {"[::1]:8080", true}, {"localhost:80", true}, {"LOCALHOST:80", true},
		{"[::ffff:127.0.0.1]:80", true},
		{"0.0.0.0:8080", false}, {"[::]:8080", false}, {":8080", false}, {"10.0.0.1:80", false}, {"example.com:80", false},
		{"127.0.0.1", false}, {"", false},
	} {
		t.Run(tc.addr, func(t *testing.T) { assert.Equal(t, tc.want, isLoopback(tc.addr)) })
	}
}

// TestDefaultsAgreeWithTags checks that the `default` tags, the starter's
// default properties and the defaults the package doc lists are one set.
func TestDefaultsAgreeWithTags(t *testing.T) {
	fromTags, err := loadSettings(nil)
	require.NoError(t, err)

	// The facade loads the starter's default properties below an empty
	// application.yaml.
	a, err := goflytest.Assemble(t, "", Starter())
	require.NoError(t, err)
	cfg := a.Config
	fromProps, err := loadSettings(cfg)
	require.NoError(t, err)
	assert.Equal(t, fromTags, fromProps)

	assert.Equal(t, settings{
		Enabled: true, Address: "127.0.0.1:8080",
		ReadTimeout: 30 * time.Second, ReadHeaderTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second,
		IdleTimeout: 2 * time.Minute, ShutdownTimeout: 15 * time.Second,
		Probes: probeSettings{Enabled: true, LivenessPath: "/livez", ReadinessPath: "/readyz"},
		Admin:  adminSettings{Enabled: false, Path: "/admin"},
	}, fromTags)
	assert.Equal(t, true, cfg.Get("extension.enabled"), "the starter asks for a registry")
}

func TestApplicationYAMLOverridesTheDefaults(t *testing.T) {
	const yaml = `
web:
  address: 0.0.0.0:9090
  shutdown-timeout: 3s
  probes: {readiness-path: /ready/}
  admin: {enabled: true, path: /ops/, token: "${ADMIN_TOKEN}"}
`
	cfg := goflytest.Config(t, yaml, kernel.WithEnviron([]string{"ADMIN_TOKEN=s3cret"}))
	s, err := loadSettings(cfg)
	require.NoError(t, err)
	assert.Equal(t, "0.0.0.0:9090", s.Address)
	assert.Equal(t, 3*time.Second, s.ShutdownTimeout)
	assert.Equal(t, 30*time.Second, s.ReadTimeout, "untouched keys keep their defaults")
	assert.Equal(t, "/ready", s.Probes.ReadinessPath, "a trailing slash is dropped")
	assert.Equal(t, "/ops", s.Admin.Path)
	assert.Equal(t, "s3cret", s.Admin.Token.reveal())

	_, err = goflytest.Assemble(t, yaml, Starter())
	require.Error(t, err, "the placeholder has no value in an empty environment")
	assert.ErrorIs(t, err, kernel.ErrConfig)
	assert.Contains(t, err.Error(), "ADMIN_TOKEN")
}

func TestSecretDoesNotPrint(t *testing.T) {
	s := settings{Admin: adminSettings{Token: "s3cret"}}
	for _, out := range []string{
		fmt.Sprint(s), fmt.Sprintf("%v", s), fmt.Sprintf("%+v", s), fmt.Sprintf("%#v", s), fmt.Sprint(s.Admin.Token),
		fmt.Sprintf("%#v", s.Admin.Token), mustJSON(t, s),
	} {
		assert.NotContains(t, out, "s3cret")
	}
	assert.Contains(t, mustJSON(t, s), `"Token":"[redacted]"`)
	assert.Contains(t, fmt.Sprintf("%#v", s), `web.secret("[redacted]")`)
	assert.Equal(t, "", secret("").String())
	assert.Equal(t, "s3cret", s.Admin.Token.reveal())
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}
