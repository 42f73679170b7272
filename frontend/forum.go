package frontend

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/civichub/civichub/accounts"
	"github.com/civichub/civichub/apperr"
	"github.com/civichub/civichub/forum"
	"github.com/civichub/civichub/i18n"
	"github.com/civichub/civichub/id"
	"github.com/civichub/civichub/web"
)

// threadsPerPage is how many threads a category page lists.
const threadsPerPage = 30

// categoryRow is a category with its texts in the page's language.
type categoryRow struct {
	*forum.Category
	Name, Description, Agency string
}

// URL is the category's page.
func (c categoryRow) URL() string { return "/forum/c/" + c.Slug }

// categoryRows lists the categories in lang, with their agencies' names.
func (f *Frontend) categoryRows(ctx context.Context, lang i18n.Lang) ([]categoryRow, error) {
	cs, err := f.opts.Forum.Categories(ctx)
	if err != nil {
		return nil, err
	}
	rows := make([]categoryRow, len(cs))
	for i, c := range cs {
		rows[i] = f.categoryRow(ctx, c, lang)
	}
	return rows, nil
}

func (f *Frontend) categoryRow(ctx context.Context, c *forum.Category, lang i18n.Lang) categoryRow {
	row := categoryRow{Category: c, Name: c.Name.In(lang), Description: c.Description.In(lang)}
	if c.AgencyID != "" {
		if a, err := f.opts.Accounts.Agency(ctx, c.AgencyID); err == nil {
			row.Agency = a.Name.In(lang)
		}
	}
	return row
}

// findCategory returns the category whose ID or slug is ref.
func (f *Frontend) findCategory(ctx context.Context, ref string) (*forum.Category, error) {
	if id.Valid(ref) {
		c, err := f.opts.Forum.Category(ctx, ref)
		if !errors.Is(err, forum.ErrCategoryNotFound) {
			return c, err
		}
	}
	cs, err := f.opts.Forum.Categories(ctx)
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		if c.Slug == ref {
			return c, nil
		}
	}
	return nil, forum.ErrCategoryNotFound
}

// forumHome lists the categories.
func (f *Frontend) forumHome(w http.ResponseWriter, r *http.Request) {
	rows, err := f.categoryRows(r.Context(), i18n.FromContext(r.Context()))
	if err != nil {
		f.fail(w, r, err)
		return
	}
	f.render(w, r, http.StatusOK, "forum", view{Data: rows})
}

// threadListPage is one page of a category's threads.
type threadListPage struct {
	Category categoryRow
	Pinned   []*forum.Thread
	Items    []*forum.Thread
	// First is true on the newest page, Last on the oldest; Next is the
	// cursor of the next older page ("" on the oldest).
	First, Last bool
	Next        string
}

// NextURL is the address of the next older page.
func (p threadListPage) NextURL() string { return p.Category.URL() + "?cursor=" + p.Next }

// LastURL is the address of the oldest page.
func (p threadListPage) LastURL() string { return p.Category.URL() + "?page=last" }

// categoryPage lists a category's threads: pinned ones first, then by
// newest activity, a keyset page at a time (?cursor=), or the oldest page
// (?page=last), which costs the same as the first.
func (f *Frontend) categoryPage(w http.ResponseWriter, r *http.Request) {
	ctx, q := r.Context(), r.URL.Query()
	c, err := f.findCategory(ctx, r.PathValue("ref"))
	if err != nil {
		f.fail(w, r, err)
		return
	}
	var cur *forum.ThreadCursor
	if s := q.Get("cursor"); s != "" {
		cur = &forum.ThreadCursor{}
		if err := web.DecodeCursor(s, cur); err != nil || !id.Valid(cur.ID) {
			f.fail(w, r, apperr.Field("cursor", "invalid_cursor"))
			return
		}
	}
	last := q.Get("page") == "last"
	list, err := f.opts.Forum.Threads(ctx, accounts.UserFrom(ctx), c.ID, cur, last, threadsPerPage)
	if err != nil {
		f.fail(w, r, err)
		return
	}
	p := threadListPage{Category: f.categoryRow(ctx, c, i18n.FromContext(ctx)), Pinned: list.Pinned, Items: list.Items,
		First: cur == nil && !last, Last: last || list.NextCursor == "", Next: list.NextCursor}
	if last {
		p.Next = ""
	}
	f.render(w, r, http.StatusOK, "forum_category", view{Data: p})
}

