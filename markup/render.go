package markup

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Limits on what Render accepts. Within them the slowest source renders in
// tens of milliseconds (see guard.go and BenchmarkRenderWorstCase).
const (
	// MaxSource is the largest source Render accepts, in bytes.
	MaxSource = 20000
	// MaxDepth is how deeply blocks (block quotes, lists) and inline spans
	// (emphasis, strikethrough, links) may nest, counted together.
	MaxDepth = 32
	// maxTableCells bounds the cells of all tables of one source. A table
	// row shorter than its header is padded with empty cells, so without a
	// bound a 20 kB source can ask for millions of them.
	maxTableCells = 4096
	// maxHTML bounds the HTML goldmark may write for one source. Ordinary
	// Markdown grows at most about 8 times (a bare e-mail address becomes a
	// mailto link with its rel); reference links can repeat one long URL
	// thousands of times.
	maxHTML = 16 * MaxSource
)

// Errors returned by Render. Callers show them to the author as a problem
// with what they wrote.
var (
	// ErrTooLong means the source is longer than MaxSource bytes.
	ErrTooLong = errors.New("markup: source too long")
	// ErrTooDeep means block quotes, lists or inline spans nest more than
	// MaxDepth levels.
	ErrTooDeep = errors.New("markup: nesting too deep")
	// ErrTooComplex means the source would be far slower to render, or
	// render to far more HTML, than an ordinary post of its size: more
	// than 256 link or emphasis marks in one paragraph, more than 4,096
	// table cells, links by reference that repeat a long URL.
	ErrTooComplex = errors.New("markup: source too complex")
)

// Render converts Markdown (CommonMark with GFM strikethrough, tables and
// bare links) to HTML sanitized by the package's one policy. Raw HTML in the
// source is dropped, not escaped. A source that is blank, or that holds
// nothing but raw HTML, renders to "" (callers reject an empty body on that).
// Invalid UTF-8 and NUL are replaced by U+FFFD.
//
// It returns ErrTooLong, ErrTooDeep or ErrTooComplex when the source is over
// the limits above; any other error would be a bug in goldmark's renderer.
// Render is safe for concurrent use.
func Render(src string) (string, error) {
	if len(src) > MaxSource {
		return "", ErrTooLong
	}
	if strings.TrimSpace(src) == "" {
		return "", nil
	}
	source := []byte(strings.ToValidUTF8(src, "\uFFFD"))
	if err := checkLineDepth(source); err != nil {
		return "", err
	}

	pc := parser.NewContext()
	doc := markdown().Parser().Parse(text.NewReader(source), parser.WithContext(pc))
	if pc.Get(tableBudgetKey) == budgetExceeded || tooManyMarks(pc) {
		return "", ErrTooComplex
	}
	if err := rewrite(doc, source); err != nil {
		return "", err
	}

	w := &cappedBuffer{max: maxHTML}
	if err := markdown().Renderer().Render(w, source, doc); err != nil {
		if w.over {
			return "", ErrTooComplex
		}
		return "", fmt.Errorf("markup: render: %w", err)
	}
	out := policy().Sanitize(w.buf.String())
	if strings.TrimSpace(out) == "" {
		return "", nil
	}
	return out, nil
}

// markdown is the one goldmark instance. It is built on first use and is
// safe for concurrent use afterwards; it is package state only because the
// point of this package is that there is exactly one configuration.
var markdown = sync.OnceValue(func() goldmark.Markdown {
	return goldmark.New(
		goldmark.WithExtensions(
			extension.Strikethrough,
			extension.NewLinkify(
				extension.WithLinkifyAllowedProtocols([]string{"http:", "https:"}),
			),
			boundedTables{},
		),
		goldmark.WithParserOptions(
			parser.WithInlineParsers(util.Prioritized(markCounter{}, 0)),
		),
		// No parser.WithAttribute (it would let authors write {#id}),
		// no parser.WithAutoHeadingID, no html.WithUnsafe.
	)
})

// cappedBuffer is an io.Writer that fails once more than max bytes have been
// written to it. goldmark's renderer ignores write errors node by node but
// returns the error of its final flush, and its buffered writer stops writing
// after the first failure, so an over-long render stops costing memory.
type cappedBuffer struct {
	buf  bytes.Buffer
	max  int
	over bool
}

var errOverCap = errors.New("markup: html over cap")

func (c *cappedBuffer) Write(p []byte) (int, error) {
	if c.over || c.buf.Len()+len(p) > c.max {
		c.over = true
		return 0, errOverCap
	}
	return c.buf.Write(p)
}
