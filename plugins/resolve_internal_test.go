package plugins

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOrderIsCached(t *testing.T) {
	m := NewManager(nil)
	require.NoError(t, m.Add(Define("a")))
	_, err := m.Order()
	require.NoError(t, err)
	g, r := m.g, m.res
	require.NotNil(t, r)
	for range 3 {
		_, err := m.Order()
		require.NoError(t, err)
		_, _ = m.Plugin("a")
		_ = m.Plugins()
		assert.Same(t, r, m.res, "reads do not recompute the order")
		assert.Same(t, g, m.g)
	}
	require.NoError(t, m.Add(Define("b")))
	assert.Nil(t, m.res, "Add invalidates the order")
	_, err = m.Order()
	require.NoError(t, err)
	r = m.res
	require.NoError(t, m.StartAll(context.Background()))
	require.NoError(t, m.StopAll(context.Background()))
	assert.Same(t, r, m.res, "starting and stopping do not recompute the order")
	_, err = m.Remove(context.Background(), "b")
	require.NoError(t, err)
	assert.Nil(t, m.res, "Remove invalidates the order")
}

// benchEntries returns n entries where plugin k depends on up to three earlier
// plugins (1, 7 and 31 places back), added in reverse so that the sort has
// to work, plus a chain when chain is set.
func benchEntries(n int, chain bool) []*entry {
	ents := make([]*entry, n)
	for i := 0; i < n; i++ {
		k := n - 1 - i // added in reverse
		var opts []Option
		backs := []int{1, 7, 31}
		if chain {
			backs = backs[:1]
		}
		for _, back := range backs {
			if k-back >= 0 {
				opts = append(opts, DependsOn(fmt.Sprintf("p%d", k-back)))
			}
		}
		ents[i] = &entry{def: Define(fmt.Sprintf("p%d", k), opts...)}
	}
	return ents
}

// fifoKahn is the baseline: a plain Kahn sort with a FIFO queue over the same
// entries, building the same id index and adjacency.
func fifoKahn(ents []*entry) []int32 {
	n := len(ents)
	idx := make(map[string]int32, n)
	for i, e := range ents {
		idx[e.def.id] = int32(i)
	}
	indeg := make([]int32, n)
	off := make([]int32, n+1)
	for _, e := range ents {
		for _, d := range e.def.deps {
			if j, ok := idx[d.ID]; ok {
				off[j+1]++
			}
		}
	}
	for i := 1; i <= n; i++ {
		off[i] += off[i-1]
	}
	adj := make([]int32, off[n])
	fill := append([]int32(nil), off[:n]...)
	for i, e := range ents {
		for _, d := range e.def.deps {
			if j, ok := idx[d.ID]; ok {
				adj[fill[j]] = int32(i)
				fill[j]++
				indeg[i]++
			}
		}
	}
	queue := make([]int32, 0, n)
	for i := int32(0); i < int32(n); i++ {
		if indeg[i] == 0 {
			queue = append(queue, i)
		}
	}
	for h := 0; h < len(queue); h++ {
		i := queue[h]
		for _, k := range adj[off[i]:off[i+1]] {
			if indeg[k]--; indeg[k] == 0 {
				queue = append(queue, k)
			}
		}
	}
	return queue
}

func TestFifoBaselineAgrees(t *testing.T) {
	ents := benchEntries(1000, false)
	r := buildGraph(ents).resolve()
	require.Nil(t, r.err)
	assert.Len(t, fifoKahn(ents), len(r.order))
}

// BenchmarkResolve measures the manager's resolution (graph + stable sort)
// of 100,000 plugins against the FIFO Kahn baseline over the same entries.
func BenchmarkResolve(b *testing.B) {
	for _, shape := range []struct {
		name  string
		chain bool
	}{{"deps3", false}, {"chain", true}} {
		ents := benchEntries(100_000, shape.chain)
		b.Run("stable-heap/"+shape.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if r := buildGraph(ents).resolve(); r.err != nil || len(r.order) != len(ents) {
					b.Fatal("bad resolution")
				}
			}
		})
		b.Run("baseline-fifo-kahn/"+shape.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if len(fifoKahn(ents)) != len(ents) {
					b.Fatal("bad sort")
				}
			}
		})
	}
}
