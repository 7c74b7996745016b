package plugins

import (
	"fmt"
	"strings"

	"github.com/gofly-framework/gofly/internal/topo"
	"github.com/gofly-framework/gofly/kernel"
)

// graph is the dependency graph of every plugin in a manager, in add order.
// Edges link plugins that are present (in any state); missing dependencies
// are not edges. Node i depends on deps[depOff[i]:depOff[i+1]]; rdeps holds
// the reverse (dependents).
type graph struct {
	ents    []*entry
	idx     map[string]int32
	depOff  []int32
	deps    []int32
	depSpec []int32 // per edge: index into the dependent's def.deps
	rOff    []int32
	rdeps   []int32
}

func buildGraph(ents []*entry) *graph {
	n := len(ents)
	g := &graph{ents: ents, idx: make(map[string]int32, n), depOff: make([]int32, n+1)}
	for i, e := range ents {
		g.idx[e.def.id] = int32(i)
	}
	total := 0
	for _, e := range ents {
		total += len(e.def.deps)
	}
	g.deps = make([]int32, 0, total)
	g.depSpec = make([]int32, 0, total)
	indeg := make([]int32, n+1) // reused as reverse offsets
	for i, e := range ents {
		for k := range e.def.deps {
			if j, ok := g.idx[e.def.deps[k].ID]; ok {
				g.deps = append(g.deps, j)
				g.depSpec = append(g.depSpec, int32(k))
				indeg[j+1]++
			}
		}
		g.depOff[i+1] = int32(len(g.deps))
	}
	for i := 1; i <= n; i++ {
		indeg[i] += indeg[i-1]
	}
	g.rOff = indeg
	g.rdeps = make([]int32, len(g.deps))
	fill := make([]int32, n)
	copy(fill, g.rOff[:n])
	for i := 0; i < n; i++ {
		for _, j := range g.deps[g.depOff[i]:g.depOff[i+1]] {
			g.rdeps[fill[j]] = int32(i)
			fill[j]++
		}
	}
	return g
}

// problem says why a plugin cannot be placed in the order.
type problem struct {
	// err is the resolution error at the root of the problem.
	err *kernel.ResolutionError
	// via is, for a plugin blocked by a dependency's problem, that
	// dependency's index; -1 for the plugin the error is about.
	via int32
}

// resolution is the result of resolving the enabled plugins of a graph.
type resolution struct {
	// order holds the enabled, resolvable plugins in stable topological
	// order: whenever several are ready, the one added first comes next.
	order []int32
	// pos is each node's position in order, -1 when not placed.
	pos []int32
	// probs holds, per node, why it is not placed; nil when placed or disabled.
	probs []*problem
	// err is the first problem (fail-fast): the direct problem of the plugin
	// added first, else the first cycle; nil when every enabled plugin resolves.
	err *kernel.ResolutionError
}

// enabled reports whether node i takes part in resolution.
func (g *graph) enabled(i int32) bool { return g.ents[i].state != StateDisabled }

// resolve computes the stable topological order of the enabled plugins in
// O((V+E) log V) with topo.Graph.Sort, plugins numbered in add order. Missing
// required dependencies and unmet version constraints are problems of the
// plugin that declares them; a cycle is a problem of each plugin on it; and a
// plugin depending on a plugin with a problem cannot be placed either.
func (g *graph) resolve() *resolution {
	n := int32(len(g.ents))
	r := &resolution{pos: make([]int32, n), probs: make([]*problem, n)}
	for i := range r.pos {
		r.pos[i] = -1
	}
	var queue []int32 // plugins with a problem whose dependents are not yet marked
	// Direct problems: missing dependencies and unmet constraints.
	for i := int32(0); i < n; i++ {
		if !g.enabled(i) {
			continue
		}
		if err := g.checkDeps(i); err != nil {
			r.probs[i] = &problem{err: err, via: -1}
			if r.err == nil {
				r.err = err
			}
			queue = append(queue, i)
		}
	}
	queue = r.propagate(g, queue)
	// Sort the enabled plugins without a problem. A plugin without a
	// problem depends only on plugins without one (propagation), and its
	// disabled dependencies are optional ones (disabling cascades over
	// required ones), which do not count. The other plugins take no part:
	// they have no prerequisites and are dropped from the order.
	placeable := make([]bool, n) // read once: the sort asks often
	for i := range placeable {
		placeable[i] = g.enabled(int32(i)) && r.probs[i] == nil
	}
	order, cycles := topo.Graph{
		N: int(n),
		Dependents: func(i int, yield func(int) bool) {
			if !placeable[i] {
				return
			}
			for _, k := range g.rdeps[g.rOff[i]:g.rOff[i+1]] {
				if placeable[k] && !yield(int(k)) {
					return
				}
			}
		},
		Prereqs: func(i int, yield func(int) bool) {
			if !placeable[i] {
				return
			}
			for _, j := range g.deps[g.depOff[i]:g.depOff[i+1]] {
				if placeable[j] && !yield(int(j)) {
					return
				}
			}
		},
	}.Sort()
	r.order = make([]int32, 0, len(order))
	for _, i := range order {
		if placeable[i] {
			r.pos[i] = int32(len(r.order))
			r.order = append(r.order, int32(i))
		}
	}
	// What is left is on a cycle or behind one: name each cycle, mark its
	// plugins and their dependents.
	for _, c := range cycles {
		err := g.cycleError(c)
		if r.err == nil {
			r.err = err
		}
		queue = queue[:0]
		for _, k := range c[:len(c)-1] {
			r.probs[k] = &problem{err: err, via: -1}
			queue = append(queue, int32(k))
		}
		queue = r.propagate(g, queue)
	}
	return r
}

