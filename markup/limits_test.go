package markup

import (
	"errors"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fill repeats unit until the result would exceed MaxSource-len(prefix)-len(suffix)
// bytes, and wraps it in prefix and suffix.
func fill(prefix, unit, suffix string) string {
	n := (MaxSource - len(prefix) - len(suffix)) / len(unit)
	return prefix + strings.Repeat(unit, n) + suffix
}

// half repeats open then close n times each, within MaxSource.
func nested(open, middle, close string) string {
	n := (MaxSource - len(middle)) / (len(open) + len(close))
	return strings.Repeat(open, n) + middle + strings.Repeat(close, n)
}

// pathological are inputs of MaxSource bytes or less that are slow, deep or
// large to render in some Markdown implementations: cmark's and
// commonmark.js's pathological tests, and a few of goldmark's extensions.
// want is nil when the input must render.
var pathological = []struct {
	name string
	src  string
	want error
}{
	{"nested block quotes", strings.Repeat(">", MaxSource-1) + "a", ErrTooDeep},
	{"nested block quotes spaced", fill("", "> ", "a"), ErrTooDeep},
	{"nested lists stars", fill("", "* ", "a"), ErrTooDeep},
	{"nested lists numbered", fill("", "1. ", "a"), ErrTooDeep},
	{"nested lists indented", indentedList(), ErrTooDeep},
	{"nested quote in list", fill("", "- > ", "a"), ErrTooDeep},
	{"nested strong emph", nested("*a **a ", "b", " a** a*"), ErrTooComplex},
	{"nested strikethrough", nested("~~a ", "b", " a~~"), ErrTooComplex},
	{"nested strong emph in paragraphs", fill("", strings.Repeat("*a **a ", 40)+"b"+strings.Repeat(" a** a*", 40)+"\n\n", ""), ErrTooDeep},
	{"indentation and markers", indentedMarkers(" ", 2), ErrTooDeep},
	{"tabs and markers", indentedMarkers("\t", 8), ErrTooDeep},
	{"nested links", nested("[", "a", "](b)"), ErrTooComplex},
	{"nested brackets", nested("[", "a", "]"), ErrTooComplex},
	{"nested images", nested("![", "a", "](b)"), ErrTooComplex},
	// One paragraph: over maxInlineMarks.
	{"emph closers no openers", fill("", "a_ ", ""), ErrTooComplex},
	{"emph openers no closers", fill("", "_a ", ""), ErrTooComplex},
	{"link closers no openers", fill("", "a]", ""), ErrTooComplex},
	{"link openers no closers", fill("", "[a", ""), ErrTooComplex},
	{"mismatched openers closers", fill("", "*a_ ", ""), ErrTooComplex},
	{"openers closers multiple of 3", fill("a**b", "c* ", ""), ErrTooComplex},
	{"link openers emph closers", fill("", "[ a_", ""), ErrTooComplex},
	{"pattern [ (](", fill("", "[ (](", ""), ErrTooComplex},
	{"hard link emph", fill("", "**x [a*b**c*](d)", ""), ErrTooComplex},
	{"unclosed links A", fill("", "[a](<b", ""), ErrTooComplex},
	{"unclosed links B", fill("", "[a](b", ""), ErrTooComplex},
	{"heading of emph", fill("# ", "*a_ ", ""), ErrTooComplex},
	{"table cell of links", fill("|a|\n|-|\n|", "[a](b", "|"), ErrTooComplex},
	// The same, cut into paragraphs of maxInlineMarks marks: they render,
	// and are the slowest inputs that do.
	{"paragraphs emph closers no openers", paragraphs("a_ ", 1), nil},
	{"paragraphs emph openers no closers", paragraphs("_a ", 1), nil},
	{"paragraphs link closers no openers", paragraphs("a]", 1), nil},
	{"paragraphs link openers no closers", paragraphs("[a", 1), nil},
	{"paragraphs mismatched openers closers", paragraphs("*a_ ", 2), nil},
	{"paragraphs openers closers multiple of 3", paragraphs("c* ", 1), nil},
	{"paragraphs link openers emph closers", paragraphs("[ a_", 2), nil},
	{"paragraphs pattern [ (](", paragraphs("[ (](", 2), nil},
	{"paragraphs hard link emph", paragraphs("**x [a*b**c*](d)", 8), nil},
	{"paragraphs unclosed links A", paragraphs("[a](<b", 2), nil},
	{"paragraphs unclosed links B", paragraphs("[a](b", 2), nil},
	{"paragraphs nested brackets", paragraphs("[", 1), nil},
	{"list items of links", fill("", "- [a](b) [a](b) [a](b)\n", ""), nil},
	{"backticks", backticks(), nil},
	{"many entities", fill("", "&amp;&#123;", ""), nil},
	{"many escapes", fill("", `\*\_\[\]`, ""), nil},
	{"nul bytes", fill("", "\x00", ""), nil},
	{"invalid utf-8", fill("", "\xff\xfe", ""), nil},
	{"many reference definitions", manyRefs(), nil},
	{"reference bomb", referenceBomb(), ErrTooComplex},
	{"table padding bomb", tableBomb(), ErrTooComplex},
	{"wide table", wideTable(), nil},
	{"many tables", fill("", "|a|b|\n|-|-|\n|c|\n\n", ""), ErrTooComplex},
	{"linkify www", fill("", "www.a.bc ", ""), nil},
	{"linkify emails", fill("", "a@b.cd ", ""), nil},
	{"linkify underscores", paragraphs("_a", 1), nil},
	{"linkify long url", fill("http://a.bc/", "(", ""), nil},
	{"many links", paragraphs("[a](b) ", 2), nil},
	{"many lines", fill("", "a\n", ""), nil},
	{"many list items", fill("", "- a\n", ""), nil},
	{"many headings", fill("", "# a\n", ""), nil},
	{"setext headings", fill("", "a\n=\n", ""), nil},
	{"fenced code", fill("```\n", "<>&\"\n", "```"), nil},
	{"html blocks", fill("", "<div>\n", ""), nil},
	{"inline html", fill("", "<a href=x>", ""), nil},
	{"html comments", fill("", "<!-- a -->", ""), nil},
	{"tabs", fill("", "\t>\t-\t", "a"), ErrTooDeep},
}

// paragraphs fills MaxSource with paragraphs of as many copies of unit, which
// holds marks link or emphasis marks, as maxInlineMarks allows.
func paragraphs(unit string, marks int) string {
	para := strings.Repeat(unit, maxInlineMarks/marks) + "\n\n"
	n := MaxSource / len(para)
	if n == 0 {
		return para
	}
	return strings.Repeat(para, n)
}

func indentedList() string {
	var b strings.Builder
	for i := 0; b.Len() < MaxSource-300; i++ {
		b.WriteString(strings.Repeat(" ", 2*i) + "* a\n")
	}
	return b.String()
}

// indentedMarkers writes lines of 20 list markers each, every line indented
// (with indent repeated) to continue all the lists opened above it, so that
// depth grows by 20 a line while no line holds more than 20 markers.
func indentedMarkers(indent string, perIndent int) string {
	var b strings.Builder
	for i := 0; ; i++ {
		line := strings.Repeat(indent, i*40/perIndent) + strings.Repeat("- ", 20) + "a\n"
		if b.Len()+len(line) > MaxSource {
			return b.String()
		}
		b.WriteString(line)
	}
}

func backticks() string {
	var b strings.Builder
	for i := 1; b.Len() < MaxSource-300; i++ {
		b.WriteString("e" + strings.Repeat("`", i))
	}
	return b.String()
}

func manyRefs() string {
	var b strings.Builder
	for i := 0; b.Len() < MaxSource-100; i++ {
		b.WriteString("[" + strings.Repeat("a", i%50) + "x]: /u\n")
	}
	return b.String()
}

// referenceBomb defines one long URL and refers to it thousands of times.
func referenceBomb() string {
	def := "[a]: http://x.y/" + strings.Repeat("z", 10000) + "\n\n"
	return fill(def, "[a] ", "")
}

// tableBomb is a header of about 3,000 columns and 3,000 one-byte rows that
// goldmark pads to the header's width.
func tableBomb() string {
	cols := MaxSource / 6
	head := strings.Repeat("|a", cols) + "\n" + strings.Repeat("|-", cols) + "\n"
	return fill(head, "a\n", "")
}

// wideTable is a legitimate table of 8 columns, as many rows as fit.
func wideTable() string {
	head := "|a|b|c|d|e|f|g|h|\n|-|-|-|-|-|-|-|-|\n"
	var b strings.Builder
	b.WriteString(head)
	for b.Len() < 4000 {
		b.WriteString("|1|2|3|4|5|6|7|8|\n")
	}
	return b.String()
}

func TestPathological(t *testing.T) {
	for _, tc := range pathological {
		t.Run(tc.name, func(t *testing.T) {
			if len(tc.src) > MaxSource {
				t.Fatalf("input is %d bytes, over MaxSource", len(tc.src))
			}
			html, err := Render(tc.src)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Render(%.40q...) error = %v, want %v", tc.src, err, tc.want)
			}
			if err == nil {
				checkHTML(t, tc.src, html)
			}
		})
	}
}

