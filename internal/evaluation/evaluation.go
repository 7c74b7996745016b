package evaluation

import (
	"go.uber.org/fx"

	"github.com/gofly-framework/gofly/kernel"
)

// Input is the application as the auto-configurations see it.
type Input struct {
	// Load returns the application's configuration. defaults returns the
	// merged default properties of the candidates (dotted keys), which Load
	// puts below every layer the user controls (kernel.WithDefaults); it
	// fails with an error of class kernel.ErrConfig when two candidates give
	// one key different values. Load need not call it (a configuration
	// loaded beforehand: gofly.WithConfig). An error of Load is returned as
	// is. A nil Load stands for an empty configuration.
	Load func(defaults func() (map[string]any, error)) (*kernel.Config, error)
	// UserOptions are the application's own fx options, which come first in
	// the app; OnMissingType looks among them.
	UserOptions []fx.Option
	// Plugins are the ids of the plugins given to the application; OnPlugin
	// looks among them.
	Plugins []string
	// Exclude names auto-configurations excluded in code
	// (gofly.ExcludeAutoConfig), in addition to the configuration key
	// autoconfig.exclude.
	Exclude []string
}
