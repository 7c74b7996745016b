package autoconfig_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gofly-framework/gofly/autoconfig"
	"github.com/gofly-framework/gofly/kernel"
)

func TestDebugEnabled(t *testing.T) {
	tests := []struct {
		desc string
		yaml string // "" for a nil configuration
		args []string
		want bool
	}{
		{desc: "nothing", want: false},
		{desc: "config true", yaml: "debug: true", want: true},
		{desc: "config string TRUE", yaml: `debug: "TRUE"`, want: true},
		{desc: "config false", yaml: "debug: false", want: false},
		{desc: "flag", args: []string{"serve", "--debug"}, want: true},
		{desc: "single-dash flag", args: []string{"-debug"}, want: true},
		{desc: "flag overrides config", yaml: "debug: true", args: []string{"--debug=false"}, want: false},
		{desc: "last flag wins", args: []string{"--debug=false", "--debug=True"}, want: true},
		{desc: "after -- is not a flag", args: []string{"--", "--debug"}, want: false},
		{desc: "a similar flag is not it", args: []string{"--debugger"}, want: false},
		{desc: "flag wins over an invalid config value", yaml: "debug: nope", args: []string{"--debug"}, want: true},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			var cfg *kernel.Config
			if tt.yaml != "" {
				cfg = load(t, tt.yaml)
			}
			got, err := autoconfig.DebugEnabled(cfg, tt.args)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestDebugEnabledErrors(t *testing.T) {
	t.Run("bad flag", func(t *testing.T) {
		_, err := autoconfig.DebugEnabled(nil, []string{"--debug=yes"})
		var ce *kernel.ConfigError
		require.True(t, errors.As(err, &ce))
		assert.Equal(t, "debug", ce.Key)
		assert.Equal(t, "command line", ce.Source)
		assert.EqualError(t, err, `command-line flag "--debug=yes" is not a boolean: use --debug, --debug=true or --debug=false`)
	})
	t.Run("bad config", func(t *testing.T) {
		_, err := autoconfig.DebugEnabled(load(t, "debug: 1"), nil)
		var ce *kernel.ConfigError
		require.True(t, errors.As(err, &ce))
		assert.Equal(t, "debug", ce.Key)
		assert.Equal(t, "application.yaml", ce.Source)
		assert.ErrorIs(t, err, kernel.ErrConfig)
	})
}
