package markup

import (
	"bytes"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// boundedTables is goldmark's GFM table extension with a budget of cells per
// source. goldmark pads every row to the header's width while parsing, so a
// header of 3,000 columns followed by 3,000 one-byte rows (20 kB) would
// allocate nine million cells before anything could look at the tree. The
// budget is checked before the table is built: a paragraph whose table would
// overdraw it stays a paragraph, and Render reports ErrTooComplex.
type boundedTables struct{}

// tableBudgetKey holds, in a parse's context, the cells still available
// (an int) or budgetExceeded.
var tableBudgetKey = parser.NewContextKey()

type exceeded struct{}

var budgetExceeded = exceeded{}

func (boundedTables) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(
		parser.WithParagraphTransformers(
			util.Prioritized(newBudgetTransformer(), 200),
		),
		parser.WithASTTransformers(
			util.Prioritized(extension.NewTableASTTransformer(), 0),
		),
	)
	m.Renderer().AddOptions(renderer.WithNodeRenderers(
		// align="left" rather than goldmark's default style="text-align:left":
		// the policy allows no style attribute.
		util.Prioritized(extension.NewTableHTMLRenderer(
			extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute),
		), 500),
	))
}

// newBudgetTransformer returns goldmark's table paragraph transformer behind
// the cell budget.
func newBudgetTransformer() parser.ParagraphTransformer {
	return &budgetTransformer{inner: extension.NewTableParagraphTransformer()}
}

type budgetTransformer struct {
	inner parser.ParagraphTransformer
}

func (t *budgetTransformer) Transform(node *ast.Paragraph, reader text.Reader, pc parser.Context) {
	budget, ok := pc.ComputeIfAbsent(tableBudgetKey, func() any { return maxTableCells }).(int)
	if !ok {
		return // already exceeded: Render fails, no need to build more
	}
	cells := tableCells(node.Lines(), reader.Source())
	if cells == 0 {
		return
	}
	if cells > budget {
		pc.Set(tableBudgetKey, budgetExceeded)
		return
	}
	pc.Set(tableBudgetKey, budget-cells)
	t.inner.Transform(node, reader, pc)
}

// tableCells returns an upper bound of the cells of the table that goldmark's
// transformer would make of a paragraph: the columns of its first delimiter
// row (the second line or later) times the rows from the header on, or 0 when
// there is no delimiter row. It follows extension.tableParagraphTransformer.
func tableCells(lines *text.Segments, source []byte) int {
	for i := 1; i < lines.Len(); i++ {
		seg := lines.At(i)
		line := seg.Value(source)
		if !isDelimiterRow(line) {
			continue
		}
		cols := bytes.Count(line, []byte{'|'}) + 1
		return cols * (lines.Len() - i + 1)
	}
	return 0
}

// isDelimiterRow is a superset of goldmark's isTableDelim: only spaces, '-',
// '|' and ':', and at least one '-'.
func isDelimiterRow(line []byte) bool {
	dash := false
	for _, b := range line {
		switch {
		case b == '-':
			dash = true
		case b == '|' || b == ':' || util.IsSpace(b):
		default:
			return false
		}
	}
	return dash
}
