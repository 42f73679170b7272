package markup

import (
	"regexp"
	"sync"

	"github.com/microcosm-cc/bluemonday"
)

// policy is the one sanitizer policy, built on first use. A bluemonday
// policy is safe for concurrent use once built. Any change here changes
// Version (see doc.go).
//
// It allows exactly what the goldmark configuration and the AST rewrite
// produce, and nothing else: no img, no id or name, no style, no class but a
// code block's language, no target, and links only to http, https, mailto
// or relative URLs, each with rel="nofollow ugc noopener".
var policy = sync.OnceValue(func() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements(
		"p", "br", "hr", "blockquote", "pre",
		"strong", "em", "del", "code",
		"h3", "h4", "h5", "h6", // headings are moved down two levels
		"ul", "ol", "li",
		"table", "thead", "tbody", "tr", "th", "td",
	)

	p.AllowAttrs("href", "title").OnElements("a")
	p.AllowAttrs("rel").Matching(regexp.MustCompile(`^nofollow ugc noopener$`)).OnElements("a")
	p.RequireParseableURLs(true)
	p.AllowURLSchemes("http", "https", "mailto")
	p.AllowRelativeURLs(true)
	// A backstop: goldmark's output already carries the full rel, which
	// contains nofollow and so is kept as it is.
	p.RequireNoFollowOnLinks(true)

	p.AllowAttrs("start").Matching(regexp.MustCompile(`^[0-9]{1,9}$`)).OnElements("ol")
	p.AllowAttrs("align").Matching(regexp.MustCompile(`^(left|center|right)$`)).OnElements("th", "td")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^language-[A-Za-z0-9_+#-]{1,32}$`)).OnElements("code")
	return p
})
