package extension_test

import (
	"slices"
	"testing"

	"github.com/gofly-framework/gofly/extension"
)

// benchFormatter is the interface of the read benchmarks' point.
type benchFormatter interface{ Format(x int) int }

type addN struct{ n int }

func (a *addN) Format(x int) int { return x + a.n }

// benchHook is the func type of the hook benchmarks' point.
type benchHook func(s string) int

var (
	sinkInt   int
	sinkSlice []benchFormatter
)

// holder is the baseline: a pre-sorted slice held in a struct field.
type holder struct{ fs []benchFormatter }

// sumAll iterates a point's extensions the same way for every contender.
func sumAll(fs []benchFormatter) int {
	x := 0
	for _, f := range fs {
		x = f.Format(x)
	}
	return x
}

func readFixture(b *testing.B) (*extension.Registry, extension.Point[benchFormatter], *holder) {
	b.Helper()
	r := extension.NewRegistry()
	p := extension.NewPoint[benchFormatter]("bench.formatters")
	if err := extension.Declare(r, p); err != nil {
		b.Fatal(err)
	}
	h := &holder{}
	for i := range 10 {
		f := &addN{n: i}
		if err := extension.Add(r, p, benchFormatter(f), i); err != nil {
			b.Fatal(err)
		}
	}
	h.fs = slices.Clone(extension.All(r, p))
	if len(h.fs) != 10 || sumAll(h.fs) != 45 {
		b.Fatalf("fixture: %d extensions", len(h.fs))
	}
	return r, p, h
}

// BenchmarkRead compares typed reads of a point with 10 extensions, each
// iterated by sumAll, with iterating a pre-sorted slice held in a struct field.
func BenchmarkRead(b *testing.B) {
	r, p, h := readFixture(b)
	view := extension.View(r, p)
	b.Run("baseline-field", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			sinkInt += sumAll(h.fs)
		}
	})
	b.Run("All", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			sinkInt += sumAll(extension.All(r, p))
		}
	})
	b.Run("View.All", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			sinkInt += sumAll(view.All())
		}
	})
	b.Run("baseline-field-first", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			sinkInt += h.fs[0].Format(1)
		}
	})
	b.Run("First", func(b *testing.B) {
		b.ReportAllocs()
		failed := 0
		for range b.N {
			f, err := extension.First(r, p)
			if err != nil {
				failed++
				continue
			}
			sinkInt += f.Format(1)
		}
		if failed > 0 {
			b.Fatalf("%d failed", failed)
		}
	})
	b.Run("View.First", func(b *testing.B) {
		b.ReportAllocs()
		failed := 0
		for range b.N {
			f, err := view.First()
			if err != nil {
				failed++
				continue
			}
			sinkInt += f.Format(1)
		}
		if failed > 0 {
			b.Fatalf("%d failed", failed)
		}
	})
}

// BenchmarkReadParallel is BenchmarkRead's All from every P at once: with no
// lock on the read path, ns/op falls with the number of Ps like the baseline.
func BenchmarkReadParallel(b *testing.B) {
	r, p, h := readFixture(b)
	view := extension.View(r, p)
	run := func(name string, read func() []benchFormatter) {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				x := 0
				for pb.Next() {
					x += sumAll(read())
				}
				if x == -1 {
					sinkSlice = nil
				}
			})
		})
	}
	run("baseline-field", func() []benchFormatter { return h.fs })
	run("All", func() []benchFormatter { return extension.All(r, p) })
	run("View.All", view.All)
}

//go:noinline
func hookImpl(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*31 + int(s[i])
	}
	return n
}

