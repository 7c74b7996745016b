package extension

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"a", "", 1},
		{"", "abc", 3},
		{"formatters", "formatters", 0},
		{"formaters", "formatters", 1},
		{"formatter", "formatters", 1},
		{"hoosk", "hooks", 2},
		{"kitten", "sitting", 3},
		{"héllo", "hello", 1},
	}
	for _, tc := range tests {
		t.Run(tc.a+"/"+tc.b, func(t *testing.T) {
			assert.Equal(t, tc.want, distance(tc.a, tc.b))
			assert.Equal(t, tc.want, distance(tc.b, tc.a))
		})
	}
}

func TestSuggest(t *testing.T) {
	tests := []struct {
		desc       string
		id         string
		candidates []string
		want       string
	}{
		{desc: "none", id: "formaters", candidates: nil, want: ""},
		{desc: "close", id: "formaters", candidates: []string{"hooks", "formatters"}, want: "formatters"},
		{desc: "closest wins", id: "abcd", candidates: []string{"abxy", "abcx"}, want: "abcx"},
		{desc: "tie goes to the first in order", id: "ab", candidates: []string{"ax", "aa"}, want: "aa"},
		{desc: "too far", id: "formatters", candidates: []string{"hooks"}, want: ""},
		{desc: "short ids need a closer match", id: "a", candidates: []string{"b"}, want: ""},
		{desc: "the id itself is no hint", id: "hooks", candidates: []string{"hooks"}, want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			assert.Equal(t, tc.want, suggest(tc.id, tc.candidates))
		})
	}
}
