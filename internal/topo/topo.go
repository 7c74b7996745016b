// Package topo sorts the nodes of a directed graph topologically: the one
// ordering algorithm that the plugin manager (dependencies) and the
// auto-configurations (Before and After) share.
//
// Nodes are the ints 0..n-1, and their numbering is the tie-break: whenever
// several nodes are free to come next, the smallest comes first, so a caller
// numbers its nodes in the order it wants ties to follow (plugins in the
// order they were added, auto-configurations by name). A graph is given by
// each node's prerequisites (the nodes that must come before it), through a
// function that yields them in the caller's order; that order decides which
// cycle is named when there is one.
//
// The sort is Kahn's algorithm with a binary min-heap of ready nodes:
// O((V+E) log V) time, O(V+E) memory, no recursion, so a chain of any length
// sorts without growing the stack.
package topo

import "math"

// Prereqs yields the prerequisites of node i, the nodes that must come
// before it, by calling yield for each until it returns false. A
// prerequisite yielded twice counts twice, harmlessly; i yielded for itself
// is a cycle of one node. Every yielded node must be in 0..n-1.
type Prereqs func(i int, yield func(j int) bool)

// Sort returns the nodes 0..n-1 in topological order: every node after its
// prerequisites, and, whenever several nodes are ready, the smallest first.
//
// When prerequisites form cycles, order holds only the nodes that are
// neither on a cycle nor after one, and cycles names the cycles that block
// the others, in the order they are found: from the smallest node not yet
// accounted for, follow its first prerequisite (in pre's order) that is
// left, and so on until a node repeats; that loop is a cycle, and it and
// every node after it are then accounted for. Each cycle starts at its
// smallest node and repeats it at the end: [a b c a] means that a needs b,
// b needs c and c needs a. Every node left out of order is on or after one
// of the cycles. cycles is nil when order holds every node.
//
// Sort panics when n does not fit in an int32.
func Sort(n int, pre Prereqs) (order []int, cycles [][]int) {
	g := build(n, pre)
	order = make([]int, 0, n)
	g.kahn(func(i int32) { order = append(order, int(i)) }, nil)
	if len(order) == n {
		return order, nil
	}
	return order, g.cycles(pre)
}

// SortAll returns every node 0..n-1, ordered like [Sort] as long as the
// prerequisites allow; where cycles stop the sort, the smallest node left
// is placed next as if its remaining prerequisites were placed, and the
// sort goes on. It never fails: it is the order for tearing things down,
// which must work even when they no longer resolve.
func SortAll(n int, pre Prereqs) []int {
	g := build(n, pre)
	order := make([]int, 0, n)
	cursor := int32(0)
	g.kahn(func(i int32) { order = append(order, int(i)) }, func() (int32, bool) {
		for cursor < int32(n) && g.placed[cursor] {
			cursor++
		}
		return cursor, cursor < int32(n)
	})
	return order
}

// graph is the input of a sort: in-degrees and, for each node, the nodes
// that need it (its dependents), in compressed sparse rows.
type graph struct {
	indeg  []int32
	off    []int32 // dependents of i: dep[off[i]:off[i+1]]
	dep    []int32
	placed []bool
}

func build(n int, pre Prereqs) *graph {
	if n < 0 || n > math.MaxInt32 {
		panic("topo: node count out of range")
	}
	g := &graph{indeg: make([]int32, n), off: make([]int32, n+1), placed: make([]bool, n)}
	var cur int
	count := func(j int) bool {
		g.indeg[cur]++
		g.off[j+1]++
		return true
	}
	for cur = 0; cur < n; cur++ {
		pre(cur, count)
	}
	for i := 1; i <= n; i++ {
		g.off[i] += g.off[i-1]
	}
	g.dep = make([]int32, g.off[n])
	fill := make([]int32, n)
	copy(fill, g.off[:n])
	add := func(j int) bool {
		g.dep[fill[j]] = int32(cur)
		fill[j]++
		return true
	}
	for cur = 0; cur < n; cur++ {
		pre(cur, add)
	}
	return g
}

