package extension_test

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gofly-framework/gofly/extension"
)

// ranked is an extension that knows its priority, its writer and its place in
// that writer's registrations, so a reader can check the order it sees.
type ranked struct {
	prio, writer, n int
}

func (r *ranked) Format(string) string { return "" }

// checkSorted reports the first pair of adjacent extensions out of order:
// priority must not increase, and one writer's extensions of equal priority
// must keep that writer's registration order.
func checkSorted(fs []Formatter) error {
	last := map[[2]int]int{} // (writer, prio) -> last n seen
	for i, f := range fs {
		x := f.(*ranked)
		if i > 0 && fs[i-1].(*ranked).prio < x.prio {
			return fmt.Errorf("priority %d before %d at %d", fs[i-1].(*ranked).prio, x.prio, i)
		}
		k := [2]int{x.writer, x.prio}
		if n, ok := last[k]; ok && n > x.n {
			return fmt.Errorf("writer %d: registration %d before %d at priority %d", x.writer, n, x.n, x.prio)
		}
		last[k] = x.n
	}
	return nil
}

// TestConcurrentReadersAndWriters runs readers and writers at once (run it
// with -race): readers must always see a sorted, complete snapshot.
func TestConcurrentReadersAndWriters(t *testing.T) {
	tests := []struct {
		desc string
		prio func(rng *rand.Rand, n int) int
	}{
		// Random priorities mostly merge; equal and falling ones append in
		// place behind the readers' snapshots.
		{desc: "random priorities", prio: func(rng *rand.Rand, _ int) int { return rng.IntN(8) }},
		{desc: "equal priorities", prio: func(*rand.Rand, int) int { return 3 }},
		{desc: "falling priorities", prio: func(_ *rand.Rand, n int) int { return -n }},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) { concurrentReadersAndWriters(t, tc.prio) })
	}
}

func concurrentReadersAndWriters(t *testing.T, prio func(rng *rand.Rand, n int) int) {
	const (
		writers   = 4
		readers   = 4
		perWriter = 400
	)
	r := extension.NewRegistry()
	p := extension.NewPoint[Formatter]("p")
	require.NoError(t, extension.Declare(r, p))
	view := extension.View(r, p)

	var (
		done     atomic.Bool
		readErrs = make(chan error, writers+readers) // each goroutine sends at most one
		kept     atomic.Int64
		wg, rg   sync.WaitGroup
	)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 1))
			var mine []*ranked
			for n := range perWriter {
				x := &ranked{prio: prio(rng, n), writer: w, n: n}
				if err := extension.Add(r, p, Formatter(x), x.prio); err != nil {
					readErrs <- err
					return
				}
				mine = append(mine, x)
				if n%5 == 4 { // remove a random one of mine
					i := rng.IntN(len(mine))
					if !r.Unregister("p", mine[i]) {
						readErrs <- fmt.Errorf("writer %d: could not remove its extension", w)
						return
					}
					mine = append(mine[:i], mine[i+1:]...)
				}
				if n%50 == 0 { // other points come and go meanwhile
					id := fmt.Sprintf("side-%d-%d", w, n)
					_ = r.RegisterPoint(id, formatterType())
					_ = r.Register(id, x, 0)
					r.UnregisterPoint(id)
				}
			}
			kept.Add(int64(len(mine)))
		}()
	}
	for range readers {
		rg.Add(1)
		go func() {
			defer rg.Done()
			for reads := 0; !done.Load() || reads < 10; reads++ {
				for _, fs := range [][]Formatter{extension.All(r, p), view.All()} {
					if err := checkSorted(fs); err != nil {
						readErrs <- err
						return
					}
				}
				es := r.Entries("p")
				for i := 1; i < len(es); i++ {
					if es[i-1].Priority < es[i].Priority {
						readErrs <- fmt.Errorf("Entries out of order at %d", i)
						return
					}
				}
				for _, first := range []func() (Formatter, error){
					func() (Formatter, error) { return extension.First(r, p) }, view.First,
				} {
					if f, err := first(); err == nil && f == nil {
						readErrs <- fmt.Errorf("First returned nil without error")
						return
					}
				}
				_ = r.PointIDs()
			}
		}()
	}
	wg.Wait()
	done.Store(true)
	rg.Wait()
	close(readErrs)
	for err := range readErrs {
		t.Error(err)
	}
	all := extension.All(r, p)
	assert.Len(t, all, int(kept.Load()))
	if len(all) > 0 {
		first, err := view.First()
		require.NoError(t, err)
		assert.Same(t, all[0], first)
	}
	assert.NoError(t, checkSorted(all))
	assert.Equal(t, []string{"p"}, r.PointIDs())
}

// TestConcurrentAddOnFreshPoints declares points concurrently: every
// declaration and extension must survive the copy-on-write of the id map.
func TestConcurrentAddOnFreshPoints(t *testing.T) {
	r := extension.NewRegistry()
	const n = 64
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := extension.NewPoint[Formatter](fmt.Sprintf("p%02d", i))
			assert.NoError(t, extension.Add(r, p, Formatter(&named{"x"}), i))
			assert.Len(t, extension.All(r, p), 1)
		}()
	}
	wg.Wait()
	ids := r.PointIDs()
	require.Len(t, ids, n)
	assert.Equal(t, "p00", ids[0])
	assert.Equal(t, "p63", ids[n-1])
}
