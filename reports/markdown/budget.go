package markdown

import (
	"fmt"
	"strings"
)

// MaxBytes is the most the output may weigh: GitHub's limit for a comment
// body, 65,536 characters (a byte count is never below the character count).
const MaxBytes = 65536

// block is one part of the comment: a head that is always written when the
// block is, rows that may be left out from the end when the comment would be
// too long, and a tail.
type block struct {
	head string
	rows []string
	tail string
	// cut orders what gives way first: blocks with the lowest cut lose rows
	// first; 0 is never cut.
	cut int
	// keep is how many rows are written; set by fit.
	keep int
}

// leftOut is the note written where rows were left out.
func leftOut(n int) string {
	return fmt.Sprintf("\n_%d more %s left out to stay within GitHub's comment limit; the JSON or HTML report has them all._\n",
		n, plural(n, "row", "rows"))
}

func (b *block) size() int {
	n := len(b.head) + len(b.tail) + b.noteSize()
	for _, r := range b.rows[:b.keep] {
		n += len(r)
	}
	return n
}

// noteSize is the size of the left-out note, 0 when every row is kept.
func (b *block) noteSize() int {
	if b.keep == len(b.rows) {
		return 0
	}
	return len(leftOut(len(b.rows) - b.keep))
}

func (b *block) String() string {
	var s strings.Builder
	s.WriteString(b.head)
	for _, r := range b.rows[:b.keep] {
		s.WriteString(r)
	}
	if b.keep < len(b.rows) {
		s.WriteString(leftOut(len(b.rows) - b.keep))
	}
	s.WriteString(b.tail)
	return s.String()
}

// fit leaves rows out, lowest cut first and from the end of each block,
// until the blocks weigh at most limit bytes, and returns them joined. When
// even that is not enough (only possible with a tiny limit), the result is
// cut at the last line break that fits.
func fit(blocks []*block, limit int) string {
	total := 0
	for _, b := range blocks {
		b.keep = len(b.rows)
		total += b.size()
	}
	for level := 1; total > limit && level <= maxCut(blocks); level++ {
		for i := len(blocks) - 1; i >= 0 && total > limit; i-- {
			if b := blocks[i]; b.cut == level {
				total = shrink(b, total, limit)
			}
		}
	}
	var out strings.Builder
	for _, b := range blocks {
		out.WriteString(b.String())
	}
	s := out.String()
	if len(s) > limit {
		s = s[:strings.LastIndexByte(s[:limit], '\n')+1]
	}
	return s
}

// shrink drops rows from the end of b until the total fits in limit or b
// has none left, and returns the new total.
func shrink(b *block, total, limit int) int {
	for b.keep > 0 && total > limit {
		note := b.noteSize()
		b.keep--
		total += b.noteSize() - note - len(b.rows[b.keep])
	}
	return total
}

func maxCut(blocks []*block) int {
	m := 0
	for _, b := range blocks {
		m = max(m, b.cut)
	}
	return m
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
