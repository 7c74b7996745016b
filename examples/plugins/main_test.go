package main

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/gofly-framework/gofly/kernel"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestRun runs the example as `go run .` does, with this directory's
// application.yaml, and checks its whole output.
func TestRun(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(&out, kernel.WithEnviron(nil)))
	assert.Equal(t, `  core       UNLOADED -> LOADED
  upper      UNLOADED -> LOADED
  brackets   UNLOADED -> LOADED
  shout      UNLOADED -> DISABLED
  legacy-xml UNLOADED -> DISABLED
  audit      UNLOADED -> LOADED
starting
  core       LOADED -> STARTED
  upper      LOADED -> STARTED
  brackets   LOADED -> STARTED
audit> started
  audit      LOADED -> STARTED
[HELLO, PLUGINS]
order: core, upper, brackets, audit
stopping
audit> stopped
  audit      STARTED -> STOPPED
  brackets   STARTED -> STOPPED
  upper      STARTED -> STOPPED
  core       STARTED -> STOPPED
plugins:
  audit      0.3.0  STOPPED
  brackets   1.1.0  STOPPED
  core       1.4.0  STOPPED
  legacy-xml 0.0.0  DISABLED id "legacy-xml" matches plugins.exclude "legacy-*"
  shout      0.0.0  DISABLED tag "experimental" matches plugins.tags.exclude "experimental"
  upper      1.0.0  STOPPED
decisions:
  audit: enabled (id "audit" matches no plugins.exclude pattern; no tag matches plugins.tags.exclude)
  brackets: enabled (id "brackets" matches no plugins.exclude pattern; no tag matches plugins.tags.exclude; condition met: formatting.plain is not true)
  core: enabled (id "core" matches no plugins.exclude pattern; no tag matches plugins.tags.exclude)
  legacy-xml: disabled (id "legacy-xml" matches plugins.exclude "legacy-*")
  shout: disabled (tag "experimental" matches plugins.tags.exclude "experimental")
  upper: enabled (id "upper" matches no plugins.exclude pattern; no tag matches plugins.tags.exclude)
`, out.String())
}

func TestVariants(t *testing.T) {
	tests := []struct {
		desc   string
		yaml   string
		has    []string
		errIs  []error
		errHas string
	}{
		{
			desc: "no filter: shout and legacy-xml join",
			yaml: "other: 1\n",
			has:  []string{"[HELLO, PLUGINS!!!]", "order: core, upper, brackets, shout, legacy-xml, audit", "audit: started"},
		},
		{
			desc: "excluding core disables every plugin that requires it",
			yaml: "plugins:\n  exclude: [core]\n",
			has: []string{
				`upper      1.0.0  DISABLED depends on disabled plugin "core"`,
				`shout      0.0.0  DISABLED depends on disabled plugin "upper"`,
				"audit      0.3.0  STOPPED", // its dependency on core is optional
				"hello, plugins\n",
			},
		},
		{
			desc: "a condition disables brackets",
			yaml: "formatting: { plain: true }\nplugins: { exclude: [legacy-xml, shout] }\n",
			has: []string{
				"brackets   1.1.0  DISABLED condition not met: formatting.plain is true",
				"order: core, upper, audit",
				"\nHELLO, PLUGINS\n",
			},
		},
		{
			desc:   "per-plugin configuration is bound strictly",
			yaml:   "plugins:\n  config:\n    audit: { prefx: oops }\n",
			errIs:  []error{kernel.ErrConfig, kernel.ErrPluginStart},
			errHas: "plugins.config.audit.prefx",
		},
		{
			desc:   "the plugins section is bound strictly",
			yaml:   "plugins:\n  failure-policy: sometimes\n",
			errIs:  []error{kernel.ErrConfig},
			errHas: `use "fail-fast" or "continue"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			var out bytes.Buffer
			err := run(&out, kernel.WithEnviron(nil), kernel.WithYAML("inline.yaml", []byte(tt.yaml)))
			if tt.errHas != "" {
				require.Error(t, err)
				for _, target := range tt.errIs {
					assert.ErrorIs(t, err, target)
				}
				assert.Contains(t, err.Error(), tt.errHas)
				return
			}
			require.NoError(t, err)
			for _, s := range tt.has {
				assert.Contains(t, out.String(), s)
			}
		})
	}
}

// TestDocsSnippets keeps docs/plugins.md honest: every Go block in it is
// copied verbatim from main.go.
func TestDocsSnippets(t *testing.T) {
	doc, err := os.ReadFile("../../docs/plugins.md")
	require.NoError(t, err)
	src, err := os.ReadFile("main.go")
	require.NoError(t, err)
	blocks := strings.Split(string(doc), "```go\n")[1:]
	require.NotEmpty(t, blocks)
	for _, b := range blocks {
		end := strings.Index(b, "```")
		require.GreaterOrEqual(t, end, 0)
		assert.Contains(t, string(src), b[:end], "a Go block of docs/plugins.md is not in main.go")
	}
}
