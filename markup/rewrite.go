package markup

import (
	"bytes"
	"net/url"
	"strings"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/util"
)

// linkRel is the rel of every link: the author's links must not lend the
// portal's search ranking (nofollow), are marked as user content (ugc), and a
// linked page gets no handle on the portal's window (noopener).
const linkRel = "nofollow ugc noopener"

// headingShift moves an author's headings down: the page has the <h1> and
// <h2>.
const headingShift = 2

// maxURLBytes bounds the bytes of the destinations and titles of all links
// and images of one source. Inline, they are part of the source; a link by
// reference ([text][ref]) repeats its definition's, and a few thousand
// references to a 10 kB URL would take a second to escape and check.
const maxURLBytes = 2 * MaxSource

// rewrite checks the nesting of doc and rewrites it into the subset the
// policy allows, so that the policy has nothing to strip from well-formed
// output. It returns ErrTooDeep when nesting exceeds MaxDepth, and
// ErrTooComplex when links repeat too much of their definitions.
func rewrite(doc ast.Node, source []byte) error {
	var (
		depth, maxDepth int
		urlBytes        int
		links           []ast.Node
		images          []*ast.Image
	)
	err := ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if nests(n) {
			if entering {
				depth++
				maxDepth = max(maxDepth, depth)
			} else {
				depth--
			}
		}
		if !entering {
			return ast.WalkContinue, nil
		}
		if maxDepth > MaxDepth {
			return ast.WalkStop, ErrTooDeep
		}
		switch n := n.(type) {
		case *ast.Heading:
			n.Level = min(n.Level+headingShift, 6)
		case *ast.Link:
			urlBytes += len(n.Destination) + len(n.Title)
			links = append(links, n)
		case *ast.AutoLink:
			links = append(links, n)
		case *ast.Image:
			urlBytes += len(n.Destination) + len(n.Title)
			images = append(images, n)
		}
		if urlBytes > maxURLBytes {
			return ast.WalkStop, ErrTooComplex
		}
		return ast.WalkContinue, nil
	})
	if err != nil {
		return err
	}
	// Images first, in document order: one may become a link, which the
	// loop below then checks like any other.
	for _, img := range images {
		if insideLink(img) {
			unwrap(img) // a link cannot hold a link: keep the alt text
			continue
		}
		links = append(links, imageLink(img))
	}
	for _, n := range links {
		// Only an image turned into a link can hold a link (CommonMark
		// never nests links), and the inner one gives way.
		ok := !insideLink(n)
		switch n := n.(type) {
		case *ast.Link:
			// As renderLink writes it: entities resolved, percent-encoded.
			if !ok || !allowedURL(util.URLEscape(n.Destination, true)) {
				unwrap(n)
				continue
			}
		case *ast.AutoLink:
			// As renderAutoLink writes it: percent-encoded only.
			if !ok || !allowedURL(util.URLEscape(n.URL(source), false)) {
				label := ast.NewString(bytes.Clone(n.Label(source)))
				label.SetRaw(true)
				n.Parent().ReplaceChild(n.Parent(), n, label)
				continue
			}
		}
		n.SetAttributeString("rel", []byte(linkRel))
	}
	return nil
}

// nests reports whether n counts towards MaxDepth. List items, paragraphs and
// table parts do not: each is bounded by its parent.
func nests(n ast.Node) bool {
	switch n.Kind() {
	case ast.KindBlockquote, ast.KindList, ast.KindEmphasis, ast.KindLink,
		ast.KindImage, east.KindStrikethrough:
		return true
	}
	return false
}

// imageLink replaces img with a link to the image's URL whose text is the
// alt text (or the URL when the alt text is empty), and returns that link.
func imageLink(img *ast.Image) *ast.Link {
	link := ast.NewLink()
	link.Destination = img.Destination
	link.Title = img.Title
	if !img.HasChildren() {
		text := ast.NewString(bytes.Clone(img.Destination))
		text.SetRaw(true)
		link.AppendChild(link, text)
	}
	for c := img.FirstChild(); c != nil; {
		next := c.NextSibling()
		link.AppendChild(link, c)
		c = next
	}
	img.Parent().ReplaceChild(img.Parent(), img, link)
	return link
}

// insideLink reports whether n has a link among its ancestors.
func insideLink(n ast.Node) bool {
	for p := n.Parent(); p != nil; p = p.Parent() {
		if p.Kind() == ast.KindLink || p.Kind() == ast.KindAutoLink {
			return true
		}
	}
	return false
}

// unwrap replaces n by its children.
func unwrap(n ast.Node) {
	parent := n.Parent()
	for c := n.FirstChild(); c != nil; {
		next := c.NextSibling()
		parent.InsertBefore(parent, n, c)
		c = next
	}
	parent.RemoveChild(parent, n)
}

// allowedURL reports whether href, a link's URL as goldmark will write it
// into the href attribute, is an http, https, mailto or relative URL that
// the policy keeps too. Links the policy would strip of their href are
// unlinked here instead, so no <a> without href is ever written. (An e-mail
// autolink has no scheme yet; goldmark adds "mailto:".)
//
// The scheme is read as a browser reads it: browsers drop tabs and newlines
// anywhere in a URL and trim control characters and spaces at its ends, so
// "java\tscript:" would be a javascript: URL. (goldmark percent-encodes those
// characters, which makes such a URL a harmless relative one; this check does
// not rely on it.)
func allowedURL(href []byte) bool {
	u := make([]byte, 0, len(href))
	for _, b := range href {
		if b != '\t' && b != '\n' && b != '\r' {
			u = append(u, b)
		}
	}
	u = bytes.TrimFunc(u, func(r rune) bool { return r <= ' ' })
	end := bytes.IndexAny(u, "/?#")
	if end < 0 {
		end = len(u)
	}
	if colon := bytes.IndexByte(u[:end], ':'); colon >= 0 {
		switch string(bytes.ToLower(u[:colon])) {
		case "http", "https", "mailto":
		default:
			return false
		}
	}
	// What bluemonday's RequireParseableURLs and AllowRelativeURLs accept.
	parsed, err := url.Parse(strings.TrimSpace(string(href)))
	if err != nil || parsed.String() == "" {
		return false
	}
	switch parsed.Scheme {
	case "", "http", "https", "mailto":
		return true
	}
	return false
}
