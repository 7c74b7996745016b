package extension

import "testing"

type zhook func(s string) int

//go:noinline
func zimpl(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*31 + int(s[i])
	}
	return n
}

var zsink int

func BenchmarkZ(b *testing.B) {
	r := NewRegistry()
	p := NewPoint[zhook]("z")
	_ = Add(r, p, zimpl, 1)
	_ = All(r, p)
	b.Run("direct", func(b *testing.B) {
		for range b.N {
			zsink += zimpl("a hook argument")
		}
	})
	b.Run("manual-inline", func(b *testing.B) {
		for range b.N {
			var h zhook
			if snap := p.def.fast(r); snap != nil {
				if ts, ok := snap.typed.([]zhook); ok && len(ts) > 0 {
					h = ts[0]
				}
			}
			zsink += h("a hook argument")
		}
	})
	b.Run("First", func(b *testing.B) {
		for range b.N {
			h, err := First(r, p)
			if err != nil {
				b.Fatal(err)
			}
			zsink += h("a hook argument")
		}
	})
}
