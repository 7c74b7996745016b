package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/fx"
	"go.uber.org/goleak"

	"github.com/gofly-framework/gofly/extension"
	"github.com/gofly-framework/gofly/kernel"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestRunPrintsInPriorityOrder(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out))
	assert.Equal(t, `1;gofly
{"id":1,"title":"gofly"}
invalid: record 2 has no title
{"id":3,"title":"after"}
point "formatters" (main.Formatter): 1 extension(s), required=true
point "validate" (main.Validate): 2 extension(s), required=false
`, out.String())
}

func TestConstructorErrorFailsTheApp(t *testing.T) {
	err := run(context.Background(), &bytes.Buffer{}, fx.Replace(&Settings{}))
	require.ErrorIs(t, err, kernel.ErrExtension)
	assert.Contains(t, err.Error(), "csv separator is empty")
}

func TestStartFailures(t *testing.T) {
	tests := []struct {
		desc     string
		opts     []fx.Option
		wantErr  error
		contains string
	}{
		{
			desc:     "required point without extension",
			opts:     []fx.Option{extension.Module, extension.Provide(Formatters)},
			wantErr:  kernel.ErrNoExtensions,
			contains: `required extension points have no registered extensions: ["formatters"]`,
		},
		{
			desc: "contribution to a mistyped point",
			opts: []fx.Option{extension.Module, extension.Provide(Formatters),
				extension.Contribute(extension.NewPoint[Formatter]("formatter"), Formatter(JSON{}), 0)},
			wantErr:  kernel.ErrUnknownPoint,
			contains: `"formatter" (did you mean "formatters"?)`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			app := fx.New(append(tc.opts, fx.NopLogger)...)
			err := app.Start(context.Background())
			require.ErrorIs(t, err, tc.wantErr)
			assert.Contains(t, err.Error(), tc.contains)
		})
	}
}

// TestDocsQuoteThisProgram checks that every Go snippet of docs/extension.md
// appears verbatim in this program or in the package's examples, so the page
// cannot rot.
func TestDocsQuoteThisProgram(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "extension.md"))
	require.NoError(t, err)
	var sources strings.Builder
	for _, f := range []string{"main.go", filepath.Join("..", "..", "extension", "example_test.go")} {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		sources.Write(b)
	}
	snippets := regexp.MustCompile("(?s)```go\n(.*?)```").FindAllStringSubmatch(string(doc), -1)
	require.NotEmpty(t, snippets)
	for _, s := range snippets {
		assert.Contains(t, sources.String(), s[1], "docs/extension.md snippet not found verbatim in the sources")
	}
}
