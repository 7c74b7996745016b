package kernel_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDocsSnippets keeps docs/configuration.md honest: every Go snippet in it
// must appear verbatim in example_test.go, whose examples run in the tests.
func TestDocsSnippets(t *testing.T) {
	doc, err := os.ReadFile("../docs/configuration.md")
	require.NoError(t, err)
	examples, err := os.ReadFile("example_test.go")
	require.NoError(t, err)

	blocks := regexp.MustCompile("(?s)```go\n(.*?)```").FindAllSubmatch(doc, -1)
	require.NotEmpty(t, blocks)
	for _, b := range blocks {
		snippet := strings.TrimSpace(string(b[1]))
		assert.Contains(t, string(examples), snippet,
			"docs/configuration.md has a Go snippet that is not verbatim in kernel/example_test.go:\n%s", snippet)
	}
}
