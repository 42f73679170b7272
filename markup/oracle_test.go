package markup

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// allowedAttrs is the oracle's allowlist, written out independently of the
// bluemonday policy: element -> attribute -> check of its value.
var allowedAttrs = map[string]map[string]func(string) bool{
	"a": {
		"href":  safeHref,
		"title": func(string) bool { return true },
		"rel":   func(v string) bool { return v == linkRelWant },
	},
	"ol":   {"start": isDigits},
	"th":   {"align": isAlign},
	"td":   {"align": isAlign},
	"code": {"class": func(v string) bool { return strings.HasPrefix(v, "language-") && !strings.ContainsAny(v, " \t\n\"'<>") }},
	"p":    nil, "br": nil, "hr": nil, "blockquote": nil, "pre": nil,
	"strong": nil, "em": nil, "del": nil,
	"h3": nil, "h4": nil, "h5": nil, "h6": nil,
	"ul": nil, "li": nil,
	"table": nil, "thead": nil, "tbody": nil, "tr": nil,
}

const linkRelWant = "nofollow ugc noopener"

func isDigits(v string) bool {
	return v != "" && strings.Trim(v, "0123456789") == ""
}

func isAlign(v string) bool { return v == "left" || v == "center" || v == "right" }

// safeHref reports whether a browser would read v (an attribute value, with
// entities already decoded by the parser) as an http, https, mailto or
// relative URL. It reads it as the URL standard does: tabs and newlines
// removed anywhere, C0 controls and spaces trimmed at both ends, and a scheme
// being letters, digits, "+", "-" and "." before the first ":".
func safeHref(v string) bool {
	v = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, v)
	v = strings.TrimFunc(v, func(r rune) bool { return r <= ' ' })
	colon := strings.IndexByte(v, ':')
	if colon < 0 {
		return true
	}
	scheme := v[:colon]
	for i, r := range scheme {
		isAlpha := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
		if !(isAlpha || i > 0 && (r >= '0' && r <= '9' || r == '+' || r == '-' || r == '.')) {
			return true // not a scheme: a relative URL with a colon in it
		}
	}
	switch strings.ToLower(scheme) {
	case "http", "https", "mailto":
		return true
	}
	return false
}

// checkHTML is the security oracle: out, parsed the way a browser parses it
// inside <body>, holds only allowed elements in the HTML namespace, only
// allowed attributes with allowed values (no on*, id, name, style, target),
// every link has a safe href and the full rel, there are no comments, and
// the policy leaves out unchanged.
func checkHTML(t testing.TB, src, out string) {
	t.Helper()
	if err := oracle(out); err != "" {
		t.Fatalf("Render(%q):\n%s\nunsafe: %s", src, out, err)
	}
	if again := policy().Sanitize(out); again != out {
		t.Fatalf("Render(%q) is not a fixed point of the policy:\nonce:  %q\ntwice: %q", src, out, again)
	}
}

func oracle(out string) string {
	body := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := html.ParseFragment(strings.NewReader(out), body)
	if err != nil {
		return "parse: " + err.Error()
	}
	var problem string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if problem != "" {
			return
		}
		switch n.Type {
		case html.CommentNode:
			problem = "comment <!--" + n.Data + "-->"
			return
		case html.ElementNode:
			if p := checkElement(n); p != "" {
				problem = p
				return
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range nodes {
		walk(n)
	}
	return problem
}

func checkElement(n *html.Node) string {
	if n.Namespace != "" {
		return "element in namespace " + n.Namespace + ": <" + n.Data + ">"
	}
	attrs, ok := allowedAttrs[n.Data]
	if !ok {
		return "element <" + n.Data + ">"
	}
	var href, rel bool
	for _, a := range n.Attr {
		key := strings.ToLower(a.Key)
		switch {
		case a.Namespace != "":
			return "namespaced attribute " + a.Namespace + ":" + a.Key
		case strings.HasPrefix(key, "on"):
			return "event handler " + a.Key + "=" + a.Val
		case key == "id" || key == "name" || key == "style" || key == "target" || key == "src":
			return "attribute " + a.Key + "=" + a.Val
		}
		check, ok := attrs[key]
		if !ok {
			return "attribute " + a.Key + " on <" + n.Data + ">"
		}
		if !check(a.Val) {
			return "value " + a.Key + "=" + a.Val + " on <" + n.Data + ">"
		}
		href = href || key == "href"
		rel = rel || key == "rel"
	}
	if n.Data == "a" && !(href && rel) {
		return "link without href or rel"
	}
	return ""
}