// postItem is a post as the thread page shows it.
type postItem struct {
	*forum.PostView
	// Agency is the name of the agency a staff member wrote for, in the
	// page's language: the post is then the agency's official voice.
	Agency string
	Page   int
}

// HTML is the post's sanitized HTML. The forum sanitizes every post on
// write with one policy (package markup), and body_html is the only text of
// a post, or of anything users write, that a page takes as HTML.
func (p postItem) HTML() template.HTML { return template.HTML(p.BodyHTML) }

// Official reports whether the post speaks for an agency.
func (p postItem) Official() bool { return p.Author.AgencyID != "" }

// URL is the post's place in its thread.
func (p postItem) URL() string { return postURL(p.ThreadID, p.Number, p.Page) }

// postURL is the address of post number n of a thread on page page.
func postURL(threadID string, n, page int) string {
	if page <= 1 {
		return "/forum/t/" + threadID + "#post-" + strconv.Itoa(n)
	}
	return "/forum/t/" + threadID + "?page=" + strconv.Itoa(page) + "#post-" + strconv.Itoa(n)
}

// pageOfPost is the thread page that holds post number n.
func (f *Frontend) pageOfPost(n int) int { return (n-1)/f.opts.Forum.PageSize() + 1 }

// newPostItem shows p in lang.
func (f *Frontend) newPostItem(ctx context.Context, p *forum.PostView, lang i18n.Lang) postItem {
	it := postItem{PostView: p, Page: f.pageOfPost(p.Number)}
	if p.Author.AgencyName != nil {
		it.Agency = p.Author.AgencyName.In(lang)
	}
	return it
}

// threadPageNumber reads ?page=: a number from 1, "last", or nothing for
// the first page.
func threadPageNumber(r *http.Request) (int, error) {
	switch s := r.URL.Query().Get("page"); s {
	case "":
		return 1, nil
	case "last":
		return 0, nil
	default:
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1_000_000 {
			return 0, apperr.Field("page", "invalid_input")
		}
		return n, nil
	}
}

func (f *Frontend) thread(w http.ResponseWriter, r *http.Request) {
	f.showThread(w, r, http.StatusOK, nil)
}

// showThread shows a page of a thread; fm is a refused reply or
// moderator's thread form, shown again with its errors.
func (f *Frontend) showThread(w http.ResponseWriter, r *http.Request, status int, fm *form) {
	ctx, u, lang := r.Context(), accounts.UserFrom(r.Context()), i18n.FromContext(r.Context())
	page, err := threadPageNumber(r)
	if fm != nil {
		page, err = 0, nil // a refused reply goes back to the last page
	}
	if err != nil {
		f.fail(w, r, err)
		return
	}
	tv, err := f.opts.Forum.Thread(ctx, u, r.PathValue("id"), page)
	if err != nil {
		f.fail(w, r, err)
		return
	}
	c := f.categoryRow(ctx, tv.Category, lang)
	items := make([]postItem, len(tv.Posts))
	for i, pv := range tv.Posts {
		items[i] = f.newPostItem(ctx, pv, lang)
	}
	v := view{Lang: lang, tz: f.opts.Timezone, Form: fm}
	p := makeThreadPage(&v, tv, c, items, u, f.opts.Forum.PageSize())
	switch {
	case tv.Deleted && !p.Moderator:
	case u == nil:
		p.Reply = "login"
	default:
		p.Reply = "form"
	}
	if p.Moderator {
		if p.Categories, err = f.categoryRows(ctx, lang); err != nil {
			f.fail(w, r, err)
			return
		}
	}
	v.Path, v.Data = p.Path, p
	f.render(w, r, status, "forum_thread", v)
}

// postRedirect sends the browser to a post in its thread: /forum/p/{id}
// is the stable address that notifications and search results link to.
func (f *Frontend) postRedirect(w http.ResponseWriter, r *http.Request) {
	threadID, n, err := f.locatePost(r.Context(), accounts.UserFrom(r.Context()), r.PathValue("id"))
	if err != nil {
		f.fail(w, r, err)
		return
	}
	http.Redirect(w, r, postURL(threadID, n, f.pageOfPost(n)), http.StatusFound)
}

