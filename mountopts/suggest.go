package mountopts

import "strings"

// suggest returns the candidate nearest to name (edit distance at most 2, and less than the
// name's length so "x" does not suggest "ro"), comparing with '_' and '-' as equal. Ties go to
// the candidate listed first.
func suggest(name string, candidates []string) string {
	name = strings.ReplaceAll(name, "_", "-")
	best, bestDist := "", 3
	for _, c := range candidates {
		d := distance(name, strings.ReplaceAll(c, "_", "-"))
		if d < bestDist && d < len(name) {
			best, bestDist = c, d
		}
	}
	return best
}

// distance is the Levenshtein distance between a and b, in bytes (option names are ASCII).
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
