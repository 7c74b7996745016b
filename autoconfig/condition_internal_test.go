package autoconfig

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gofly-framework/gofly/kernel"
)

// A condition that returns an error outside the hierarchy still gives an
// error of class kernel.ErrConfig (Condition is sealed: this guards the
// package's own conditions).
type failing struct{}

func (failing) String() string { return "Failing()" }
func (failing) evaluate(*evalContext) (outcome, error) {
	return outcome{}, errors.New("boom")
}

func TestConditionErrorIsWrapped(t *testing.T) {
	_, err := evaluate(env{}, []*AutoConfig{New("x", When(failing{}))}, nil)
	require.Error(t, err)
	assert.ErrorIs(t, err, kernel.ErrConfig)
	assert.EqualError(t, err, `evaluating auto-configuration "x", condition Failing(): boom`)
}

// A condition reads the context: the current auto-configuration, the states
// of others and the environment.
type recorder struct{ seen *[]string }

func (recorder) String() string { return "Recorder()" }
func (r recorder) evaluate(ctx *evalContext) (outcome, error) {
	*r.seen = append(*r.seen, ctx.current+":"+string(ctx.states["a"])+":"+string(ctx.states["zz"])+":"+
		ctx.config().String("k")+":"+strings.Join(ctx.env.plugins, ","))
	return matched("ok"), nil
}

func TestEvalContext(t *testing.T) {
	cfg, err := kernel.LoadConfig(kernel.WithYAML("application.yaml", []byte("k: v")), kernel.WithEnviron(nil))
	require.NoError(t, err)
	var seen []string
	a := New("a", When(recorder{&seen}))
	b := New("b", When(recorder{&seen}))
	_, err = evaluate(env{config: cfg, plugins: []string{"p"}}, []*AutoConfig{b, a}, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"a:pending::v:p", "b:matched::v:p"}, seen)
}

func TestBuiltinAnalyzersOrder(t *testing.T) {
	var names []string
	for _, a := range builtinAnalyzers {
		names = append(names, a.name)
	}
	assert.Equal(t, []string{"plugin-resolution", "config", "dependency-cycle", "missing-type", "autoconfig-order",
		"start-timeout", "plugins-off", "plugin", "extension"}, names)
}
