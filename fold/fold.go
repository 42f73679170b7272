// Package fold reduces text to the form search compares: lower case, without
// diacritics, in words of letters and digits. "Sở Xây dựng" and "so xay
// dung" fold alike, and so do "Đà Nẵng" and "da nang".
//
// Stores keep Tokens of each title and post in an indexed field and look up
// QueryTokens of a search in it; both sides must fold with the same code, so
// a change to what Fold returns means re-tokenizing what is stored.
package fold

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Limits on tokens and queries.
const (
	// MaxTokenBytes is the longest token Tokens keeps, in bytes. Longer
	// runs (URLs without punctuation, base64, keyboard mashing) are not
	// words anyone searches for and would only bloat the index.
	MaxTokenBytes = 40
	// MaxQueryRunes is the longest query QueryTokens accepts, in characters.
	MaxQueryRunes = 200
	// MaxQueryTokens is the most distinct tokens a query may have.
	MaxQueryTokens = 10
)

// Errors returned by QueryTokens.
var (
	// ErrEmptyQuery means the query has no searchable word: it is empty,
	// only punctuation, or only words longer than MaxTokenBytes.
	ErrEmptyQuery = errors.New("fold: empty query")
	// ErrQueryTooLong means the query has more than MaxQueryRunes
	// characters or more than MaxQueryTokens distinct words.
	ErrQueryTooLong = errors.New("fold: query too long")
)

// Fold returns s lower-cased, without diacritics, as words of letters and
// digits separated by single spaces, with no space at either end.
//
// It decomposes s (NFKD, so that compatibility forms such as full-width
// letters, ligatures and superscript digits fold to plain ones), drops every
// combining mark (Vietnamese tones, breve, circumflex and horn among them),
// maps đ and Đ to d (they do not decompose; so do their look-alikes ð and Ð,
// which mis-converted Vietnamese text contains), lower-cases, and turns every
// run of other characters (white space, punctuation, symbols, invalid UTF-8)
// into one space. Precomposed and decomposed input fold alike. Fold is safe
// for concurrent use.
func Fold(s string) string {
	// A transform.Chain holds state, so it is built per call; both steps
	// are cheap to make.
	// Invalid UTF-8 first becomes a separator: the normalizer passes an
	// invalid byte through and can then leave the next character
	// undecomposed ("\xf4ȃ" would keep its breve).
	s = strings.ToValidUTF8(s, " ")
	t := transform.Chain(norm.NFKD, runes.Remove(runes.In(unicode.M)))
	decomposed, _, err := transform.String(t, s)
	if err != nil {
		// The chain never fails on a string; keep going with s rather
		// than lose the text.
		decomposed = s
	}
	var b strings.Builder
	b.Grow(len(decomposed))
	space := false
	for _, r := range decomposed {
		r = foldRune(r)
		switch {
		case r < 0:
			continue
		case unicode.IsLetter(r) || unicode.IsNumber(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		default:
			space = true
		}
	}
	return b.String()
}

// foldRune lower-cases r and maps the d-with-stroke letters to d. It returns
// -1 for a combining mark that decomposition left (there are none after
// runes.Remove, but a lower-case mapping could in principle produce one).
func foldRune(r rune) rune {
	switch r {
	case 'đ', 'Đ', 'ð', 'Ð':
		return 'd'
	}
	r = unicode.ToLower(r)
	if unicode.In(r, unicode.M) {
		return -1
	}
	return r
}

// Tokens returns the distinct words of Fold(s) in order of first appearance,
// leaving out words longer than MaxTokenBytes. It returns nil when there are
// none. Tokens is safe for concurrent use.
func Tokens(s string) []string {
	var tokens []string
	seen := make(map[string]bool)
	for _, w := range strings.Fields(Fold(s)) {
		if len(w) > MaxTokenBytes || seen[w] {
			continue
		}
		seen[w] = true
		tokens = append(tokens, w)
	}
	return tokens
}

// QueryTokens returns the tokens a search for q looks up: Tokens(q), after
// checking q's length. It returns ErrQueryTooLong when q has more than
// MaxQueryRunes characters or more than MaxQueryTokens distinct tokens, and
// ErrEmptyQuery when it has no token. QueryTokens is safe for concurrent use.
func QueryTokens(q string) ([]string, error) {
	if utf8.RuneCountInString(q) > MaxQueryRunes {
		return nil, ErrQueryTooLong
	}
	tokens := Tokens(q)
	switch {
	case len(tokens) == 0:
		return nil, ErrEmptyQuery
	case len(tokens) > MaxQueryTokens:
		return nil, ErrQueryTooLong
	}
	return tokens, nil
}
