package web_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gofly-framework/gofly/extension"
	"github.com/gofly-framework/gofly/goflytest"
	"github.com/gofly-framework/gofly/kernel"
	"github.com/gofly-framework/gofly/starters/web"
)

// The web.* keys are the starter's configuration interface: these tests go
// through NewServer, as an application's configuration does. The bound
// values and the redacted token are tested in settings_internal_test.go.

func TestSettingsErrors(t *testing.T) {
	for _, tc := range []struct {
		desc, yaml, key string
		has             []string
	}{
		{desc: "unknown key", yaml: "web:\n  adress: x\n", key: "web.adress"},
		{desc: "not a duration", yaml: "web:\n  read-timeout: soon\n", key: "web.read-timeout"},
		{desc: "bare number as a duration", yaml: "web:\n  write-timeout: 30\n", key: "web.write-timeout"},
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
			_, err := web.NewServer(goflytest.Config(t, tc.yaml), extension.NewRegistry())
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
			_, err := web.NewServer(goflytest.Config(t, fmt.Sprintf("web:\n  address: %q\n  admin: {enabled: true}\n", addr)), extension.NewRegistry())
			assert.NoError(t, err)
		})
	}
}
