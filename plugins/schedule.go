package plugins

import (
	"context"
	"errors"
)

// errAborted is why a fail-fast start cancels the hooks still in flight.
var errAborted = errors.New("another plugin failed to start")

// schedule runs one operation's hooks over a set of plugins, each after the
// plugins it waits for: for a start, its dependencies in the set; for a stop
// (reverse), its dependents in the set. At most limit hooks run at once (0:
// no limit). With limit 1 the plugins run one at a time in the order given
// (from its end for a stop), exactly as a plain loop would.
//
// begin and done run on the calling goroutine, one at a time, so state
// changes and listener calls stay serial; work may run on a worker goroutine
// and touches only its own plugin's entry.
type schedule struct {
	g       *graph
	order   []int32 // dependencies before dependents
	reverse bool
	limit   int
	// begin, if set, says whether plugin i runs at all; false counts it as
	// finished (its successors may go on).
	begin func(i int32) bool
	// idle reports whether plugin i has no hook to run, so that work runs
	// on the calling goroutine.
	idle func(i int32) bool
	work func(ctx context.Context, i int32) hookOutcome
	// done records the outcome; false aborts: nothing new begins, the hooks
	// in flight are cancelled through their context.
	done func(i int32, o hookOutcome) bool
}

func (m *Manager) plan(g *graph, order []int32, reverse bool) *schedule {
	s := &schedule{g: g, order: order, reverse: reverse, limit: m.conf.settings.Parallelism}
	if reverse {
		s.idle = func(i int32) bool { return g.ents[i].hooks[hookStop] == nil && m.nBusy.Load() == 0 }
	} else {
		s.idle = func(i int32) bool {
			e := g.ents[i]
			return !e.unbound && e.hooks[hookStart] == nil && (e.initialized || e.hooks[hookInit] == nil) && m.nBusy.Load() == 0
		}
	}
	return s
}

// execute runs the schedule to its end.
func (s *schedule) execute(ctx context.Context) {
	n := len(s.order)
	if s.limit == 1 || n <= 1 {
		for k := range n {
			i := s.order[k]
			if s.reverse {
				i = s.order[n-1-k]
			}
			if s.begin != nil && !s.begin(i) {
				continue
			}
			if !s.done(i, s.work(ctx, i)) {
				return
			}
		}
		return
	}
	g := s.g
	// rank[i]: i's place in the run (-1: not in the set); pending[r]: how
	// many plugins the one of rank r still waits for.
	rank := make([]int32, len(g.ents))
	for i := range rank {
		rank[i] = -1
	}
	for k, i := range s.order {
		if s.reverse {
			rank[i] = int32(n - 1 - k)
		} else {
			rank[i] = int32(k)
		}
	}
	byRank := make([]int32, n)
	for _, i := range s.order {
		byRank[rank[i]] = i
	}
	// waitsFor lists the nodes i waits for; unblocks the nodes waiting for i.
	waitsFor, unblocks := g.deps, g.rdeps
	wOff, uOff := g.depOff, g.rOff
	if s.reverse {
		waitsFor, unblocks, wOff, uOff = g.rdeps, g.deps, g.rOff, g.depOff
	}
	pending := make([]int32, n)
	var ready rankHeap
	for r, i := range byRank {
		for _, j := range waitsFor[wOff[i]:wOff[i+1]] {
			if rank[j] >= 0 && rank[j] < int32(r) {
				pending[r]++
			}
		}
		if pending[r] == 0 {
			ready.push(int32(r))
		}
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	type result struct {
		i int32
		o hookOutcome
	}
	results := make(chan result, n)
	inflight, aborted := 0, false
	finish := func(i int32) {
		for _, k := range unblocks[uOff[i]:uOff[i+1]] {
			if r := rank[k]; r > rank[i] {
				if pending[r]--; pending[r] == 0 {
					ready.push(r)
				}
			}
		}
	}
	for {
		for !aborted && len(ready) > 0 && (s.limit <= 0 || inflight < s.limit) {
			i := byRank[ready.pop()]
			switch {
			case s.begin != nil && !s.begin(i):
				finish(i)
			case s.idle(i):
				if !s.done(i, s.work(ctx, i)) {
					aborted = true
					cancel(errAborted)
					continue
				}
				finish(i)
			default:
				inflight++
				go func(i int32) { results <- result{i, s.work(ctx, i)} }(i)
			}
		}
		if inflight == 0 {
			return
		}
		r := <-results
		inflight--
		if !s.done(r.i, r.o) {
			if !aborted {
				aborted = true
				cancel(errAborted)
			}
			continue
		}
		if !aborted {
			finish(r.i)
		}
	}
}

// rankHeap is a min-heap of ranks: of the plugins ready, the one first in
// the order begins first.
type rankHeap []int32

func (h *rankHeap) push(r int32) {
	*h = append(*h, r)
	a := *h
	for k := len(a) - 1; k > 0; {
		p := (k - 1) / 2
		if a[p] <= a[k] {
			break
		}
		a[p], a[k] = a[k], a[p]
		k = p
	}
}

func (h *rankHeap) pop() int32 {
	a := *h
	top := a[0]
	last := len(a) - 1
	a[0] = a[last]
	a = a[:last]
	for k := 0; ; {
		l, r, min := 2*k+1, 2*k+2, k
		if l < len(a) && a[l] < a[min] {
			min = l
		}
		if r < len(a) && a[r] < a[min] {
			min = r
		}
		if min == k {
			break
		}
		a[k], a[min] = a[min], a[k]
		k = min
	}
	*h = a
	return top
}
