package autoconfig

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/fx"
)

type (
	wordingA     struct{}
	wordingB     struct{}
	wordingCycle struct{}
)

// TestMissingTypesReadsDigsWording guards missingTypes, the one function
// that reads dig's error text: it builds real fx apps (fx.New and
// fx.ValidateApp) and checks that the text still reads as missingTypes
// expects. When dig changes its wording, this test fails.
func TestMissingTypesReadsDigsWording(t *testing.T) {
	const here = `function "github.com/gofly-framework/gofly/autoconfig".TestMissingTypesReadsDigsWording.func`
	tests := []struct {
		desc   string
		opts   []fx.Option
		types  []string
		needer []string // in the needer, in order
	}{
		{
			desc:   "one type, needed by an invoked function",
			opts:   []fx.Option{fx.Invoke(func(*wordingA) {})},
			types:  []string{"*autoconfig.wordingA"},
			needer: []string{here, "missingtypes_internal_test.go:"},
		},
		{
			desc:   "two types",
			opts:   []fx.Option{fx.Invoke(func(*wordingA, wordingB) {})},
			types:  []string{"*autoconfig.wordingA", "autoconfig.wordingB"},
			needer: []string{here},
		},
		{
			desc: "a constructor's dependency: the constructor needs it",
			opts: []fx.Option{
				fx.Provide(func(*wordingA) wordingB { return wordingB{} }),
				fx.Invoke(func(wordingB) {}),
			},
			types:  []string{"*autoconfig.wordingA"},
			needer: []string{here, "missingtypes_internal_test.go:"},
		},
		{
			desc: "dig's did-you-mean hint is dropped",
			opts: []fx.Option{
				fx.Provide(func() wordingA { return wordingA{} }),
				fx.Invoke(func(*wordingA) {}),
			},
			types:  []string{"*autoconfig.wordingA"},
			needer: []string{here},
		},
		{
			desc:   "inside a module",
			opts:   []fx.Option{fx.Module("m", fx.Invoke(func(*wordingA) {}))},
			types:  []string{"*autoconfig.wordingA"},
			needer: []string{here},
		},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			opts := append([]fx.Option{fx.Logger(discardPrinter{}), fx.NopLogger}, tt.opts...)
			for name, err := range map[string]error{
				"fx.New":         fx.New(opts...).Err(),
				"fx.ValidateApp": fx.ValidateApp(opts...),
			} {
				require.Error(t, err, name)
				types, needer, ok := missingTypes(err)
				require.True(t, ok, "%s: dig's wording changed? %v", name, err)
				assert.Equal(t, tt.types, types, name)
				for _, n := range tt.needer {
					assert.Contains(t, needer, n, name)
				}
			}
		})
	}
}

func TestMissingTypesIgnoresOtherErrors(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		desc string
		err  error
	}{
		{"nil", nil},
		{"not dig's", errors.New("missing type: *autoconfig.wordingA")},
		{
			"a constructor's own error",
			fx.New(fx.Logger(discardPrinter{}), fx.NopLogger, fx.Provide(func() (*wordingA, error) { return nil, boom }), fx.Invoke(func(*wordingA) {})).Err(),
		},
		{
			"a cycle",
			fx.New(fx.Logger(discardPrinter{}), fx.NopLogger, fx.Provide(func(wordingCycle) wordingCycle { return wordingCycle{} }), fx.Invoke(func(wordingCycle) {})).Err(),
		},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			_, _, ok := missingTypes(tt.err)
			assert.False(t, ok, "%v", tt.err)
		})
	}
}
