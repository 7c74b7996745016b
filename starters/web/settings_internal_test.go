package web

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestIsLoopback(t *testing.T) {
	for _, tc := range []struct {
		addr string
		want bool
	}{
		{"127.0.0.1:8080", true}, {"127.255.0.1:1", true}, {"[::1]:8080", true}, {"localhost:80", true}, {"LOCALHOST:80", true},
		{"[::ffff:127.0.0.1]:80", true},
		{"0.0.0.0:8080", false}, {"[::]:8080", false}, {":8080", false}, {"10.0.0.1:80", false}, {"example.com:80", false},
		{"127.0.0.1", false}, {"", false},
	} {
		t.Run(tc.addr, func(t *testing.T) { assert.Equal(t, tc.want, isLoopback(tc.addr)) })
	}
}