// kahn places the ready nodes, smallest first, calling emit for each. When
// nothing is ready and force is not nil, it places the node force returns
// (if any) and goes on.
func (g *graph) kahn(emit func(int32), force func() (int32, bool)) {
	indeg := g.indeg // consumed
	var h minHeap
	for i, d := range indeg {
		if d == 0 {
			h = append(h, int32(i)) // increasing: already a heap
		}
	}
	for {
		if len(h) == 0 {
			if force == nil {
				return
			}
			i, ok := force()
			if !ok {
				return
			}
			indeg[i] = 0 // its remaining prerequisites push it below 0, never back to 0
			h.push(i)
		}
		i := h.pop()
		g.placed[i] = true
		emit(i)
		for _, k := range g.dep[g.off[i]:g.off[i+1]] {
			if indeg[k]--; indeg[k] == 0 && !g.placed[k] {
				h.push(k)
			}
		}
	}
}

// cycles names the cycles among the nodes left by kahn, as Sort documents.
func (g *graph) cycles(pre Prereqs) [][]int {
	n := len(g.placed)
	done := g.placed          // from here on: placed, or on or after a named cycle
	stamp := make([]int32, n) // 1 + position on the current walk; 0: not on it
	var out [][]int
	var walk []int
	var queue []int32
	next := -1
	firstLeft := func(j int) bool {
		if done[j] {
			return true
		}
		next = j
		return false
	}
	for s := 0; s < n; s++ {
		if done[s] {
			continue
		}
		walk = walk[:0]
		cur := s
		for stamp[cur] == 0 {
			walk = append(walk, cur)
			stamp[cur] = int32(len(walk))
			next = -1
			pre(cur, firstLeft)
			if next < 0 {
				panic("topo: a node left by the sort has no prerequisite left")
			}
			cur = next
		}
		path := walk[stamp[cur]-1:]
		for _, c := range walk {
			stamp[c] = 0
		}
		out = append(out, closedFromSmallest(path))
		// The cycle and everything after it are accounted for.
		for _, c := range path {
			done[c] = true
			queue = append(queue, int32(c))
		}
		for len(queue) > 0 {
			i := queue[len(queue)-1]
			queue = queue[:len(queue)-1]
			for _, k := range g.dep[g.off[i]:g.off[i+1]] {
				if !done[k] {
					done[k] = true
					queue = append(queue, k)
				}
			}
		}
	}
	return out
}

// closedFromSmallest rotates the loop to begin at its smallest node and
// repeats that node at the end.
func closedFromSmallest(loop []int) []int {
	m := 0
	for k := range loop {
		if loop[k] < loop[m] {
			m = k
		}
	}
	out := make([]int, 0, len(loop)+1)
	out = append(out, loop[m:]...)
	out = append(out, loop[:m]...)
	return append(out, loop[m])
}

// minHeap is a binary min-heap of nodes.
type minHeap []int32

func (h *minHeap) push(v int32) {
	*h = append(*h, v)
	s := *h
	i := len(s) - 1
	for i > 0 {
		p := (i - 1) / 2
		if s[p] <= v {
			break
		}
		s[i] = s[p]
		i = p
	}
	s[i] = v
}

func (h *minHeap) pop() int32 {
	s := *h
	top := s[0]
	last := s[len(s)-1]
	s = s[:len(s)-1]
	*h = s
	n := len(s)
	if n == 0 {
		return top
	}
	i := 0
	for {
		c := 2*i + 1
		if c >= n {
			break
		}
		if c+1 < n && s[c+1] < s[c] {
			c++
		}
		if last <= s[c] {
			break
		}
		s[i] = s[c]
		i = c
	}
	s[i] = last
	return top
}
