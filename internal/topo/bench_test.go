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
// tie-break) over the same prerequisite lists.
func fifoKahn(l lists) []int {
	n := len(l)
	indeg := make([]int32, n)
	off := make([]int32, n+1)
	for i, ps := range l {
		indeg[i] = int32(len(ps))
		for _, j := range ps {
			off[j+1]++
		}
	}
	for i := 1; i <= n; i++ {
		off[i] += off[i-1]
	}
	dep := make([]int32, off[n])
	fill := append([]int32(nil), off[:n]...)
	for i, ps := range l {
		for _, j := range ps {
			dep[fill[j]] = int32(i)
			fill[j]++
		}
	}
	queue := make([]int, 0, n)
	for i := range indeg {
		if indeg[i] == 0 {
			queue = append(queue, i)
		}
	}
	for h := 0; h < len(queue); h++ {
		for _, k := range dep[off[queue[h]]:off[queue[h]+1]] {
			if indeg[k]--; indeg[k] == 0 {
				queue = append(queue, int(k))
			}
		}
	}
	return queue
}

// BenchmarkSort sorts 100,000 nodes with the stable heap sort and with the
// FIFO Kahn baseline.
func BenchmarkSort(b *testing.B) {
	const n = 100_000
	for _, shape := range []struct {
		name string
		l    lists
	}{{"deps3", deps3(n)}, {"chain", chain(n)}} {
		b.Run("topo.Sort/"+shape.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if order, _ := topo.Sort(n, shape.l.pre); len(order) != n {
					b.Fatal("bad sort")
				}
			}
		})
		b.Run("baseline-fifo-kahn/"+shape.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if len(fifoKahn(shape.l)) != n {
					b.Fatal("bad sort")
				}
			}
		})
	}
}
