package markup

import (
	"bytes"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// goldmark is linear on ordinary text but not on everything: opening many
// containers on one line costs the square of the line's length, and several
// inline constructs (emphasis delimiters, unclosed link destinations, nested
// brackets) cost their count times the paragraph's length, or its square.
// Render bounds both: checkLineDepth before parsing, markCounter during it.
// With them, no 20 kB source in BenchmarkRenderWorstCase takes more than
// about 25 ms of CPU on the (shared, 2-core) development machine; the slowest
// are dense but legitimate links, not attacks.
const (
	// maxLineDepth bounds the containers a single line may open or
	// continue, estimated by prefixDepth. It is looser than MaxDepth, which
	// the AST check applies exactly, because the estimate counts high; it
	// only has to keep the parse itself cheap.
	maxLineDepth = 4 * MaxDepth
	// maxInlineMarks bounds the characters that start links, images,
	// emphasis or strikethrough ([ ] ![ * _ ~, a run such as ** counting
	// once) in one paragraph, heading or table cell. A paragraph with more
	// than 128 links or bold phrases is not prose; halving the limit from
	// 500 halved the cost of the worst rejected input (unclosed links).
	maxInlineMarks = 256
)

// checkLineDepth returns ErrTooDeep when a line of source opens or continues
// so many block quotes and lists that parsing it would be slow.
func checkLineDepth(source []byte) error {
	for len(source) > 0 {
		line := source
		if i := bytes.IndexByte(source, '\n'); i >= 0 {
			line, source = source[:i], source[i+1:]
		} else {
			source = nil
		}
		if prefixDepth(line) > maxLineDepth {
			return ErrTooDeep
		}
	}
	return nil
}

// prefixDepth estimates, from above, how deeply the blocks of line nest: one
// level per block quote marker and per list marker at its start, plus one per
// two columns of white space before the last marker (a list item's content is
// indented by at least two columns, so that is the most list levels such
// indentation can continue). White space not followed by a marker opens
// nothing and is not counted, so deeply indented code costs nothing.
func prefixDepth(line []byte) int {
	depth, cols, col := 0, 0, 0
	pending := 0 // columns of white space since the last marker
	for i := 0; i < len(line); {
		switch c := line[i]; {
		case c == ' ':
			pending++
			col++
			i++
		case c == '\t':
			w := 4 - col%4
			pending += w
			col += w
			i++
		case c == '>':
			depth++
			cols += pending
			pending = 0
			col++
			i++
		default:
			n := listMarker(line[i:])
			if n == 0 {
				return depth + cols/2
			}
			depth++
			cols += pending
			pending = 0
			col += n
			i += n
		}
	}
	return depth + cols/2
}

// listMarker returns the length of the list marker at the start of b
// ("-", "+", "*", or up to nine digits and "." or ")"), followed by white
// space or the end of the line, or 0.
func listMarker(b []byte) int {
	n := 0
	switch {
	case b[0] == '-' || b[0] == '+' || b[0] == '*':
		n = 1
	case b[0] >= '0' && b[0] <= '9':
		for n < len(b) && n < 9 && b[n] >= '0' && b[n] <= '9' {
			n++
		}
		if n == len(b) || (b[n] != '.' && b[n] != ')') {
			return 0
		}
		n++
	default:
		return 0
	}
	if n < len(b) && b[n] != ' ' && b[n] != '\t' {
		return 0
	}
	return n
}

// markCounter is an inline parser that goldmark asks first about every
// character that can start a link, an image, emphasis or strikethrough. It
// counts them per block and declines (returns nil), so the real parser
// handles them, until a block has had maxInlineMarks; past that it turns each
// such character into plain text, so that no more delimiters or link labels
// pile up, and records that the source is too complex. Counting during the
// one real parse keeps the check exact (escaped characters and code are not
// counted, each paragraph, heading and table cell has its own count) at the
// price of a pointer comparison per mark.
type markCounter struct{}

// marksKey holds a parse's *markCount.
var marksKey = parser.NewContextKey()

type markCount struct {
	block ast.Node
	n     int
	over  bool
}

func (markCounter) Trigger() []byte { return []byte{'[', ']', '!', '*', '_', '~'} }

func (markCounter) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
	line, seg := block.PeekLine()
	if line[0] == '!' && (len(line) < 2 || line[1] != '[') {
		return nil // not an image
	}
	mc := pc.ComputeIfAbsent(marksKey, func() any { return &markCount{} }).(*markCount)
	if mc.block != parent {
		mc.block, mc.n = parent, 0
	}
	mc.n++
	if mc.n <= maxInlineMarks {
		return nil
	}
	mc.over = true
	block.Advance(1)
	return ast.NewTextSegment(seg.WithStop(seg.Start + 1))
}

// tooManyMarks reports whether markCounter gave up on a block of the parse
// that used pc.
func tooManyMarks(pc parser.Context) bool {
	mc, _ := pc.Get(marksKey).(*markCount)
	return mc != nil && mc.over
}