// BenchmarkHook compares calling the winner of a func-typed point (an opa
// hook: First, then call) with calling the same function directly.
func BenchmarkHook(b *testing.B) {
	r := extension.NewRegistry()
	p := extension.NewPoint[benchHook]("bench.hook")
	for i, h := range []benchHook{hookImpl, func(string) int { return 0 }} {
		if err := extension.Add(r, p, h, 10-i); err != nil {
			b.Fatal(err)
		}
	}
	view := extension.View(r, p)
	const arg = "a hook argument"
	want := hookImpl(arg)
	b.Run("direct", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			sinkInt += hookImpl(arg)
		}
	})
	held := struct{ hook benchHook }{hookImpl}
	b.Run("baseline-func-field", func(b *testing.B) {
		// The same function called through a func value held in a struct
		// field: the indirect call any hook mechanism makes.
		b.ReportAllocs()
		for range b.N {
			sinkInt += held.hook(arg)
		}
	})
	// Errors are counted in the loop (a predictable branch, as in a caller
	// that returns them) and reported after it: a b.Fatal inside the loop
	// costs ~1.7 ns by itself on this machine.
	b.Run("First+call", func(b *testing.B) {
		b.ReportAllocs()
		failed := 0
		for range b.N {
			h, err := extension.First(r, p)
			if err != nil {
				failed++
				continue
			}
			sinkInt += h(arg)
		}
		if failed > 0 {
			b.Fatalf("%d failed", failed)
		}
	})
	b.Run("View.First+call", func(b *testing.B) {
		b.ReportAllocs()
		failed := 0
		for range b.N {
			h, err := view.First()
			if err != nil {
				failed++
				continue
			}
			sinkInt += h(arg)
		}
		if failed > 0 {
			b.Fatalf("%d failed", failed)
		}
	})
	if h, _ := extension.First(r, p); h(arg) != want {
		b.Fatal("wrong winner")
	}
}

// BenchmarkRegister20k registers 20,000 extensions on one point (priorities
// spread so that most inserts land in the middle), then reads them once; the
// baseline appends them to a slice and sorts it once. One op = all 20,000.
func BenchmarkRegister20k(b *testing.B) {
	const n = 20000
	exts := make([]benchFormatter, n)
	for i := range exts {
		exts[i] = &addN{n: i}
	}
	prio := func(i int) int { return (i * 7919) % 1000 }
	b.Run("baseline-append+sort", func(b *testing.B) {
		b.ReportAllocs()
		type e struct {
			f    benchFormatter
			prio int
		}
		for range b.N {
			var es []e
			for i, f := range exts {
				es = append(es, e{f, prio(i)})
			}
			slices.SortStableFunc(es, func(a, b e) int { return b.prio - a.prio })
			sinkInt += len(es)
		}
	})
	b.Run("Registry", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			r := extension.NewRegistry()
			p := extension.NewPoint[benchFormatter]("bench.many")
			for i, f := range exts {
				if err := extension.Add(r, p, f, prio(i)); err != nil {
					b.Fatal(err)
				}
			}
			sinkInt += len(extension.All(r, p))
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/20k")
	})
	// A read after every registration: the worst case for lazy rebuilds.
	// Equal priorities append in place (linear); spread priorities insert in
	// the middle, and each read then copies the list (quadratic), so that
	// variant registers 2,000 only.
	b.Run("Registry-read-each-equal-prio", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			r := extension.NewRegistry()
			p := extension.NewPoint[benchFormatter]("bench.many")
			for _, f := range exts {
				if err := extension.Add(r, p, f, 0); err != nil {
					b.Fatal(err)
				}
				sinkInt += len(extension.All(r, p))
			}
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/20k")
	})
	b.Run("Registry-read-each-spread-prio-2k", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			r := extension.NewRegistry()
			p := extension.NewPoint[benchFormatter]("bench.many")
			for i, f := range exts[:n/10] {
				if err := extension.Add(r, p, f, prio(i)); err != nil {
					b.Fatal(err)
				}
				sinkInt += len(extension.All(r, p))
			}
		}
	})
}

// TestRegister20k registers the 20,000 extensions one by one and
// checks the order of the result: highest priority first, equal priorities
// in registration order. Its speed is measured by BenchmarkRegister20k, not
// here: unit tests do not time.
func TestRegister20k(t *testing.T) {
	const n = 20000
	r := extension.NewRegistry()
	p := extension.NewPoint[benchFormatter]("many")
	for i := 0; i < n; i++ {
		if err := extension.Add(r, p, benchFormatter(&addN{n: i}), i%100); err != nil {
			t.Fatal(err)
		}
	}
	all := extension.All(r, p)
	if len(all) != n {
		t.Fatalf("got %d extensions, want %d", len(all), n)
	}
	for i := 1; i < n; i++ {
		prev, cur := all[i-1].(*addN).n, all[i].(*addN).n
		if pp, cp := prev%100, cur%100; pp < cp || (pp == cp && prev > cur) {
			t.Fatalf("extensions %d (priority %d) and %d (priority %d) are out of order", prev, pp, cur, cp)
		}
	}
}
