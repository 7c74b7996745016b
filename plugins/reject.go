package plugins

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"go.uber.org/fx"

	"github.com/gofly-framework/gofly/kernel"
)

type rejectIn struct {
	fx.In
	Plugins []*fxPlugin `group:"gofly.plugins"`
}

// Reject returns an fx option for an app in which plugins are switched off
// (the gofly facade adds it when plugins.enabled is not true): when the app's
// options still contain plugins ([New], [Plugin.Fx], [FromCatalog]), building
// the app fails with an error of class kernel.ErrPluginLoad that names them
// and gives reason, instead of the plugins being silently ignored.
func Reject(reason string) fx.Option {
	return fx.Invoke(func(in rejectIn) error {
		if len(in.Plugins) == 0 {
			return nil
		}
		ids := make([]string, len(in.Plugins))
		for i, fp := range in.Plugins {
			ids[i] = fp.p.ID()
		}
		slices.Sort(ids)
		quoted := make([]string, len(ids))
		for i, id := range ids {
			quoted[i] = strconv.Quote(id)
		}
		return &kernel.PluginError{
			Class:    kernel.ErrPluginLoad,
			PluginID: ids[0],
			Op:       "add",
			Msg: fmt.Sprintf("the app was given %d plugin(s) (%s) but %s: set plugins.enabled: true in application.yaml "+
				"(or GOFLY_PLUGINS_ENABLED=true), or remove the plugins from the app's options",
				len(ids), strings.Join(quoted, ", "), reason),
		}
	})
}
