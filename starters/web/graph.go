package web

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gofly-framework/gofly/plugins"
)

// The plugin dependency graph, as DOT (Graphviz) and Mermaid text. An edge
// goes from a plugin to a plugin it depends on, labelled with the version
// constraint if any; optional dependencies are dashed; a dependency that is
// not present is drawn as a dotted "missing" node. Nodes come in plugin id
// order, missing nodes after them in id order, edges in the order of their
// source then target id: the same plugins in the same states give the same
// text, byte for byte.

type graphNode struct {
	id, label, class string // class: "", "failed", "disabled", "missing"
}

type graphEdge struct {
	from, to, label string
	optional        bool
}

func pluginGraph(descs []plugins.Descriptor) ([]graphNode, []graphEdge) {
	descs = slices.Clone(descs)
	slices.SortFunc(descs, func(a, b plugins.Descriptor) int { return strings.Compare(a.ID, b.ID) })
	present := make(map[string]bool, len(descs))
	for _, d := range descs {
		present[d.ID] = true
	}
	var nodes []graphNode
	var edges []graphEdge
	var missing []string
	for _, d := range descs {
		n := graphNode{id: d.ID, label: d.ID + "\n" + d.Version + "\n" + d.State.String()}
		switch d.State {
		case plugins.StateFailed:
			n.class = "failed"
		case plugins.StateDisabled:
			n.class = "disabled"
		}
		nodes = append(nodes, n)
		deps := slices.Clone(d.DependsOn)
		slices.SortFunc(deps, func(a, b plugins.Dependency) int { return strings.Compare(a.ID, b.ID) })
		for _, dep := range deps {
			edges = append(edges, graphEdge{from: d.ID, to: dep.ID, label: dep.Constraint, optional: dep.Optional})
			if !present[dep.ID] && !slices.Contains(missing, dep.ID) {
				missing = append(missing, dep.ID)
			}
		}
	}
	slices.Sort(missing)
	for _, id := range missing {
		nodes = append(nodes, graphNode{id: id, label: id + "\n(missing)", class: "missing"})
	}
	return nodes, edges
}

// pluginGraphDOT renders the graph for Graphviz (dot -Tsvg).
func pluginGraphDOT(descs []plugins.Descriptor) string {
	nodes, edges := pluginGraph(descs)
	var b strings.Builder
	b.WriteString("digraph plugins {\n  rankdir=LR;\n  node [shape=box];\n")
	for _, n := range nodes {
		fmt.Fprintf(&b, "  %s [label=%s", dotQuote(n.id), dotQuote(n.label))
		switch n.class {
		case "failed":
			b.WriteString(", color=red")
		case "disabled":
			b.WriteString(", style=dashed")
		case "missing":
			b.WriteString(", style=dotted")
		}
		b.WriteString("];\n")
	}
	for _, e := range edges {
		fmt.Fprintf(&b, "  %s -> %s", dotQuote(e.from), dotQuote(e.to))
		var attrs []string
		if e.label != "" {
			attrs = append(attrs, "label="+dotQuote(e.label))
		}
		if e.optional {
			attrs = append(attrs, "style=dashed")
		}
		if len(attrs) > 0 {
			b.WriteString(" [" + strings.Join(attrs, ", ") + "]")
		}
		b.WriteString(";\n")
	}
	b.WriteString("}\n")
	return b.String()
}

func dotQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}

// pluginGraphMermaid renders the graph as a Mermaid flowchart. Node ids are
// p0, p1 ... in node order, since plugin ids may hold characters Mermaid
// reads as syntax.
func pluginGraphMermaid(descs []plugins.Descriptor) string {
	nodes, edges := pluginGraph(descs)
	ids := make(map[string]string, len(nodes))
	var b strings.Builder
	b.WriteString("flowchart LR\n")
	for i, n := range nodes {
		ids[n.id] = fmt.Sprintf("p%d", i)
		fmt.Fprintf(&b, "  %s[\"%s\"]\n", ids[n.id], mermaidText(strings.ReplaceAll(n.label, "\n", " · ")))
	}
	for _, e := range edges {
		arrow := "-->"
		if e.optional {
			arrow = "-.->"
		}
		if e.label != "" {
			fmt.Fprintf(&b, "  %s %s|\"%s\"| %s\n", ids[e.from], arrow, mermaidText(e.label), ids[e.to])
		} else {
			fmt.Fprintf(&b, "  %s %s %s\n", ids[e.from], arrow, ids[e.to])
		}
	}
	classes := map[string][]string{}
	for _, n := range nodes {
		if n.class != "" {
			classes[n.class] = append(classes[n.class], ids[n.id])
		}
	}
	for _, c := range []struct{ name, style string }{
		{"failed", "stroke:#c00,stroke-width:2px"},
		{"disabled", "stroke-dasharray:5 5"},
		{"missing", "stroke-dasharray:2 2,color:#888"},
	} {
		if len(classes[c.name]) > 0 {
			fmt.Fprintf(&b, "  classDef %s %s\n  class %s %s\n", c.name, c.style, strings.Join(classes[c.name], ","), c.name)
		}
	}
	return b.String()
}

// mermaidText escapes the characters Mermaid reads as syntax inside a quoted
// label, with its #code; entities.
var mermaidText = strings.NewReplacer(
	"#", "#35;", `"`, "#34;", "<", "#60;", ">", "#62;", "|", "#124;", "&", "#38;",
).Replace
