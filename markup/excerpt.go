package markup

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// Excerpt returns the text of rendered HTML (Render's output) as one line of
// at most n characters (runes) for lists and notifications: tags removed,
// entities decoded, white space collapsed, and when it is cut, cut after a
// word where one ends in the second half of the limit and ended with "…".
// The result is plain text: escape it to put it into HTML (html/template
// does). n <= 0 gives "". Excerpt is safe for concurrent use.
func Excerpt(htmlText string, n int) string {
	if n <= 0 {
		return ""
	}
	var b strings.Builder
	space := false
	runes := 0
	z := html.NewTokenizer(strings.NewReader(htmlText))
	for runes <= n {
		tt := z.Next()
		if tt == html.ErrorToken {
			break // io.EOF: Render's output is well formed
		}
		switch tt {
		case html.TextToken:
			for _, r := range string(z.Text()) {
				if unicode.IsSpace(r) {
					space = b.Len() > 0
					continue
				}
				if space {
					b.WriteByte(' ')
					runes++
					space = false
				}
				b.WriteRune(r)
				runes++
			}
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			if !inline[string(name)] {
				space = b.Len() > 0
			}
		}
	}
	s := b.String()
	if runes <= n {
		return s
	}
	return cut(s, n)
}

// inline are the elements that do not separate words.
var inline = map[string]bool{"a": true, "strong": true, "em": true, "del": true, "code": true}

// cut shortens s, which is longer than n runes, to n runes ending in "…".
func cut(s string, n int) string {
	if n == 1 {
		return "…"
	}
	end := 0
	for i := 0; i < n-1; i++ {
		_, size := utf8.DecodeRuneInString(s[end:])
		end += size
	}
	// Prefer to end after a word, unless that loses more than half.
	if next, _ := utf8.DecodeRuneInString(s[end:]); next != ' ' {
		if i := strings.LastIndexByte(s[:end], ' '); i > 0 && utf8.RuneCountInString(s[:i]) >= (n-1)/2 {
			end = i
		}
	}
	return strings.TrimRightFunc(s[:end], func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsPunct(r)
	}) + "…"
}
