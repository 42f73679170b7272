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
	b.Grow(len(posts) * 2048)
	for i := range posts {
		b.WriteString("\n  ")
		writePost(&b, &posts[i])
	}
	return template.HTML(b.String())
}

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
	n := strconv.Itoa(p.Number)
	b.WriteString("\n<li class=\"post")
	if p.Official {
		b.WriteString(" post-official")
	}
	b.WriteString("\" id=\"post-" + n + "\" data-post=\"")
	esc(p.ID)
	b.WriteString("\" data-number=\"" + n + "\">\n  <article class=\"post-card\" aria-labelledby=\"post-" + n +
		"-by\">\n    <header class=\"post-header\">\n      <p class=\"post-author\" id=\"post-" + n +
		"-by\">\n        <span class=\"post-name\" data-field=\"name\">")
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
	b.WriteString("\" data-field=\"permalink\">#<span data-field=\"number\">" + n +
		"</span></a>\n        <time datetime=\"")
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
			b.WriteString("<div class=\"post-hidden-content\" data-field=\"hidden-content\">" + string(p.HTML) + "</div>")
		}
	default:
		b.WriteString("\n      " + string(p.HTML))
	}
	b.WriteString("\n    </div>")
	if d.LoggedIn {
		b.WriteString("\n    <ul class=\"post-actions\">")
		action := func(name, href, label string) {
			b.WriteString("\n      <li data-action=\"" + name + "\"><a href=\"" + href + "\">")
			esc(label)
			b.WriteString("<span class=\"visually-hidden\"> #<span data-field=\"number\">" + n + "</span></span></a></li>")
		}
		id := escaper.Replace(p.ID)
		if d.Skeleton || p.CanEdit {
			action("edit", "/forum/p/"+id+"/edit", l.Edit)
		}
		if d.Skeleton || p.CanFlag {
			action("flag", "/forum/p/"+id+"/flag", l.Flag)
		}
		if d.Mod {
			action("moderate", "/mod/p/"+id, l.Moderate)
		}
		b.WriteString("\n    </ul>")
	}
	b.WriteString("\n  </article>\n</li>")
}
