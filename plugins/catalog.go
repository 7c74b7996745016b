package plugins

import (
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Catalog is a set of plugin definitions that plugin packages register
// themselves in, from init(), so that an application brings them all in with
// one option ([FromCatalog]) instead of a hand-written list (plux's entry
// points, Caddy's RegisterModule, database/sql's Register).
//
// A Catalog is safe for concurrent use. Tests should use their own
// ([NewCatalog]) or reset the default one ([Catalog.Reset]).
type Catalog struct {
	fxOption // an error: only gofly.New reads a catalog
	mu       sync.RWMutex
	byID     map[string]*Plugin
}

// NewCatalog returns an empty catalog.
func NewCatalog() *Catalog {
	return &Catalog{fxOption: errOutsideGofly("a *plugins.Catalog"), byID: make(map[string]*Plugin)}
}

var defaultCatalog = NewCatalog()

// DefaultCatalog returns the package-level catalog that [Register] fills.
func DefaultCatalog() *Catalog { return defaultCatalog }

// Register adds p to the default catalog; call it from a plugin package's
// init(). It panics on a nil plugin or an id already catalogued: both are
// programmer errors, found at the program's start. An invalid definition is
// catalogued and reported when it is added to a manager.
func Register(p *Plugin) { defaultCatalog.Register(p) }

// Register adds p to the catalog. It panics on a nil plugin or an id already
// catalogued (a programmer error).
func (c *Catalog) Register(p *Plugin) {
	if p == nil {
		panic("plugins: Register of a nil plugin")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byID == nil {
		c.byID = make(map[string]*Plugin)
	}
	if _, dup := c.byID[p.id]; dup {
		panic(fmt.Sprintf("plugins: plugin %q is registered twice in the catalog; give each plugin a unique id", p.id))
	}
	c.byID[p.id] = p
}

// Plugins returns the catalogued plugins, sorted by id.
func (c *Catalog) Plugins() []*Plugin {
	c.mu.RLock()
	out := make([]*Plugin, 0, len(c.byID))
	for _, p := range c.byID {
		out = append(out, p)
	}
	c.mu.RUnlock()
	slices.SortFunc(out, func(a, b *Plugin) int { return strings.Compare(a.id, b.id) })
	return out
}

// String lists the catalogued ids, sorted: plugins.Catalog(a, b, c).
// With it a *Catalog is also an option of gofly.New, which brings in every
// catalogued plugin (as FromCatalog does) and lets the auto-configurations
// see their ids.
func (c *Catalog) String() string {
	ps := c.Plugins()
	ids := make([]string, len(ps))
	for i, p := range ps {
		ids[i] = p.id
	}
	return "plugins.Catalog(" + strings.Join(ids, ", ") + ")"
}

// Reset empties the catalog (for tests of the default catalog).
func (c *Catalog) Reset() {
	c.mu.Lock()
	c.byID = make(map[string]*Plugin)
	c.mu.Unlock()
}
