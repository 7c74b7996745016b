package web_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gofly-framework/gofly/goflytest"
	"github.com/gofly-framework/gofly/kernel"
	"github.com/gofly-framework/gofly/starters/web"
)

func TestDefaultsAgreeWithTags(t *testing.T) {
	fromTags, err := web.LoadSettings(nil)
	require.NoError(t, err)

	// The facade loads the starter's default properties below an empty
	// application.yaml.
	a, err := goflytest.Assemble(t, "", web.Starter())
	require.NoError(t, err)
	cfg := a.Config
	fromProps, err := web.LoadSettings(cfg)
	require.NoError(t, err)
	assert.Equal(t, fromTags, fromProps)

	assert.Equal(t, web.Settings{
		Enabled: true, Address: "127.0.0.1:8080",
		ReadTimeout: 30 * time.Second, ReadHeaderTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second,
		IdleTimeout: 2 * time.Minute, ShutdownTimeout: 15 * time.Second,
		Probes: web.ProbeSettings{Enabled: true, LivenessPath: "/livez", ReadinessPath: "/readyz"},
		Admin:  web.AdminSettings{Enabled: false, Path: "/admin"},
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
	s, err := web.LoadSettings(cfg)
	require.NoError(t, err)
	assert.Equal(t, "0.0.0.0:9090", s.Address)
	assert.Equal(t, 3*time.Second, s.ShutdownTimeout)
	assert.Equal(t, 30*time.Second, s.ReadTimeout, "untouched keys keep their defaults")
	assert.Equal(t, "/ready", s.Probes.ReadinessPath, "a trailing slash is dropped")
	assert.Equal(t, "/ops", s.Admin.Path)
	assert.Equal(t, "s3cret", s.Admin.Token.Reveal())

	_, err = goflytest.Assemble(t, yaml, web.Starter())
	require.Error(t, err, "the placeholder has no value in an empty environment")
	assert.ErrorIs(t, err, kernel.ErrConfig)
	assert.Contains(t, err.Error(), "ADMIN_TOKEN")
}

func TestSettingsErrors(t *testing.T) {
	for _, tc := range []struct {
		desc, yaml, key string
		has             []string
	}{
		{desc: "unknown key", yaml: "web:\n  adress: x\n", key: "web.adress"},
		{desc: "not a duration", yaml: "web:\n  read-timeout: soon\n", key: "web.read-timeout"},
		{desc: "negative duration", yaml: "web:\n  idle-timeout: -1s\n", key: "web.idle-timeout", has: []string{"is negative"}},
		{desc: "not a host:port", yaml: "web:\n  address: localhost\n", key: "web.address", has: []string{"missing port in address", "127.0.0.1:8080"}},
		{desc: "not a boolean", yaml: "web:\n  admin: {enabled: yes-please}\n", key: "web.admin.enabled"},
		{desc: "relative admin path", yaml: "web:\n  admin: {path: admin}\n", key: "web.admin.path", has: []string{"absolute path"}},
		{desc: "root admin path", yaml: "web:\n  admin: {path: /}\n", key: "web.admin.path", has: []string{"cannot be the root"}},
		{desc: "wildcard in a path", yaml: "web:\n  probes: {liveness-path: \"/{x}\"}\n", key: "web.probes.liveness-path", has: []string{"plain path"}},
		{desc: "escape in a path", yaml: "web:\n  admin: {path: /a%20b}\n", key: "web.admin.path", has: []string{"plain path"}},
		{desc: "unclean path", yaml: "web:\n  admin: {path: /a/../b}\n", key: "web.admin.path", has: []string{"not a clean path"}},
		{desc: "probes on one path", yaml: "web:\n  probes: {readiness-path: /livez}\n", key: "web.probes.readiness-path", has: []string{"also the liveness path"}},
		{
			desc: "probe under the admin path", yaml: "web:\n  admin: {enabled: true, path: /ops}\n  probes: {liveness-path: /ops/live}\n",
			key: "web.probes.liveness-path", has: []string{"lies under the admin path"},
		},
		{
			desc: "admin on every interface without a token", yaml: "web:\n  address: 0.0.0.0:8080\n  admin: {enabled: true}\n",
			key: "web.admin.token", has: []string{`enabled on "0.0.0.0:8080", which is not a loopback address`, "${ADMIN_TOKEN}"},
		},
		{
			desc: "admin on a host name without a token", yaml: "web:\n  address: example.com:80\n  admin: {enabled: true}\n",
			key: "web.admin.token",
		},
		{
			desc: "admin on an empty host without a token", yaml: "web:\n  address: \":8080\"\n  admin: {enabled: true}\n",
			key: "web.admin.token",
		},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			_, err := web.LoadSettings(goflytest.Config(t, tc.yaml))
			require.Error(t, err)
			assert.ErrorIs(t, err, kernel.ErrConfig)
			var ce *kernel.ConfigError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, tc.key, ce.Key)
			assert.NotEmpty(t, ce.Source)
			for _, s := range tc.has {
				assert.Contains(t, err.Error(), s)
			}
		})
	}
}

func TestAdminTokenIsOptionalOnLoopback(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:0", "[::1]:0", "localhost:0", "127.1.2.3:0"} {
		t.Run(addr, func(t *testing.T) {
			_, err := web.LoadSettings(goflytest.Config(t, fmt.Sprintf("web:\n  address: %q\n  admin: {enabled: true}\n", addr)))
			assert.NoError(t, err)
		})
	}
}

func TestSecretDoesNotPrint(t *testing.T) {
	s := web.Settings{Admin: web.AdminSettings{Token: "s3cret"}}
	for _, out := range []string{
		fmt.Sprint(s), fmt.Sprintf("%v", s), fmt.Sprintf("%+v", s), fmt.Sprintf("%#v", s), fmt.Sprint(s.Admin.Token),
		mustJSON(t, s),
	} {
		assert.NotContains(t, out, "s3cret")
	}
	assert.Contains(t, mustJSON(t, s), `"Token":"[redacted]"`)
	assert.Equal(t, "", web.Secret("").String())
	assert.Equal(t, "s3cret", s.Admin.Token.Reveal())
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}
