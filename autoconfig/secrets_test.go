package autoconfig_test

import (
	"errors"
	"fmt"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/fx"

	"github.com/gofly-framework/gofly/autoconfig"
	"github.com/gofly-framework/gofly/kernel"
)

// The secrets of secretYAML: db.passwd is secret by kernel.IsSecretKey
// (the last segment holds "passwd"); auth.token-required is a boolean.
const (
	secretYAML = "db:\n  passwd: hunter2XYZ\n  url: postgres://db\nauth:\n  token-required: true\n"
	secret     = "hunter2XYZ"
)

// secretReport evaluates auto-configurations that try every way of putting
// the secret into the report, and adds a section whose reason quotes it.
func secretReport(t *testing.T) *autoconfig.Report {
	t.Helper()
	res, err := autoconfig.EvaluateEnv(autoconfig.Env{Config: load(t, secretYAML)}, []*autoconfig.AutoConfig{
		// Matching tells the value: the expected value is hidden too.
		autoconfig.New("having", autoconfig.When(autoconfig.OnProperty("db.passwd", autoconfig.HavingValue(secret)))),
		autoconfig.New("not-having", autoconfig.When(autoconfig.OnProperty("db.passwd", autoconfig.HavingValue("other")))),
		// A custom condition that quotes the value, bare and quoted.
		autoconfig.New("leaky", autoconfig.When(autoconfig.OnCondition("leaky", func(c *kernel.Config) (bool, string) {
			v := c.String("db.passwd")
			return false, "password " + v + " is " + strconv.Quote(v)
		}))),
		autoconfig.New("auth", autoconfig.When(autoconfig.OnBooleanProperty("auth.token-required", false))),
	})
	require.NoError(t, err)
	res.Report.AddSection("Plugin filter decisions", []autoconfig.Entry{{ID: "db", Reason: "disabled: cannot log in with " + secret}})
	return res.Report
}

func TestSecretsNeverShownInTheReport(t *testing.T) {
	r := secretReport(t)
	require.True(t, kernel.IsSecretKey("db.passwd"), "the fixture relies on the kernel's policy")

	text := r.String()
	assert.NotContains(t, text, secret)
	assert.Contains(t, text, "OnProperty(db.passwd=(hidden))")
	assert.Contains(t, text, `property "db.passwd" (from application.yaml) has the expected value (hidden)`)
	assert.Contains(t, text, `property "db.passwd" (from application.yaml) does not have the expected value (hidden)`)
	assert.Contains(t, text, `password (hidden) is "(hidden)"`)
	assert.Contains(t, text, "disabled: cannot log in with (hidden)")
	assert.Contains(t, text, `property "auth.token-required" (from application.yaml) is true`, "booleans are not hidden")

	js, err := r.MarshalJSON()
	require.NoError(t, err)
	assert.NotContains(t, string(js), secret)
	assert.Contains(t, string(js), "(hidden)")
}

func TestSecretsNeverShownInTheAnalysis(t *testing.T) {
	r := secretReport(t)
	tests := []struct {
		desc     string
		err      error
		report   *autoconfig.Report
		analyzer string // "" for the generic analysis
	}{
		{
			desc: "a plugin error that quotes it",
			err: buildErr(t, fx.Invoke(func() error {
				return &kernel.PluginError{Class: kernel.ErrPluginStart, PluginID: "db", Op: "start", Msg: "logging in as " + secret}
			})),
			report: r, analyzer: "plugin",
		},
		{desc: "an error no analyzer knows", err: fmt.Errorf("dial: %s", secret), report: r},
		{
			// A configuration error with the raw value (the kernel redacts its
			// own, but anyone can build one): hidden even without a report.
			desc: "a configuration error about the secret key",
			err: &kernel.ConfigError{Key: "db.passwd", Value: secret, Source: "application.yaml",
				Msg: fmt.Sprintf("config key %q: cannot use %q as int", "db.passwd", secret)},
			analyzer: "config",
		},
		{
			desc:     "the same, wrapped in another error",
			err:      fmt.Errorf("binding: %w", errors.Join(errors.New("first"), &kernel.ConfigError{Key: "db.passwd", Value: secret, Msg: "bad " + secret})),
			analyzer: "config",
		},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			an, ok := autoconfig.Analyze(tt.err, tt.report)
			text := an.String()
			assert.NotContains(t, text, secret)
			assert.Contains(t, text, "(hidden)")
			if tt.analyzer == "" {
				assert.False(t, ok)
				return
			}
			require.True(t, ok)
			assert.Equal(t, tt.analyzer, an.Analyzer)
			assert.NotContains(t, an.Description+an.Action, secret)
		})
	}
}
