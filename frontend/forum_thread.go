package frontend

import (
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/civichub/civichub/accounts"
	"github.com/civichub/civichub/forum"
	"github.com/civichub/civichub/i18n"
)

// The thread page shows up to a page of posts to every reader, most of them
// anonymous, so its per-post template only reads fields: the texts are looked
// up once per page and every per-post value is worked out here, in Go.
// html/template calls methods and walks embedded pointers through
// reflection, which cost more than the rest of the page together.

// postLabels are the "post" template's texts in the page's language.
type postLabels struct {
	UnknownAuthor, Official, Edited, Deleted, Hidden, Edit, Flag, Moderate string
}

func newPostLabels(lang i18n.Lang) *postLabels {
	return &postLabels{
		UnknownAuthor: text(lang, "post.unknown_author"), Official: text(lang, "post.official"),
		Edited: text(lang, "post.edited"), Deleted: text(lang, "post.deleted"), Hidden: text(lang, "post.hidden"),
		Edit: text(lang, "post.edit"), Flag: text(lang, "post.flag"), Moderate: text(lang, "post.moderate"),
	}
}

// postRow is one post as the "post" template shows it.
type postRow struct {
	ID     string
	Number int
	// Name is the author's name, or the text for an unknown author.
	Name               string
	Official           bool
	Agency, StaffTitle string
	URL                string
	// ISO is the time for the datetime attribute, At the one shown.
	ISO, At         string
	Edited          bool
	Deleted, Hidden bool
	// Reason is the text of a hidden post's public reason.
	Reason string
	// HTML is the post's sanitized body_html (see postItem.HTML).
	HTML template.HTML
	// CanEdit and CanFlag tell the reader's actions on the post.
	CanEdit, CanFlag bool
}

// postData is what the "post" template gets. A skeleton has every optional
// part, for the script to fill.
type postData struct {
	P                       *postRow
	L                       *postLabels
	LoggedIn, Mod, Skeleton bool
}

// newPostRow shows it to viewer (nil for a guest) on page v.
func newPostRow(v *view, it postItem, l *postLabels, viewer *accounts.User) *postRow {
	r := &postRow{ID: it.ID, Number: it.Number, Name: it.Author.Name, Official: it.Official(),
		Agency: it.Agency, StaffTitle: it.Author.Title, URL: it.URL(),
		ISO: v.ISO(it.CreatedAt), At: v.At(it.CreatedAt), Edited: it.Edited,
		Deleted: it.Deleted, Hidden: it.Hidden, HTML: it.HTML(), CanEdit: it.CanEdit && !it.Deleted}
	if r.Name == "" {
		r.Name = l.UnknownAuthor
	}
	if it.Hidden {
		r.Reason = v.Reason(it.HiddenReason)
	}
	if viewer != nil {
		r.CanFlag = it.Author.ID != viewer.ID && !it.Hidden && !it.Deleted
	}
	return r
}

// threadLabels are the thread page's texts that do not depend on the
// post, looked up once per page.
type threadLabels struct {
	Pinned, Locked, Deleted, ThreadGone, MorePosts, LockedNote  string
	PagerLabel, FirstPage, PrevPage, NextPage, LastPage, PageOf string
}

// threadPage is the data of a thread page.
type threadPage struct {
	ID, Title, CategoryID   string
	Pinned, Locked, Deleted bool
	Following               bool
	Page, Pages             int
	Category                categoryRow
	PageSize                int
	// Posts are the posts' template data; Skeleton is the live posts'.
	// PostsHTML and SkeletonHTML are their markup (see writePost).
	Posts                   []postData
	Skeleton                postData
	PostsHTML, SkeletonHTML template.HTML
	// TextsHTML are the texts the page's script shows, in the page's
	// language (see forumTextsHTML).
	TextsHTML template.HTML
	// PagerHTML is the pager shown above and below the posts, "" when
	// the thread has one page.
	PagerHTML template.HTML
	// Reply says what the bottom of the page offers: "form" (hidden while
	// the thread is locked, unless the reader moderates, for the script to
	// show when it is unlocked), "login" (guests) or "" (a deleted thread).
	Reply string
	// Categories are the targets of the moderators' move form.
	Categories []categoryRow
	Moderator  bool
	// Path is the page's own address; FirstURL, PrevURL, NextURL and
	// LastURL are the pager's.
	Path, FirstURL, PrevURL, NextURL, LastURL string
	L                                         threadLabels
}

// pageURL is the address of page n of thread id.
func pageURL(id string, n int) string {
	if n <= 1 {
		return "/forum/t/" + id
	}
	return "/forum/t/" + id + "?page=" + strconv.Itoa(n)
}

