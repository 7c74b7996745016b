package topo

import "math"

// Graph is a directed graph over the nodes 0..N-1, in which an edge j -> i
// says that j must come before i. Both functions call yield for each node
// they list until it returns false, and must list the same edges: j among
// Dependents(i) exactly as often as i among Prereqs(j). An edge given twice
// counts twice, harmlessly; a node listed for itself is a cycle of one node.
type Graph struct {
	// N is the number of nodes.
	N int
	// Dependents lists the nodes that must come after node i.
	Dependents func(i int, yield func(j int) bool)
	// Prereqs lists the nodes that must come before node i, in the order
	// that decides which cycle Sort names. Only Sort uses it, and only when
	// there is a cycle.
	Prereqs func(i int, yield func(j int) bool)
}

// Lists returns the graph whose node i must come after the nodes
// prereqs[i], in that order; it derives the dependents. It suits small
// graphs built for one sort; a caller that keeps adjacency lists of its own
// gives them to a Graph directly.
func Lists(prereqs [][]int) Graph {
	deps := make([][]int, len(prereqs))
	for i, ps := range prereqs {
		for _, j := range ps {
			deps[j] = append(deps[j], i)
		}
	}
	return Graph{N: len(prereqs), Dependents: each(deps), Prereqs: each(prereqs)}
}

func each(adj [][]int) func(int, func(int) bool) {
	return func(i int, yield func(int) bool) {
		for _, j := range adj[i] {
			if !yield(j) {
				return
			}
		}
	}
}

// Sort returns the nodes in topological order: every node after its
// prerequisites, and, whenever several nodes are ready, the smallest first.
//
// When prerequisites form cycles, order holds only the nodes that are
// neither on a cycle nor after one, and cycles names the cycles that block
// the others, in the order they are found: from the smallest node not yet
// accounted for, follow its first prerequisite that is left, and so on
// until a node repeats; that loop is a cycle, and it and every node after
// it are then accounted for. Each cycle starts at its smallest node and
// repeats it at the end: [a b c a] means that a needs b, b needs c and c
// needs a. Every node left out of order is on or after one of the cycles.
// cycles is nil when order holds every node.
//
// Sort panics when N is negative or does not fit in an int32.
func (g Graph) Sort() (order []int, cycles [][]int) {
	s := g.newSorter()
	order = s.kahn(false)
	if len(order) == g.N {
		return order, nil
	}
	return order, s.cycles()
}

// SortAll returns every node, ordered like [Graph.Sort] as long as the
// prerequisites allow; where cycles stop the sort, the smallest node left
// is placed next as if its remaining prerequisites were placed, and the
// sort goes on. It never fails: it is the order for tearing things down,
// which must work even when they no longer resolve. It does not use
// Prereqs.
func (g Graph) SortAll() []int {
	return g.newSorter().kahn(true)
}

// sorter holds the state of one sort.
type sorter struct {
	g      Graph
	indeg  []int32
	placed []bool
}

func (g Graph) newSorter() *sorter {
	if g.N < 0 || g.N > math.MaxInt32 {
		panic("topo: node count out of range")
	}
	s := &sorter{g: g, indeg: make([]int32, g.N), placed: make([]bool, g.N)}
	count := func(j int) bool {
		s.indeg[j]++
		return true
	}
	for i := 0; i < g.N; i++ {
		g.Dependents(i, count)
	}
	return s
}

// kahn places the ready nodes, smallest first, and returns them in order.
// When nothing is ready and force is set, it places the smallest node left
// and goes on.
func (s *sorter) kahn(force bool) []int {
	n := s.g.N
	indeg := s.indeg // consumed
	order := make([]int, 0, n)
	var h minHeap
	for i, d := range indeg {
		if d == 0 {
			h = append(h, int32(i)) // increasing: already a heap
		}
	}
	release := func(k int) bool {
		if indeg[k]--; indeg[k] == 0 && !s.placed[k] {
			h.push(int32(k))
		}
		return true
	}
	cursor := 0 // with force: every node below it is placed
	for {
		if len(h) == 0 {
			if !force {
				return order
			}
			for cursor < n && s.placed[cursor] {
				cursor++
			}
			if cursor == n {
				return order
			}
			indeg[cursor] = 0 // its remaining prerequisites push it below 0, never back to 0
			h.push(int32(cursor))
		}
		i := h.pop()
		s.placed[i] = true
		order = append(order, int(i))
		s.g.Dependents(int(i), release)
	}
}

// cycles names the cycles among the nodes left by kahn, as Sort documents.
func (s *sorter) cycles() [][]int {
	n := s.g.N
	done := s.placed          // from here on: placed, or on or after a named cycle
	stamp := make([]int32, n) // 1 + position on the current walk; 0: not on it
	var out [][]int
	var walk []int
	var queue []int
	next := -1
	firstLeft := func(j int) bool {
		if done[j] {
			return true
		}
		next = j
		return false
	}
	markAfter := func(k int) bool {
		if !done[k] {
			done[k] = true
			queue = append(queue, k)
		}
		return true
	}
	for start := 0; start < n; start++ {
		if done[start] {
			continue
		}
		walk = walk[:0]
		cur := start
		for stamp[cur] == 0 {
			walk = append(walk, cur)
			stamp[cur] = int32(len(walk))
			next = -1
			s.g.Prereqs(cur, firstLeft)
			if next < 0 {
				panic("topo: a node left by the sort has no prerequisite left: Prereqs and Dependents disagree")
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
		}
		queue = append(queue[:0], path...)
		for len(queue) > 0 {
			i := queue[len(queue)-1]
			queue = queue[:len(queue)-1]
			s.g.Dependents(i, markAfter)
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
