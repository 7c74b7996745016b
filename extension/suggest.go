package extension

// suggest returns the candidate closest to id when it is close enough to be
// a likely typo (edit distance at most 2, and less than id's length), or "".
// Ties go to the candidate that sorts first, so the hint is deterministic.
func suggest(id string, candidates []string) string {
	best, bestD := "", 3
	for _, c := range candidates {
		if c == id {
			continue
		}
		d := distance(id, c)
		if d < bestD || (d == bestD && c < best) {
			best, bestD = c, d
		}
	}
	if best == "" || bestD >= len([]rune(id)) {
		return ""
	}
	return best
}

// distance is the Levenshtein distance between a and b, counted in runes
// (insertions, deletions and substitutions each cost 1).
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
