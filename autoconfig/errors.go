package autoconfig

import (
	"fmt"
	"strings"

	"github.com/gofly-framework/gofly/kernel"
)

// orderError is the error Evaluate returns when the candidates cannot be
// ordered: a *kernel.Error of class kernel.ErrConfig (errors.As reaches it)
// that keeps the cycle for the "autoconfig-order" analyzer.
type orderError struct {
	err   *kernel.Error
	cycle []string // each must come before the next; the first repeated last
}

func newOrderError(cycle []string) *orderError {
	return &orderError{cycle: cycle, err: &kernel.Error{Class: kernel.ErrConfig, Msg: fmt.Sprintf(
		"auto-configurations cannot be ordered: cycle %s (each must come before the next by Before, After or OnAutoConfig); remove one of these orderings",
		strings.Join(cycle, " -> "))}}
}

func (e *orderError) Error() string { return e.err.Error() }

// Unwrap returns the *kernel.Error.
func (e *orderError) Unwrap() error { return e.err }

// configError returns a *kernel.ConfigError (class kernel.ErrConfig) about key.
func configError(key, source, msg string, cause error) error {
	return &kernel.ConfigError{Key: key, Source: source, Msg: msg, Err: cause}
}

// plainError returns a *kernel.Error of class kernel.ErrConfig: the
// auto-configurations themselves are part of the application's configuration.
func plainError(msg string, cause error) error {
	return &kernel.Error{Class: kernel.ErrConfig, Msg: msg, Err: cause}
}
