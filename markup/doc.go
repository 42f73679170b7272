// Package markup turns what residents and staff write (Markdown) into HTML that
// is safe to put into a page, and makes plain-text excerpts of it.
//
// Data flow, on write only (the forum and Q&A store the source, the HTML and
// Version together, and never render on read):
//
//	source ──limits──▶ goldmark (CommonMark + strikethrough, tables, linkify;
//	                   raw HTML dropped)
//	       ──AST rewrite──▶ depth check, headings moved down, images turned
//	                   into links, unsafe links unlinked, rel on every link
//	       ──HTML (size capped)──▶ one bluemonday policy ──▶ stored HTML
//
// goldmark without html.WithUnsafe already drops raw HTML and dangerous URLs,
// and the AST rewrite only emits what the policy allows; the policy is the
// last word anyway, so a goldmark bug or a new extension cannot put anything
// into a page that the allowlist in policy.go does not name.
//
// The choices, and why:
//   - No id or name attribute at all. Prefixing them (user-content-...) only
//     helps in-page anchors, which need JavaScript to follow; forbidding them
//     means nothing a user writes can shadow window.x or document.x or a form
//     field of the page (DOM clobbering). Heading ids are not generated.
//   - No images. An <img> from another host would send every reader's IP
//     address and User-Agent to that host when the page loads. An image
//     becomes a link to its URL whose text is the alt text (or the URL when
//     there is none), so nothing is fetched until a reader clicks. Same-site
//     images are not allowed either: a relative path can be a state-changing
//     GET, and //host is another host.
//   - Links are http, https, mailto or relative, and all carry
//     rel="nofollow ugc noopener". No target attribute is ever emitted, so a
//     link opens where the reader chooses.
//   - Headings are moved down two levels (# is <h3>, ### and below are <h6>):
//     the page owns <h1> and <h2>.
//   - No style and no class, except class="language-x" on code from a fenced
//     code block, for a future highlighter; table alignment uses the align
//     attribute, not style.
package markup

// Version identifies the HTML that Render produces. Stores keep it next to
// the HTML and re-render every row whose version differs.
//
// Bump it in the same commit as any change that can make Render return
// different HTML for some input it accepts: the goldmark options or
// extensions, the AST rewrite, the bluemonday policy, or an upgrade of
// goldmark or bluemonday whose output differs (the golden files in testdata/
// catch that: if `go test ./markup -run Golden -update` changes them, bump).
// A change that only loosens the policy is still a bump: HTML stored under
// the stricter policy would otherwise stay stricter forever.
//
// Changing a limit (MaxSource, MaxDepth, the complexity limits) changes no
// accepted input's HTML and needs no bump. Tightening one can make a stored
// source fail to re-render after a later bump; as that bump may be a security
// fix, the regenerating job should then not keep the old HTML but store an
// empty rendering and log the post.
const Version = 1
