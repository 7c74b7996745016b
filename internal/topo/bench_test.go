package topo_test

import (
	"testing"

	"github.com/gofly-framework/gofly/internal/topo"
)

// deps3 returns n nodes where node i needs up to three nodes numbered after
// it (1, 7 and 31 places on), so the sort has to work against the numbering.
func deps3(n int) lists {
	l := make(lists, n)
	for i := range l {
		for _, d := range []int{1, 7, 31} {
			if i+d < n {
				l[i] = append(l[i], i+d)
			}
		}
	}
	return l
}

// fifoKahn is the baseline: a plain Kahn sort with a FIFO queue (no stable
// tie-break) over the same graph.
func fifoKahn(g topo.Graph) []int {
	indeg := make([]int32, g.N)
	count := func(j int) bool { indeg[j]++; return true }
	for i := 0; i < g.N; i++ {
		g.Dependents(i, count)
	}
	queue := make([]int, 0, g.N)
	for i, d := range indeg {
		if d == 0 {
			queue = append(queue, i)
		}
	}
	release := func(k int) bool {
		if indeg[k]--; indeg[k] == 0 {
			queue = append(queue, k)
		}
		return true
	}
	for h := 0; h < len(queue); h++ {
		g.Dependents(queue[h], release)
	}
	return queue
}

// BenchmarkSort sorts 100,000 nodes with the stable heap sort and with the
// FIFO Kahn baseline, over the same adjacency lists.
func BenchmarkSort(b *testing.B) {
	const n = 100_000
	for _, shape := range []struct {
		name string
		l    lists
	}{{"deps3", deps3(n)}, {"chain", chain(n)}} {
		g := topo.Lists(shape.l)
		b.Run("topo.Sort/"+shape.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if order, _ := g.Sort(); len(order) != n {
					b.Fatal("bad sort")
				}
			}
		})
		b.Run("baseline-fifo-kahn/"+shape.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if len(fifoKahn(g)) != n {
					b.Fatal("bad sort")
				}
			}
		})
	}
}
