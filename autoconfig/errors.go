package autoconfig

import "github.com/gofly-framework/gofly/kernel"

// orderCycleText starts the message of the error Evaluate returns when the
// candidates cannot be ordered; the "autoconfig-order" analyzer looks for it.
const orderCycleText = "auto-configurations cannot be ordered: "

// configError returns a *kernel.ConfigError (class kernel.ErrConfig) about key.
func configError(key, source, msg string, cause error) error {
	return &kernel.ConfigError{Key: key, Source: source, Msg: msg, Err: cause}
}

// plainError returns a *kernel.Error of class kernel.ErrConfig: the
// auto-configurations themselves are part of the application's configuration.
func plainError(msg string, cause error) error {
	return kernel.NewError(kernel.ErrConfig, msg, cause)
}
