package markup

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzRender checks every source against the security oracle and the fixed
// point property, and that Render fails only with its documented errors.
func FuzzRender(f *testing.F) {
	for _, p := range xssPayloads {
		f.Add(p)
	}
	for _, c := range contexts {
		f.Add(strings.Replace(c, "%s", "javascript:alert(1)", 1))
	}
	for _, s := range []string{
		"# Sở Xây dựng\n\nXin chào **Đà Nẵng**, [cổng](https://x.vn) <a@b.vn> www.x.vn",
		"| a | b |\n|:-|-:|\n| 1 |",
		"![ảnh](http://x/y.png) [![a](i)](l)",
		"> - 1. *a* ~~b~~ `c`",
		"[r]: /u \"t\"\n\n[a][r] [b][]",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		out, err := Render(src)
		if err != nil {
			if !errors.Is(err, ErrTooLong) && !errors.Is(err, ErrTooDeep) && !errors.Is(err, ErrTooComplex) {
				t.Fatalf("Render(%q) error = %v, want one of the documented errors", src, err)
			}
			return
		}
		checkHTML(t, src, out)
		if ex := Excerpt(out, 40); utf8.RuneCountInString(ex) > 40 || !utf8.ValidString(ex) {
			t.Fatalf("Excerpt(Render(%q), 40) = %q", src, ex)
		}
	})
}
