package autoconfig

import (
	"fmt"
	"strings"

	"github.com/gofly-framework/gofly/kernel"
)

// DebugKey is the configuration key that asks for the condition report at
// startup.
const DebugKey = "debug"

// DebugEnabled reports whether the condition report should be printed at
// startup: when args (the command line without the program name, e.g.
// os.Args[1:]) holds --debug or --debug=<bool>, that decides (the last one
// wins; arguments after "--" are not looked at); otherwise the boolean
// property debug does (default false), read strictly with
// kernel.Config.Bool. A nil cfg counts as an empty configuration.
//
// Errors, of class kernel.ErrConfig: --debug=<value> that is not true or
// false (any case); a debug property that is not a boolean (the
// configuration's *kernel.ConfigError, naming key and source).
func DebugEnabled(cfg *kernel.Config, args []string) (bool, error) {
	flag, set := false, false
	for _, a := range args {
		if a == "--" {
			break
		}
		switch {
		case a == "--debug" || a == "-debug":
			flag, set = true, true
		case strings.HasPrefix(a, "--debug=") || strings.HasPrefix(a, "-debug="):
			v := a[strings.IndexByte(a, '=')+1:]
			switch strings.ToLower(v) {
			case "true":
				flag, set = true, true
			case "false":
				flag, set = false, true
			default:
				return false, &kernel.ConfigError{Key: DebugKey, Value: v, Source: "command line",
					Msg: fmt.Sprintf("command-line flag %q is not a boolean: use --debug, --debug=true or --debug=false", a)}
			}
		}
	}
	if set {
		return flag, nil
	}
	if cfg == nil {
		return false, nil
	}
	return cfg.Bool(DebugKey, false)
}
