package autoconfig_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/gofly-framework/gofly/autoconfig"
	"github.com/gofly-framework/gofly/kernel"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// load builds a configuration from YAML (source "application.yaml") with no
// environment and the given active profiles.
func load(t testing.TB, yaml string, profiles ...string) *kernel.Config {
	t.Helper()
	cfg, err := kernel.LoadConfig(
		kernel.WithYAML("application.yaml", []byte(yaml)),
		kernel.WithEnviron(nil),
		kernel.WithProfiles(profiles...),
	)
	require.NoError(t, err)
	return cfg
}

// evalOne evaluates a single auto-configuration guarded by cond and returns
// its outcome.
func evalOne(t testing.TB, env autoconfig.Env, cond autoconfig.Condition) autoconfig.AutoConfigOutcome {
	t.Helper()
	res, err := autoconfig.EvaluateEnv(env, []*autoconfig.AutoConfig{autoconfig.New("subject", autoconfig.When(cond))})
	require.NoError(t, err)
	out, ok := res.Report.Find("subject")
	require.True(t, ok)
	return out
}
