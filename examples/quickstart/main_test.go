package main

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// build compiles this example once per test binary run.
func build(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "quickstart")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	return bin
}

func command(bin string, env ...string) *exec.Cmd {
	cmd := exec.Command(bin)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, env...)
	return cmd
}

// TestQuickstart runs the README's program as a user would: it prints the
// greeting from application.yaml, runs until SIGINT, and exits with status 0;
// a bad configuration makes it exit with status 1.
func TestQuickstart(t *testing.T) {
	bin := build(t)

	t.Run("greets, runs until SIGINT, exits 0", func(t *testing.T) {
		for _, tc := range []struct {
			desc string
			env  []string
			want string
		}{
			{desc: "placeholder default", want: "hello from gofly"},
			{desc: "placeholder from env", env: []string{"GREETING=hey"}, want: "hey"},
			{desc: "GOFLY_ override", env: []string{"GOFLY_APP_GREETING=hi"}, want: "hi"},
		} {
			t.Run(tc.desc, func(t *testing.T) {
				cmd := command(bin, tc.env...)
				stdout, err := cmd.StdoutPipe()
				require.NoError(t, err)
				var stderr bytes.Buffer
				cmd.Stderr = &stderr
				require.NoError(t, cmd.Start())

				// stderr is only read once the process has exited.
				line, readErr := bufio.NewReader(stdout).ReadString('\n')
				if readErr != nil {
					_ = cmd.Wait()
					require.NoError(t, readErr, "stderr: %s", stderr.String())
				}
				assert.Equal(t, tc.want, strings.TrimSpace(line))

				require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
				assert.NoError(t, cmd.Wait(), "stderr: %s", stderr.String())
			})
		}
	})

	t.Run("with strict-env, an unknown GOFLY_ variable exits 1, named", func(t *testing.T) {
		cmd := command(bin, "GOFLY_GOFLY_STRICT_ENV=true", "GOFLY_APP_GRETING=typo")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		var exit *exec.ExitError
		require.True(t, errors.As(err, &exit), "want a non-zero exit, got %v", err)
		assert.Equal(t, 1, exit.ExitCode())
		assert.Contains(t, stderr.String(), "GOFLY_APP_GRETING")
		assert.Contains(t, stderr.String(), "sets no known config key")
	})
}