// propagate marks every enabled, unplaced dependent of the plugins in queue
// (transitively) as blocked by them, and returns the emptied queue.
func (r *resolution) propagate(g *graph, queue []int32) []int32 {
	for len(queue) > 0 {
		i := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		for _, k := range g.rdeps[g.rOff[i]:g.rOff[i+1]] {
			if r.probs[k] != nil || r.pos[k] >= 0 || !g.enabled(k) {
				continue
			}
			r.probs[k] = &problem{err: r.probs[i].err, via: i}
			queue = append(queue, k)
		}
	}
	return queue
}

// checkDeps returns the first direct problem of node i: a required
// dependency missing (or disabled) or a version constraint not met.
func (g *graph) checkDeps(i int32) *kernel.ResolutionError {
	e := g.ents[i]
	edge := g.depOff[i]
	for k := range e.def.deps {
		d := &e.def.deps[k]
		var target *entry
		if edge < g.depOff[i+1] && g.depSpec[edge] == int32(k) {
			target = g.ents[g.deps[edge]]
			edge++
		}
		if target == nil || target.state == StateDisabled {
			if d.Optional {
				continue
			}
			if target != nil {
				return &kernel.ResolutionError{
					PluginID: e.def.id, Dependency: d.ID,
					Msg: fmt.Sprintf("plugin %q depends on disabled plugin %q; enable %q or disable %q", e.def.id, d.ID, d.ID, e.def.id),
				}
			}
			return &kernel.ResolutionError{
				PluginID: e.def.id, Dependency: d.ID,
				Msg: fmt.Sprintf("plugin %q depends on missing plugin %q; add plugin %q or make the dependency optional", e.def.id, d.ID, d.ID),
			}
		}
		if d.cons != nil && !d.cons.Check(target.def.version) {
			return &kernel.ResolutionError{
				PluginID: e.def.id, Dependency: d.ID, Constraint: d.Constraint, Found: target.def.versionText,
				Msg: fmt.Sprintf("plugin %q requires plugin %q %q but found version %q; use a version of %q that meets the constraint, or change the constraint",
					e.def.id, d.ID, d.Constraint, target.def.versionText, d.ID),
			}
		}
	}
	return nil
}

// cycleError names a cycle as topo.Sort returns it: plugins each depending
// on the next, starting at the plugin added first and ending with it again.
func (g *graph) cycleError(cycle []int) *kernel.ResolutionError {
	ids := make([]string, len(cycle))
	for k, i := range cycle {
		ids[k] = g.ents[i].def.id
	}
	return &kernel.ResolutionError{
		PluginID: ids[0], Dependency: ids[1], Cycle: ids,
		Msg: fmt.Sprintf("plugins form a dependency cycle: %s; remove one of these dependencies", strings.Join(ids, " -> ")),
	}
}

// tolerantOrder orders the nodes for which member is true so that
// dependencies come before their dependents, breaking ties (and cycles, which
// cannot be honoured) by add order. It never fails: it is what stop and
// unload use, which must work even when the plugins no longer resolve.
func (g *graph) tolerantOrder(member func(i int32) bool) []int32 {
	in := make([]bool, len(g.ents)) // read once: the sort asks often
	count := 0
	for i := range in {
		if in[i] = member(int32(i)); in[i] {
			count++
		}
	}
	order := topo.Graph{
		N: len(g.ents),
		Dependents: func(i int, yield func(int) bool) {
			if !in[i] {
				return
			}
			for _, k := range g.rdeps[g.rOff[i]:g.rOff[i+1]] {
				if in[k] && int(k) != i && !yield(int(k)) {
					return
				}
			}
		},
	}.SortAll()
	out := make([]int32, 0, count)
	for _, i := range order {
		if in[i] {
			out = append(out, int32(i))
		}
	}
	return out
}
