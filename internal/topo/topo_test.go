package topo_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gofly-framework/gofly/internal/topo"
)

// lists gives each node's prerequisites as a slice, in order.
type lists [][]int

func TestSort(t *testing.T) {
	tests := []struct {
		desc   string
		pre    lists
		order  []int
		cycles [][]int
	}{
		{desc: "empty", pre: lists{}, order: []int{}},
		{desc: "one node", pre: lists{nil}, order: []int{0}},
		{desc: "no edges keep their numbering", pre: lists{nil, nil, nil}, order: []int{0, 1, 2}},
		{desc: "chain numbered backwards", pre: lists{{1}, {2}, nil}, order: []int{2, 1, 0}},
		{desc: "diamond", pre: lists{{1, 2}, {3}, {3}, nil}, order: []int{3, 1, 2, 0}},
		{
			// 1 and 3 are ready at once; 0 is ready after 2, which is smaller than 3.
			desc: "ties go to the smallest ready node", pre: lists{{2}, nil, nil, nil},
			order: []int{1, 2, 0, 3},
		},
		{desc: "a prerequisite given twice is harmless", pre: lists{nil, {0, 0, 0}}, order: []int{0, 1}},
		{desc: "self-loop", pre: lists{nil, {1}}, order: []int{0}, cycles: [][]int{{1, 1}}},
		{
			desc: "cycle path in prerequisite order, from its smallest node",
			pre:  lists{{1}, {2}, {0}}, order: []int{},
			cycles: [][]int{{0, 1, 2, 0}},
		},
		{
			desc:  "cycle reached through a tail starts at its smallest node",
			pre:   lists{{3}, {2}, {3}, {1}, nil}, // 0 needs the cycle 1 -> 2 -> 3 -> 1
			order: []int{4}, cycles: [][]int{{1, 2, 3, 1}},
		},
		{
			desc:  "the first prerequisite left decides the cycle",
			pre:   lists{{2, 1}, {0}, {0}}, // 0 is on two cycles; 2 comes first in its list
			order: []int{}, cycles: [][]int{{0, 2, 0}},
		},
		{
			desc:  "one cycle per tangle, nodes after a cycle are not named again",
			pre:   lists{{1}, {0}, {0}, {4}, {3}, nil},
			order: []int{5}, cycles: [][]int{{0, 1, 0}, {3, 4, 3}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			order, cycles := topo.Lists(tt.pre).Sort()
			assert.Equal(t, tt.order, order)
			assert.Equal(t, tt.cycles, cycles)
		})
	}
}

func TestSortAll(t *testing.T) {
	tests := []struct {
		desc  string
		pre   lists
		order []int
	}{
		{desc: "empty", pre: lists{}, order: []int{}},
		{desc: "acyclic: as Sort", pre: lists{{2}, nil, nil, nil}, order: []int{1, 2, 0, 3}},
		{desc: "a cycle is broken at its smallest node", pre: lists{{2}, {0}, {1}}, order: []int{0, 1, 2}},
		{
			// 3 is ready; then 0 is forced, which frees 2, then 1.
			desc: "nodes after a forced one follow their prerequisites", pre: lists{{1}, {2}, {0}, nil},
			order: []int{3, 0, 2, 1},
		},
		{desc: "self-loop waits to be forced", pre: lists{{0}, nil}, order: []int{1, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			assert.Equal(t, tt.order, topo.Lists(tt.pre).SortAll())
		})
	}
}

// chain returns n nodes where node i needs node i+1: the last one comes
// first, so every node waits for one numbered after it.
func chain(n int) lists {
	l := make(lists, n)
	for i := 0; i < n-1; i++ {
		l[i] = []int{i + 1}
	}
	return l
}

func TestLongChain(t *testing.T) {
	const n = 100_000
	l := chain(n)
	order, cycles := topo.Lists(l).Sort()
	require.Nil(t, cycles)
	require.Len(t, order, n)
	assert.Equal(t, n-1, order[0])
	assert.Equal(t, 0, order[n-1])

	assert.Equal(t, order, topo.Lists(l).SortAll())

	// Closed into one long cycle, it is named whole.
	l[n-1] = []int{0}
	order, cycles = topo.Lists(l).Sort()
	assert.Empty(t, order)
	require.Len(t, cycles, 1)
	require.Len(t, cycles[0], n+1)
	assert.Equal(t, []int{0, 1, 2}, cycles[0][:3])
	assert.Equal(t, 0, cycles[0][n])
	assert.Len(t, topo.Lists(l).SortAll(), n)
}

func TestSortPanicsOnABadCount(t *testing.T) {
	assert.Panics(t, func() { topo.Graph{N: -1}.Sort() })
}

func TestSortPanicsWhenTheDirectionsDisagree(t *testing.T) {
	g := topo.Graph{
		N:          2,
		Dependents: func(i int, yield func(int) bool) { yield(1 - i) }, // a cycle of two
		Prereqs:    func(int, func(int) bool) {},                       // but no prerequisites
	}
	assert.PanicsWithValue(t, "topo: a node left by the sort has no prerequisite left: Prereqs and Dependents disagree", func() { g.Sort() })
}
