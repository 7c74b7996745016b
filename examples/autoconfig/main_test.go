package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/fx"
	"go.uber.org/goleak"

	"github.com/gofly-framework/gofly"
	"github.com/gofly-framework/gofly/autoconfig"
	"github.com/gofly-framework/gofly/goflytest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type spanish struct{}

func (spanish) Greet(name string) string { return "¡Hola, " + name + "!" }

func TestApp(t *testing.T) {
	tests := []struct {
		desc     string
		yaml     string // "" reads application.yaml from this directory
		profiles []string
		args     []string
		user     []gofly.Option
		code     int
		out      string
		errHas   []string
	}{
		{desc: "application.yaml overrides the starter's default text", out: "Hi, world!\n"},
		{desc: "the starter's defaults alone", yaml: "other: 1", out: "Hello, world!\n"},
		{desc: "the loud profile decorates the default", yaml: "other: 1", profiles: []string{"loud"}, out: "HELLO, WORLD!\n"},
		{desc: "loud and quiet is not loud", yaml: "other: 1", profiles: []string{"loud", "quiet"}, out: "Hello, world!\n"},
		{
			desc: "the user's own Greeter replaces the default, and loud does not apply",
			yaml: "other: 1", profiles: []string{"loud"}, user: []gofly.Option{fx.Provide(func() Greeter { return spanish{} })},
			out: "¡Hola, world!\n",
		},
		{
			desc: "--debug prints the report", yaml: "other: 1", args: []string{"--debug"}, out: "Hello, world!\n",
			errHas: []string{
				"CONDITIONS EVALUATION REPORT",
				"   greeting matched:\n" +
					"      - OnBooleanProperty(greeting.enabled, default true): property \"greeting.enabled\" (from defaults) is true\n" +
					"      - OnMissingType(main.Greeter): no main.Greeter is provided by the user options\n",
				"   greeting-loud:\n      Did not match:\n         - OnProfile(\"loud & !quiet\"): \"loud & !quiet\" does not match the active profiles (none)\n",
			},
		},
		{
			desc: "disabled: the failure says which auto-configuration and why", yaml: "greeting: {enabled: false}", code: 1,
			errHas: []string{
				"APPLICATION FAILED TO START",
				"needs main.Greeter, which no option of the application provides.",
				`Auto-configuration "greeting" provides main.Greeter but did not match: OnBooleanProperty(greeting.enabled, default true): property "greeting.enabled" (from inline.yaml) is false.`,
			},
		},
		{
			desc: "excluded", yaml: "autoconfig: {exclude: [greeting]}", code: 1,
			errHas: []string{`Auto-configuration "greeting" provides main.Greeter but is excluded (by autoconfig.exclude from inline.yaml)`},
		},
		{
			desc: "an invalid boolean names key and source", yaml: "greeting:\n  enabled: perhaps\n", code: 1,
			errHas: []string{"Key:    greeting.enabled", "Origin: inline.yaml:2", `Fix the value of "greeting.enabled" in inline.yaml.`},
		},
		{
			desc: "an unknown key under greeting fails the start", yaml: "greeting: {txet: Hey}", code: 1,
			errHas: []string{"Key:    greeting.txet"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			var out, errOut bytes.Buffer
			opts := []gofly.Option{Greeting, Loud, greet(&out),
				gofly.Environ(nil), gofly.Profiles(tt.profiles...), gofly.Args(tt.args),
				gofly.ReportOutput(&errOut), gofly.LogOutput(io.Discard)}
			if tt.yaml != "" {
				opts = append(opts, gofly.ConfigYAML(tt.yaml))
			}
			opts = append(opts, tt.user...)
			code := gofly.RunContext(context.Background(), &errOut, opts...)
			require.Equal(t, tt.code, code, "stderr: %s", errOut.String())
			assert.Equal(t, tt.out, out.String())
			for _, s := range tt.errHas {
				assert.Contains(t, errOut.String(), s)
			}
			if len(tt.errHas) == 0 {
				assert.Empty(t, errOut.String())
			}
		})
	}
}

// TestWithRunner tests the two auto-configurations with goflytest.Runner,
// gofly's ApplicationContextRunner: the app is built by the facade from
// properties and options, and the test asserts on the graph, the report and
// the failure analysis.
func TestWithRunner(t *testing.T) {
	runner := goflytest.NewRunner(Greeting, Loud)

	runner.Run(t, func(c *goflytest.Context) {
		require.NoError(t, c.Err())
		assert.Equal(t, "Hello, world!", goflytest.Get[Greeter](c).Greet("world"))
	})

	runner.WithOptions(gofly.Profiles("loud")).Run(t, func(c *goflytest.Context) {
		require.NoError(t, c.Err())
		assert.Equal(t, "HELLO, WORLD!", goflytest.Get[Greeter](c).Greet("world"))
	})

	runner.WithOptions(fx.Provide(func() Greeter { return spanish{} })).Run(t, func(c *goflytest.Context) {
		require.NoError(t, c.Err())
		out, _ := c.Report().Find("greeting")
		assert.Equal(t, autoconfig.StateNotMatched, out.State)
	})

	runner.WithOptions(gofly.Overrides(map[string]any{"greeting.enabled": false}), fx.Invoke(func(Greeter) {})).
		Run(t, func(c *goflytest.Context) {
			require.Error(t, c.Err())
			analysis, _ := autoconfig.Analyze(c.Err(), c.Report())
			assert.Contains(t, analysis.String(), `Auto-configuration "greeting" provides main.Greeter but did not match`)
		})
}

// TestDocsSnippets keeps docs/autoconfig.md honest: every Go block in it is
// copied verbatim from main.go or from this file.
func TestDocsSnippets(t *testing.T) {
	doc, err := os.ReadFile("../../docs/autoconfig.md")
	require.NoError(t, err)
	var src []byte
	for _, f := range []string{"main.go", "main_test.go"} {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		src = append(src, b...)
	}
	blocks := strings.Split(string(doc), "```go\n")[1:]
	require.NotEmpty(t, blocks)
	for _, b := range blocks {
		end := strings.Index(b, "```")
		require.GreaterOrEqual(t, end, 0)
		assert.Contains(t, string(src), b[:end], "a Go block of docs/autoconfig.md is not in main.go nor main_test.go")
	}
}