// makeThreadPage builds the page of tv for viewer in v's language; items
// are tv's posts.
func makeThreadPage(v *view, tv *forum.ThreadView, c categoryRow, items []postItem, viewer *accounts.User, pageSize int) *threadPage {
	p := &threadPage{ID: tv.ID, Title: tv.Title, CategoryID: tv.CategoryID, Pinned: tv.Pinned, Locked: tv.Locked,
		Deleted: tv.Deleted, Following: tv.Following, Page: tv.Page, Pages: tv.Pages, Category: c, PageSize: pageSize,
		Moderator: isModerator(viewer)}
	p.Path = pageURL(p.ID, p.Page)
	p.FirstURL, p.PrevURL = pageURL(p.ID, 1), pageURL(p.ID, p.Page-1)
	p.NextURL, p.LastURL = pageURL(p.ID, p.Page+1), pageURL(p.ID, p.Pages)
	p.L = threadLabels{Pinned: v.T("forum.pinned"), Locked: v.T("forum.locked"), Deleted: v.T("forum.deleted"),
		ThreadGone: v.T("forum.thread_gone"), MorePosts: v.T("forum.more_posts"), LockedNote: v.T("forum.locked_note"),
		PagerLabel: v.T("pager.label"), FirstPage: v.T("forum.first_page"), PrevPage: v.T("forum.prev_page"),
		NextPage: v.T("forum.next_page"), LastPage: v.T("forum.last_page"), PageOf: v.T("forum.page_of", p.Page, p.Pages)}
	l := newPostLabels(v.Lang)
	rows := make([]postRow, len(items))
	p.Posts = make([]postData, len(items))
	for i, it := range items {
		rows[i] = *newPostRow(v, it, l, viewer)
		p.Posts[i] = postData{P: &rows[i], L: l, LoggedIn: viewer != nil, Mod: p.Moderator}
	}
	p.Skeleton = postData{P: &postRow{Name: l.UnknownAuthor, URL: postURL("", 0, 0), ISO: v.ISO(time.Time{}), At: v.At(time.Time{})},
		L: l, LoggedIn: viewer != nil, Mod: p.Moderator, Skeleton: true}
	p.PostsHTML, p.SkeletonHTML = postsHTML(p.Posts), postHTML(&p.Skeleton)
	p.TextsHTML = forumTextsHTML(v)
	p.PagerHTML = p.pagerHTML()
	return p
}

// forumTextsHTML is the content of the thread page's <template
// id="forum-texts">: the texts static/app.js puts into live posts, every
// reason code's included.
func forumTextsHTML(v *view) template.HTML {
	var b strings.Builder
	span := func(attr, name, label string) {
		b.WriteString("\n  <span " + attr + "=\"")
		_, _ = escaper.WriteString(&b, name)
		b.WriteString("\">")
		_, _ = escaper.WriteString(&b, label)
		b.WriteString("</span>")
	}
	span("data-text", "hidden", v.T("post.hidden"))
	span("data-text", "deleted", v.T("post.deleted"))
	span("data-text", "new-post", v.T("forum.new_post"))
	span("data-text", "unknown", v.T("post.unknown_author"))
	for _, r := range v.AllReasons() {
		span("data-reason", string(r), v.Reason(r))
	}
	return template.HTML(b.String())
}

// pagerHTML is the markup of the thread's pager.
func (p *threadPage) pagerHTML() template.HTML {
	if p.Pages <= 1 {
		return ""
	}
	var b strings.Builder
	esc := func(s string) { _, _ = escaper.WriteString(&b, s) }
	link := func(href, rel, label string) {
		b.WriteString("\n    <li><a href=\"")
		esc(href)
		b.WriteString("\"")
		if rel != "" {
			b.WriteString(" rel=\"" + rel + "\"")
		}
		b.WriteString(">")
		esc(label)
		b.WriteString("</a></li>")
	}
	b.WriteString("\n<nav class=\"pager thread-pager\" aria-label=\"")
	esc(p.L.PagerLabel)
	b.WriteString("\">\n  <ul>")
	if p.Page > 1 {
		link(p.FirstURL, "", p.L.FirstPage)
		link(p.PrevURL, "prev", p.L.PrevPage)
	}
	b.WriteString("\n    <li><span aria-current=\"page\">")
	esc(p.L.PageOf)
	b.WriteString("</span></li>")
	if p.Page < p.Pages {
		link(p.NextURL, "next", p.L.NextPage)
		link(p.LastURL, "", p.L.LastPage)
	}
	b.WriteString("\n  </ul>\n</nav>")
	return template.HTML(b.String())
}