// locatePost returns the thread and number of a post viewer may see: the
// posts of deleted threads exist for moderators only.
func (f *Frontend) locatePost(ctx context.Context, viewer *accounts.User, postID string) (string, int, error) {
	if !id.Valid(postID) {
		return "", 0, forum.ErrPostNotFound
	}
	st := f.opts.Forum.Store()
	p, err := st.Post(ctx, postID)
	if err != nil {
		return "", 0, err
	}
	t, err := st.Thread(ctx, p.ThreadID)
	if errors.Is(err, forum.ErrThreadNotFound) || err == nil && t.Deleted && !isModerator(viewer) {
		return "", 0, forum.ErrPostNotFound
	} else if err != nil {
		return "", 0, err
	}
	return t.ID, p.Number, nil
}

// postView returns a post as viewer sees it, with its thread, through the
// service's thread page that holds it (which applies who may see what).
func (f *Frontend) postView(ctx context.Context, viewer *accounts.User, postID string) (*forum.PostView, *forum.ThreadView, error) {
	threadID, n, err := f.locatePost(ctx, viewer, postID)
	if err != nil {
		return nil, nil, err
	}
	tv, err := f.opts.Forum.Thread(ctx, viewer, threadID, f.pageOfPost(n))
	if err != nil {
		return nil, nil, err
	}
	for _, p := range tv.Posts {
		if p.ID == postID {
			return p, tv, nil
		}
	}
	return nil, nil, forum.ErrPostNotFound
}

func isModerator(u *accounts.User) bool {
	return u != nil && (u.Role == accounts.Moderator || u.Role == accounts.Admin)
}

// At formats t like When.
func (v *view) At(t time.Time) string { return v.When(&t) }

// ISO formats t for a <time datetime> attribute.
func (v *view) ISO(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// PostCount is "n posts" in the page's language.
func (v *view) PostCount(n int) string {
	if n == 1 {
		return v.T("forum.posts_one", n)
	}
	return v.T("forum.posts_other", n)
}

// Reason returns the readable text of a reason code.
func (v *view) Reason(code forum.ReasonCode) string { return v.T("reason." + string(code)) }

// Reasons are the reasons a person may choose, for the select lists.
func (v *view) Reasons() []forum.ReasonCode { return forum.Reasons }

// AllReasons are every reason code, the system's pending_review included,
// for the texts the thread page's script shows.
func (v *view) AllReasons() []forum.ReasonCode {
	return append(slices.Clone(forum.Reasons), forum.ReasonPending)
}

// Zone is the name of the site's time zone.
func (v *view) Zone() string {
	if v.tz == nil {
		return "UTC"
	}
	return v.tz.String()
}

// rowData is what a list row's template gets: the page's view and the
// row's item.
type rowData struct {
	*view
	Item any
}

// Row hands item to a row template.
func (v *view) Row(item any) rowData { return rowData{view: v, Item: item} }

// ReasonSelect describes a select list of the reasons for field name. On
// pages with one such form per row, row makes its ID unique and takes the
// error and value of that row's form only. With prompt, the list starts
// with an empty "choose a reason" entry.
func (v *view) ReasonSelect(name, row string, prompt bool) radios {
	rs := radios{field: v.Field(name, "select", "off", "")}
	if row != "" {
		rs.ID = name + "-" + row
		rs.Error = v.RowError(row, name)
		if v.Form == nil || v.Form.Row != row {
			rs.Value = ""
		}
	}
	if prompt {
		rs.Choices = append(rs.Choices, choice{Label: v.T("flag.choose"), Checked: rs.Value == ""})
	}
	for _, r := range forum.Reasons {
		rs.Choices = append(rs.Choices, choice{Value: string(r), Label: v.Reason(r), Checked: rs.Value == string(r)})
	}
	return rs
}

// RowField is Field for pages with several forms: the input's ID is
// name-row, and it shows the value and error of the posted form only when
// that form was row's (see form.inputID).
func (v *view) RowField(name, typ, row, hint string) field {
	fl := v.Field(name, typ, "off", hint)
	fl.ID = name + "-" + row
	if v.Form == nil || v.Form.Row != row {
		fl.Value, fl.Error = "", ""
	}
	return fl
}
