package main

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/fx"
	"go.uber.org/goleak"

	"github.com/gofly-framework/gofly"
	"github.com/gofly-framework/gofly/goflytest"
	"github.com/gofly-framework/gofly/kernel"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestRunReadsApplicationYAML runs the example as `go run .` does: from this
// directory, with its application.yaml.
func TestRunReadsApplicationYAML(t *testing.T) {
	var out, errOut bytes.Buffer
	opts := append(options(&out), gofly.Environ([]string{"USER=tester"}), gofly.LogOutput(&bytes.Buffer{}))
	code := gofly.RunContext(context.Background(), &errOut, opts...)
	require.Equal(t, 0, code, "stderr: %s", errOut.String())
	assert.Equal(t, "Hello, tester!\n", out.String())
}

func TestEnvironmentOverridesFile(t *testing.T) {
	var out bytes.Buffer
	opts := append(options(&out),
		gofly.Environ([]string{"GOFLY_HELLO_NAME=env", "GOFLY_HELLO_TIMES=2"}),
		gofly.LogOutput(&bytes.Buffer{}))
	require.Equal(t, 0, gofly.RunContext(context.Background(), &bytes.Buffer{}, opts...))
	assert.Equal(t, "Hello, env!\nHello, env!\n", out.String())
}

func TestUnknownKeyFailsTheStart(t *testing.T) {
	var out bytes.Buffer
	a, err := goflytest.Assemble(t, "hello:\n  nmae: typo\n", options(&out)...)
	require.NoError(t, err)
	err = fx.New(a.Options...).Err()
	require.Error(t, err)
	assert.True(t, errors.Is(err, kernel.ErrConfig), "got %v", err)
	assert.Contains(t, err.Error(), "hello.nmae")
	assert.Empty(t, out.String())
}
