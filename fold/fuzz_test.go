package fold

import (
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// FuzzFold checks that Fold is idempotent, that its output has no upper
// case, no combining mark and no stray space, that decomposed input folds
// like precomposed input, and that Tokens keeps to its contract.
func FuzzFold(f *testing.F) {
	for _, letters := range vietnamese {
		f.Add(letters)
		f.Add(strings.ToUpper(letters))
	}
	for _, s := range []string{
		"Sở Xây dựng", "ĐÀ NẴNG", "ＡＢＣ ﬁ ²", "Straße İstanbul ΟΔΟΣ", "a\xffb", " \t.,;",
		"Ý kiến về Trang thông tin điện tử...? 1. Đạt yêu cầu 1180 phiếu (88 %)",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Fold(s)
		if again := Fold(got); again != got {
			t.Fatalf("Fold(Fold(%q)) = %q, want %q", s, again, got)
		}
		for _, r := range got {
			if unicode.IsUpper(r) || unicode.In(r, unicode.M) {
				t.Fatalf("Fold(%q) = %q, has %q (%U)", s, got, r, r)
			}
		}
		if strings.HasPrefix(got, " ") || strings.HasSuffix(got, " ") || strings.Contains(got, "  ") {
			t.Fatalf("Fold(%q) = %q, has stray spaces", s, got)
		}
		if nfd := Fold(norm.NFD.String(s)); nfd != got {
			t.Fatalf("Fold(NFD %q) = %q, Fold(%q) = %q", norm.NFD.String(s), nfd, s, got)
		}
		seen := map[string]bool{}
		for _, tok := range Tokens(s) {
			if tok == "" || len(tok) > MaxTokenBytes || seen[tok] || strings.ContainsRune(tok, ' ') {
				t.Fatalf("Tokens(%q) has bad token %q", s, tok)
			}
			seen[tok] = true
		}
	})
}
