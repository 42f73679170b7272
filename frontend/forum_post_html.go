package frontend

import (
	"html/template"
	"strconv"
	"strings"
)

// The thread page writes its posts here, in Go, rather than through the
// "post" template (templates/parts/post.html): html/template calls an
// escaping function through reflection for every value it prints, some
// twenty per post, which made a page of 50 posts cost milliseconds. The
// template stays the readable definition of a post's markup, and a test
// checks that writePost produces exactly what it does for every kind of
// post and reader.

// escaper escapes text and quoted attribute values like html/template does.
var escaper = strings.NewReplacer("\x00", "\uFFFD", `"`, "&#34;", "&", "&amp;", "'", "&#39;",
	"+", "&#43;", "<", "&lt;", ">", "&gt;")

// postsHTML is the markup of the posts of a thread page, each preceded by
// the line break and indent the page's list puts before it.
func postsHTML(posts []postData) template.HTML {
	var b strings.Builder
	size := 0
	for i := range posts {
		p := posts[i].P
		size += postMarkupSize + len(p.HTML) + len(p.Name) + len(p.Agency) + len(p.StaffTitle) + len(p.URL)
	}
	b.Grow(size)
	for i := range posts {
		b.WriteString("\n  ")
		writePost(&b, &posts[i])
	}
	return template.HTML(b.String())
}

// postMarkupSize is about the size of a post's markup without its text,
// for sizing the buffer at once.
const postMarkupSize = 1400

// postHTML is the markup of one post.
func postHTML(d *postData) template.HTML {
	var b strings.Builder
	writePost(&b, d)
	return template.HTML(b.String())
}

// writePost writes what the "post" template does for d.
func writePost(b *strings.Builder, d *postData) {
	p, l := d.P, d.L
	esc := func(s string) { _, _ = escaper.WriteString(b, s) }
	// n is written many times; the pieces are written one by one, as
	// concatenating them would allocate.
	var nb [20]byte
	n := strconv.AppendInt(nb[:0], int64(p.Number), 10)
	b.WriteString("\n<li class=\"post")
	if p.Official {
		b.WriteString(" post-official")
	}
	b.WriteString("\" id=\"post-")
	b.Write(n)
	b.WriteString("\" data-post=\"")
	esc(p.ID)
	b.WriteString("\" data-number=\"")
	b.Write(n)
	b.WriteString("\">\n  <article class=\"post-card\" aria-labelledby=\"post-")
	b.Write(n)
	b.WriteString("-by\">\n    <header class=\"post-header\">\n      <p class=\"post-author\" id=\"post-")
	b.Write(n)
	b.WriteString("-by\">\n        <span class=\"post-name\" data-field=\"name\">")
	esc(p.Name)
	b.WriteString("</span>")
	if d.Skeleton || p.Official {
		b.WriteString("\n        <span class=\"post-agency\" data-field=\"official\">\n          <span class=\"badge badge-official\">")
		esc(l.Official)
		b.WriteString("</span>\n          <span><span data-field=\"agency\">")
		esc(p.Agency)
		b.WriteString("</span>")
		if d.Skeleton || p.StaffTitle != "" {
			b.WriteString("<span data-field=\"staff-title-wrap\">, <span data-field=\"staff-title\">")
			esc(p.StaffTitle)
			b.WriteString("</span></span>")
		}
		b.WriteString("</span>\n        </span>")
	}
	b.WriteString("\n      </p>\n      <p class=\"post-meta\">\n        <a href=\"")
	esc(p.URL)
	b.WriteString("\" data-field=\"permalink\">#<span data-field=\"number\">")
	b.Write(n)
	b.WriteString("</span></a>\n        <time datetime=\"")
	esc(p.ISO)
	b.WriteString("\" data-field=\"time\">")
	esc(p.At)
	b.WriteString("</time>")
	if d.Skeleton || p.Edited {
		b.WriteString("\n        <span class=\"post-edited\" data-field=\"edited\"")
		if !p.Edited {
			b.WriteString(" hidden")
		}
		b.WriteString(">")
		esc(l.Edited)
		b.WriteString("</span>")
	}
	b.WriteString("\n      </p>\n    </header>\n    <div class=\"post-body\" data-field=\"body\">")
	switch {
	case p.Deleted:
		b.WriteString("\n      <p class=\"post-removed\">")
		esc(l.Deleted)
		b.WriteString("</p>")
	case p.Hidden:
		b.WriteString("\n      <p class=\"post-removed\">")
		esc(l.Hidden)
		b.WriteString(" ")
		esc(p.Reason)
		b.WriteString("</p>")
		if d.Mod {
			b.WriteString("<div class=\"post-hidden-content\" data-field=\"hidden-content\">")
			b.WriteString(string(p.HTML))
			b.WriteString("</div>")
		}
	default:
		b.WriteString("\n      ")
		b.WriteString(string(p.HTML))
	}
	b.WriteString("\n    </div>")
	if d.LoggedIn {
		b.WriteString("\n    <ul class=\"post-actions\">")
		action := func(name, prefix, suffix, label string) {
			b.WriteString("\n      <li data-action=\"")
			b.WriteString(name)
			b.WriteString("\"><a href=\"")
			b.WriteString(prefix)
			esc(p.ID)
			b.WriteString(suffix)
			b.WriteString("\">")
			esc(label)
			b.WriteString("<span class=\"visually-hidden\"> #<span data-field=\"number\">")
			b.Write(n)
			b.WriteString("</span></span></a></li>")
		}
		if d.Skeleton || p.CanEdit {
			action("edit", "/forum/p/", "/edit", l.Edit)
		}
		if d.Skeleton || p.CanFlag {
			action("flag", "/forum/p/", "/flag", l.Flag)
		}
		if d.Mod {
			action("moderate", "/mod/p/", "", l.Moderate)
		}
		b.WriteString("\n    </ul>")
	}
	b.WriteString("\n  </article>\n</li>")
}