func TestRenderTooLong(t *testing.T) {
	src := strings.Repeat("a", MaxSource+1)
	if _, err := Render(src); !errors.Is(err, ErrTooLong) {
		t.Errorf("Render(%d bytes) error = %v, want %v", len(src), err, ErrTooLong)
	}
	if _, err := Render(src[1:]); err != nil {
		t.Errorf("Render(%d bytes) error = %v, want nil", MaxSource, err)
	}
}

func TestRenderDepthLimit(t *testing.T) {
	for _, tc := range []struct {
		name  string
		level func(n int) string
	}{
		{"block quotes", func(n int) string { return strings.Repeat("> ", n) + "a" }},
		{"lists", func(n int) string { return strings.Repeat("- ", n) + "a" }},
		{"emphasis", func(n int) string {
			return strings.Repeat("*a ", n) + "b" + strings.Repeat(" a*", n)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Render(tc.level(MaxDepth)); err != nil {
				t.Errorf("Render(depth %d) error = %v, want nil", MaxDepth, err)
			}
			if _, err := Render(tc.level(MaxDepth + 1)); !errors.Is(err, ErrTooDeep) {
				t.Errorf("Render(depth %d) error = %v, want %v", MaxDepth+1, err, ErrTooDeep)
			}
		})
	}
}

// BenchmarkRenderWorstCase renders each pathological input of up to
// MaxSource bytes. The slowest must stay well under 50 ms per op. Besides
// wall time it reports the process's CPU time per op (cpu-ms/op), which a
// busy shared machine inflates less.
func BenchmarkRenderWorstCase(b *testing.B) {
	for _, tc := range pathological {
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(len(tc.src)))
			start := cpuTime()
			for b.Loop() {
				_, _ = Render(tc.src)
			}
			b.ReportMetric(float64((cpuTime()-start).Microseconds())/1000/float64(b.N), "cpu-ms/op")
		})
	}
}

// cpuTime returns the user and system CPU time of the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
