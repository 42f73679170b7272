package frontend_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/civichub/civichub/accounts"
	"github.com/civichub/civichub/forum"
	"github.com/civichub/civichub/frontend"
	"github.com/civichub/civichub/i18n"
)

// events records what the forum published, standing in for the hub: the
// live updates themselves are tested end to end (cmd/civichub, e2e).
type events struct {
	mu   sync.Mutex
	list []string // "topic type"
}

func (e *events) Publish(_ context.Context, topic, typ string, _ any) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.list = append(e.list, topic+" "+typ)
	return nil
}

func (e *events) Revalidate(context.Context, ...string) error { return nil }

func (e *events) has(topic, typ string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, s := range e.list {
		if s == topic+" "+typ {
			return true
		}
	}
	return false
}

// forumSite is a site with the forum, a category, and people to use it.
type forumSite struct {
	*harness
	category                 *forum.Category
	admin, mod, lan, binh    *client
	adminU, modU, lanU, binU *accounts.User
}

func newForumSite(t *testing.T, pageSize int) *forumSite {
	t.Helper()
	h := newHarness(t, config{forum: true, pageSize: pageSize})
	s := &forumSite{harness: h}
	s.admin, s.adminU = h.as(accounts.Admin)
	s.mod, s.modU = h.as(accounts.Moderator)
	s.lanU = h.user(accounts.Resident, "lan@example.vn", "Nguyễn Thị Lan")
	s.binU = h.user(accounts.Resident, "binh@example.vn", "Trần Văn Bình")
	s.lan, s.binh = h.client(), h.client()
	s.lan.login("lan@example.vn", "password-1")
	s.binh.login("binh@example.vn", "password-1")
	c, err := h.forum.CreateCategory(ctx, s.adminU, forum.NewCategory{
		Name: i18n.Text{VI: "Góp ý xây dựng", EN: "Building feedback"}, Slug: "gop-y"})
	if err != nil {
		t.Fatalf("CreateCategory = %v", err)
	}
	s.category = c
	return s
}

// thread starts a thread as u through the service.
func (s *forumSite) thread(u *accounts.User, title, body string) *forum.ThreadView {
	s.t.Helper()
	tv, err := s.forum.CreateThread(ctx, u, forum.NewThread{CategoryID: s.category.ID, Title: title, Body: body})
	if err != nil {
		s.t.Fatalf("CreateThread(%q) = %v", title, err)
	}
	return tv
}

func (s *forumSite) reply(u *accounts.User, threadID, body string) *forum.PostView {
	s.t.Helper()
	p, err := s.forum.Reply(ctx, u, threadID, body)
	if err != nil {
		s.t.Fatalf("Reply = %v", err)
	}
	return p
}

func TestForumPagesRender(t *testing.T) {
	s := newForumSite(t, 0)
	tv := s.thread(s.lanU, "Đường Nguyễn Huệ ngập nước", "Mưa lớn làm **ngập** đường.")
	p := s.reply(s.binU, tv.ID, "Sở Xây dựng đã tiếp nhận.")
	guest := s.client()
	pages := []struct {
		name, path string
		c          *client
		want       []string
	}{
		{"guest", "/forum", guest, []string{`href="/forum/c/gop-y"`, "forum.intro"}},
		{"guest", "/forum/c/gop-y", guest, []string{"Đường Nguyễn Huệ ngập nước", "forum.login_to_post"}},
		{"guest", "/forum/t/" + tv.ID, guest, []string{"<strong>ngập</strong>", "Sở Xây dựng đã tiếp nhận.", "forum.login_to_reply",
			`data-thread="` + tv.ID + `"`, `id="post-2"`}},
		{"guest", "/search", guest, []string{`name="q"`}},
		{"guest", "/search?q=ngap+nuoc", guest, []string{"Đường Nguyễn Huệ ngập nước"}},
		{"resident", "/forum/t/" + tv.ID, s.lan, []string{`action="/forum/t/` + tv.ID + `/reply"`, "forum.unfollow", `href="/forum/p/` + p.ID + `/flag"`}},
		{"resident", "/forum/c/gop-y/new", s.lan, []string{`name="subject"`, `name="body"`}},
		{"resident", "/forum/p/" + p.ID + "/flag", s.lan, []string{`name="reason"`, "reason.spam"}},
		{"resident", "/forum/p/" + tv.Posts[0].ID + "/edit", s.lan, []string{"Mưa lớn làm **ngập** đường."}},
		{"resident", "/notifications", s.lan, []string{"notifications.title", "Trần Văn Bình"}},
		{"moderator", "/forum/t/" + tv.ID, s.mod, []string{`action="/mod/t/` + tv.ID + `"`, `href="/mod/p/` + p.ID + `"`}},
		{"moderator", "/mod", s.mod, []string{"mod.queue_empty"}},
		{"moderator", "/mod/p/" + p.ID, s.mod, []string{`action="/mod/p/` + p.ID + `/hide"`, "mod.no_history"}},
		{"moderator", "/mod/users/" + s.binU.ID, s.mod, []string{"Trần Văn Bình", `name="until"`}},
		{"moderator", "/mod/words", s.mod, []string{`name="word"`}},
		{"moderator", "/mod/audit", s.mod, []string{"audit.category.create"}},
		{"admin", "/admin/categories", s.admin, []string{"gop-y", `name="name_vi"`}},
	}
	for _, lang := range []i18n.Lang{i18n.VI, i18n.EN} {
		for _, pg := range pages {
			t.Run(string(lang)+" "+pg.name+" "+pg.path, func(t *testing.T) {
				pg.c.acceptLanguage = string(lang)
				defer func() { pg.c.acceptLanguage = "" }()
				r := pg.c.get(pg.path)
				want := make([]string, len(pg.want))
				for i, w := range pg.want {
					if frontend.HasText(w) {
						w = esc(frontend.Text(lang, w))
					}
					want[i] = w
				}
				expect(t, "GET "+pg.path, r, http.StatusOK, want...)
				checkPage(t, "GET "+pg.path, r, lang)
			})
		}
	}
}

// postBodies returns the thread page shows of its posts' texts.
var postBodyRE = regexp.MustCompile(`(?s)<div class="post-body" data-field="body">(.*?)</div>\s*(?:<ul class="post-actions">|</article>)`)

func postBodies(body string) []string {
	body, _, _ = strings.Cut(body, `<template id="post-template">`)
	var out []string
	for _, m := range postBodyRE.FindAllStringSubmatch(body, -1) {
		out = append(out, strings.TrimSpace(m[1]))
	}
	return out
}

func TestReplyWithoutJavaScript(t *testing.T) {
	s := newForumSite(t, 2)
	tv := s.thread(s.lanU, "Đèn đường hỏng", "Đèn đường ở phường 3 hỏng đã một tuần.")
	path := "/forum/t/" + tv.ID

	r := s.binh.post(path+"/reply", url.Values{"body": {"   "}})
	expect(t, "POST empty reply", r, http.StatusBadRequest, `id="body-reply-error"`, `href="#body-reply"`,
		esc(i18n.T(i18n.VI, "required")), esc(frontend.Text(i18n.VI, "form.problem")))
	checkPage(t, "POST empty reply", r, i18n.VI)
	if got, _ := s.forum.Thread(ctx, nil, tv.ID, 1); got.PostCount != 1 {
		t.Fatalf("PostCount after a refused reply = %d, want 1", got.PostCount)
	}

	r = s.binh.post(path+"/reply", url.Values{"body": {"Sở Xây dựng đã **ghi nhận**."}})
	if r.status != http.StatusSeeOther || r.location() != path+"#post-2" {
		t.Fatalf("POST reply = %d to %q, want 303 to %s#post-2", r.status, r.location(), path)
	}
	r = s.binh.post(path+"/reply", url.Values{"body": {"Đã sửa xong."}})
	if want := path + "?page=2#post-3"; r.status != http.StatusSeeOther || r.location() != want {
		t.Fatalf("POST third reply = %d to %q, want 303 to %s", r.status, r.location(), want)
	}
	r = s.binh.get(path + "?page=2")
	expect(t, "GET page 2", r, http.StatusOK, `id="post-3"`, "Đã sửa xong.", esc(frontend.Text(i18n.VI, "notice.replied")),
		`data-page="2" data-pages="2"`)
	if strings.Contains(r.body, `id="post-1"`) {
		t.Errorf("page 2 shows post 1")
	}
	expect(t, "GET page 1", s.binh.get(path), http.StatusOK, "<strong>ghi nhận</strong>", `href="`+path+`?page=2"`)
	expect(t, "GET page=last", s.binh.get(path+"?page=last"), http.StatusOK, `id="post-3"`)
	expect(t, "GET page=x", s.binh.get(path+"?page=x"), http.StatusBadRequest)
	if !s.events.has("thread:"+tv.ID, "post.created") {
		t.Errorf("no post.created event published")
	}

	guest := s.client()
	if r := guest.post(path+"/reply", url.Values{"body": {"Khách"}}); r.status != http.StatusSeeOther || !strings.HasPrefix(r.location(), "/login") {
		t.Errorf("POST reply as guest = %d to %q, want 303 to the login page", r.status, r.location())
	}
}

func TestNewThreadAndEditWithoutJavaScript(t *testing.T) {
	s := newForumSite(t, 0)
	r := s.lan.post("/forum/c/gop-y/new", url.Values{"subject": {"ab"}, "body": {""}})
	expect(t, "POST bad thread", r, http.StatusBadRequest, `id="f-subject-error"`, `id="f-body-error"`,
		esc(i18n.T(i18n.VI, "title_too_short")), esc(i18n.T(i18n.VI, "required")))
	checkPage(t, "POST bad thread", r, i18n.VI)

	r = s.lan.post("/forum/c/gop-y/new", url.Values{"subject": {"Cấp phép xây dựng nhà ở"}, "body": {"Thủ tục mất bao lâu?"}})
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.location(), "/forum/t/") {
		t.Fatalf("POST new thread = %d to %q", r.status, r.location())
	}
	threadPath := r.location()
	r = s.lan.get(threadPath)
	expect(t, "GET new thread", r, http.StatusOK, "Cấp phép xây dựng nhà ở", "Thủ tục mất bao lâu?",
		esc(frontend.Text(i18n.VI, "notice.thread_created")), esc(frontend.Text(i18n.VI, "forum.unfollow")))
	postID := regexp.MustCompile(`data-post="([0-9a-z]{26})"`).FindStringSubmatch(r.body)[1]

	expect(t, "GET edit as another", s.binh.get("/forum/p/"+postID+"/edit"), http.StatusForbidden)
	if r := s.binh.post("/forum/p/"+postID+"/edit", url.Values{"body": {"Của tôi"}}); r.status != http.StatusForbidden {
		t.Errorf("POST edit as another = %d, want 403", r.status)
	}
	r = s.lan.post("/forum/p/"+postID+"/edit", url.Values{"body": {"Thủ tục mất bao lâu? (bổ sung: nhà 3 tầng)"}})
	if r.status != http.StatusSeeOther || r.location() != threadPath+"#post-1" {
		t.Fatalf("POST edit = %d to %q, want 303 to %s#post-1", r.status, r.location(), threadPath)
	}
	expect(t, "GET edited thread", s.binh.get(threadPath), http.StatusOK, "nhà 3 tầng", esc(frontend.Text(i18n.VI, "post.edited")))
	expect(t, "GET history", s.mod.get("/mod/p/"+postID), http.StatusOK, "Thủ tục mất bao lâu?</pre>", "Nguyễn Thị Lan")

	// Follow and unfollow are buttons.
	r = s.lan.post(threadPath+"/follow", url.Values{"follow": {"off"}, "back": {threadPath}})
	if r.status != http.StatusSeeOther || r.location() != threadPath {
		t.Fatalf("POST unfollow = %d to %q", r.status, r.location())
	}
	expect(t, "GET after unfollow", s.lan.get(threadPath), http.StatusOK, esc(frontend.Text(i18n.VI, "forum.follow")),
		esc(frontend.Text(i18n.VI, "notice.unfollowed")))
}

func TestFlagWithoutJavaScript(t *testing.T) {
	s := newForumSite(t, 0)
	tv := s.thread(s.lanU, "Chợ tạm lấn chiếm lòng đường", "Buổi sáng xe không đi được.")
	spam := s.reply(s.lanU, tv.ID, "Mua đất giá rẻ, gọi ngay!")
	flagPath := "/forum/p/" + spam.ID + "/flag"

	r := s.binh.post(flagPath, url.Values{"reason": {""}, "note": {""}})
	expect(t, "POST flag without reason", r, http.StatusBadRequest, `id="f-reason-error"`, esc(i18n.T(i18n.VI, "invalid_choice")))
	checkPage(t, "POST flag without reason", r, i18n.VI)
	r = s.binh.post(flagPath, url.Values{"reason": {"spam"}, "note": {"Quảng cáo bất động sản"}})
	if want := "/forum/t/" + tv.ID + "#post-2"; r.status != http.StatusSeeOther || r.location() != want {
		t.Fatalf("POST flag = %d to %q, want 303 to %s", r.status, r.location(), want)
	}
	expect(t, "POST flag twice", s.binh.post(flagPath, url.Values{"reason": {"spam"}}), http.StatusConflict,
		esc(i18n.T(i18n.VI, "already_flagged")))
	expect(t, "POST flag own post", s.lan.post(flagPath, url.Values{"reason": {"spam"}}), http.StatusBadRequest,
		esc(i18n.T(i18n.VI, "flag_own_post")))

	// A second user's flag reaches the threshold: the post waits for review.
	s.mod.post(flagPath, url.Values{"reason": {"spam"}})
	r = s.client().get("/forum/t/" + tv.ID)
	expect(t, "GET thread with a post in review", r, http.StatusOK,
		esc(frontend.Text(i18n.VI, "post.hidden")+" "+frontend.Text(i18n.VI, "reason.pending_review")))
	if strings.Contains(r.body, "Mua đất giá rẻ") {
		t.Errorf("a guest sees the text of a post in review")
	}
	r = s.mod.get("/mod")
	expect(t, "GET /mod", r, http.StatusOK, `data-queue-item="`+spam.ID+`"`, "Mua đất giá rẻ", "Quảng cáo bất động sản",
		esc(frontend.Text(i18n.VI, "reason.spam")), "Trần Văn Bình")
	checkPage(t, "GET /mod", r, i18n.VI)
	r = s.mod.get("/mod/queue/items/" + spam.ID)
	expect(t, "GET queue item", r, http.StatusOK, `data-queue-item="`+spam.ID+`"`, `action="/mod/p/`+spam.ID+`/hide"`)
	if strings.Contains(r.body, "<html") {
		t.Errorf("the queue item is a whole page")
	}
	if r := s.mod.get("/mod/queue/items/" + tv.Posts[0].ID); r.status != http.StatusNotFound {
		t.Errorf("GET queue item of a post not in review = %d, want 404", r.status)
	}
}

func TestModeratorHidesThroughForms(t *testing.T) {
	s := newForumSite(t, 0)
	tv := s.thread(s.lanU, "Rác thải ở kênh Nhiêu Lộc", "Cần nạo vét.")
	rude := s.reply(s.binU, tv.ID, "Lời lẽ thô tục ở đây")
	modPath := "/mod/p/" + rude.ID

	r := s.mod.post(modPath+"/hide", url.Values{"reason": {"bogus"}})
	expect(t, "POST hide with a bad reason", r, http.StatusBadRequest, `id="reason-hide-error"`, `href="#reason-hide"`)
	checkPage(t, "POST hide with a bad reason", r, i18n.VI)

	r = s.mod.post(modPath+"/hide", url.Values{"reason": {"abuse"}, "note": {"Ngôn từ xúc phạm"}, "back": {"/forum/t/" + tv.ID}})
	if r.status != http.StatusSeeOther || r.location() != "/forum/t/"+tv.ID {
		t.Fatalf("POST hide = %d to %q", r.status, r.location())
	}
	reason := esc(frontend.Text(i18n.VI, "post.hidden") + " " + frontend.Text(i18n.VI, "reason.abuse"))
	r = s.client().get("/forum/t/" + tv.ID)
	expect(t, "GET thread as guest", r, http.StatusOK, reason)
	if strings.Contains(r.body, "thô tục") {
		t.Errorf("a guest sees the hidden post's text")
	}
	expect(t, "GET thread as moderator", s.mod.get("/forum/t/"+tv.ID), http.StatusOK, reason, "thô tục")
	if !s.events.has("thread:"+tv.ID, "post.hidden") {
		t.Errorf("no post.hidden event")
	}
	r = s.mod.get("/mod/audit")
	expect(t, "GET audit", r, http.StatusOK, esc(frontend.Text(i18n.VI, "audit.post.hide")), esc(frontend.Text(i18n.VI, "reason.abuse")),
		`href="`+modPath+`"`)
	checkPage(t, "GET audit", r, i18n.VI)

	r = s.mod.post(modPath+"/restore", url.Values{"note": {"Đã xem lại"}})
	if r.status != http.StatusSeeOther || r.location() != modPath {
		t.Fatalf("POST restore = %d to %q", r.status, r.location())
	}
	expect(t, "GET thread after restore", s.client().get("/forum/t/"+tv.ID), http.StatusOK, "thô tục")

	r = s.mod.post(modPath+"/delete", url.Values{})
	if r.status != http.StatusSeeOther {
		t.Fatalf("POST delete = %d", r.status)
	}
	r = s.client().get("/forum/t/" + tv.ID)
	expect(t, "GET thread after delete", r, http.StatusOK, esc(frontend.Text(i18n.VI, "post.deleted")))
	if strings.Contains(r.body, "thô tục") || strings.Contains(r.body, "Trần Văn Bình") {
		t.Errorf("a guest sees the deleted post or its author")
	}
	if r := s.mod.post(modPath+"/bogus", url.Values{}); r.status != http.StatusNotFound {
		t.Errorf("POST bogus action = %d, want 404", r.status)
	}
}

func TestThreadActionsThroughForms(t *testing.T) {
	s := newForumSite(t, 0)
	other, err := s.forum.CreateCategory(ctx, s.adminU, forum.NewCategory{Name: i18n.Text{VI: "Giao thông"}, Slug: "giao-thong"})
	if err != nil {
		t.Fatal(err)
	}
	tv := s.thread(s.lanU, "Kẹt xe cầu Sài Gòn", "Giờ cao điểm kẹt xe.")
	path := "/forum/t/" + tv.ID
	for _, action := range []string{"lock", "pin"} {
		r := s.mod.post("/mod/t/"+tv.ID, url.Values{"action": {action}, "note": {"Đã trả lời đầy đủ"}})
		if r.status != http.StatusSeeOther || r.location() != path {
			t.Fatalf("POST %s = %d to %q", action, r.status, r.location())
		}
	}
	r := s.lan.get(path)
	expect(t, "GET locked thread", r, http.StatusOK, `data-locked-note>`, `data-reply hidden>`, `data-badge="pinned">`)
	expect(t, "POST reply to a locked thread", s.lan.post(path+"/reply", url.Values{"body": {"Còn nữa"}}), http.StatusForbidden,
		esc(i18n.T(i18n.VI, "thread_locked")))
	expect(t, "GET locked thread as moderator", s.mod.get(path), http.StatusOK, `data-reply>`, `value="unlock"`, `value="unpin"`)

	r = s.mod.post("/mod/t/"+tv.ID, url.Values{"action": {"move"}, "category_id": {other.ID}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("POST move = %d", r.status)
	}
	expect(t, "GET moved thread", s.lan.get(path), http.StatusOK, `href="/forum/c/giao-thong"`)
	r = s.mod.post("/mod/t/"+tv.ID, url.Values{"action": {"move"}, "category_id": {"nope"}})
	expect(t, "POST move to nowhere", r, http.StatusBadRequest, `id="category_id-thread-error"`)
	expect(t, "POST bogus action", s.mod.post("/mod/t/"+tv.ID, url.Values{"action": {"explode"}}), http.StatusBadRequest)

	s.mod.post("/mod/t/"+tv.ID, url.Values{"action": {"delete"}})
	expect(t, "GET deleted thread as resident", s.lan.get(path), http.StatusNotFound)
	expect(t, "GET deleted thread as moderator", s.mod.get(path), http.StatusOK, `data-badge="deleted">`, `value="undelete"`)
	for _, ev := range []string{"thread.updated"} {
		if !s.events.has("thread:"+tv.ID, ev) {
			t.Errorf("no %s event", ev)
		}
	}
}

func TestModerationPagesRefuseOthers(t *testing.T) {
	s := newForumSite(t, 0)
	tv := s.thread(s.lanU, "Cây xanh gãy đổ", "Cây đổ chắn đường.")
	p := tv.Posts[0]
	w, err := s.forum.PutWord(ctx, s.modU, forum.WatchedWord{Word: "cấm", Action: forum.WordBlock})
	if err != nil {
		t.Fatal(err)
	}
	gets := []string{"/mod", "/mod/p/" + p.ID, "/mod/users/" + s.binU.ID, "/mod/words", "/mod/audit", "/mod/queue/items/" + p.ID}
	posts := []string{"/mod/p/" + p.ID + "/hide", "/mod/p/" + p.ID + "/delete", "/mod/t/" + tv.ID,
		"/mod/users/" + s.binU.ID + "/suspension", "/mod/words", "/mod/words/" + w.ID + "/delete"}
	form := url.Values{"reason": {"spam"}, "action": {"lock"}, "mode": {"ban"}, "word": {"xấu"}}
	guest := s.client()
	for _, path := range gets {
		r := s.binh.get(path)
		expect(t, "GET "+path+" as resident", r, http.StatusForbidden, esc(frontend.Text(i18n.VI, "error.forbidden")))
		checkPage(t, "GET "+path+" as resident", r, i18n.VI)
		if r := guest.get(path); r.status != http.StatusSeeOther || r.location() != "/login?next="+url.QueryEscape(path) {
			t.Errorf("GET %s as guest = %d to %q, want 303 to the login page", path, r.status, r.location())
		}
	}
	for _, path := range posts {
		expect(t, "POST "+path+" as resident", s.binh.post(path, form), http.StatusForbidden)
	}
	for _, c := range []*client{s.binh, s.mod} {
		expect(t, "GET /admin/categories", c.get("/admin/categories"), http.StatusForbidden)
		expect(t, "POST /admin/categories", c.post("/admin/categories", url.Values{"name_vi": {"X"}, "slug": {"x-y"}}), http.StatusForbidden)
	}
	got, _ := s.forum.Thread(ctx, s.modU, tv.ID, 1)
	if got.Locked || got.Posts[0].Hidden || got.Posts[0].Deleted {
		t.Errorf("refused posts changed the thread: %+v", got.Thread)
	}
	if ws, _ := s.forum.Words(ctx, s.modU); len(ws) != 1 {
		t.Errorf("refused posts changed the watched words: %d words", len(ws))
	}
	if r := s.binh.get("/forum"); strings.Contains(r.body, `href="/mod"`) {
		t.Errorf("a resident's navigation links to the moderation dashboard")
	}
	if r := s.mod.get("/forum"); !strings.Contains(r.body, `href="/mod"`) {
		t.Errorf("a moderator's navigation has no link to the moderation dashboard")
	}
}

func TestPostBodyIsTheOnlyHTML(t *testing.T) {
	s := newForumSite(t, 0)
	evil := s.h().user(accounts.Resident, "evil@example.vn", `<i>Kẻ</i> "xấu"`)
	body := "Xin chào <script>alert(1)</script> <img src=x onerror=alert(2)> **đậm** [x](javascript:alert(3)) <b onclick=alert(4)>b</b>"
	tv := s.thread(evil, `<b>Tiêu đề</b> & <script>alert(5)</script>`, body)
	s.reply(evil, tv.ID, "Trả lời <iframe src=//evil.example></iframe> <a href=\"https://example.com\" onmouseover=alert(6)>x</a> có [liên kết](https://example.com)")
	for _, c := range []*client{s.client(), s.lan, s.mod} {
		r := c.get("/forum/t/" + tv.ID)
		expect(t, "GET thread", r, http.StatusOK, "&lt;b&gt;Tiêu đề&lt;/b&gt; &amp; &lt;script&gt;alert(5)&lt;/script&gt;",
			"&lt;i&gt;Kẻ&lt;/i&gt; &#34;xấu&#34;", "<strong>đậm</strong>", `rel="nofollow ugc noopener"`)
		checkPage(t, "GET thread", r, i18n.VI)
		for _, bad := range []string{"<script>alert", "onerror", "onclick", "onmouseover", "<iframe", "<b>Tiêu đề", "<i>Kẻ"} {
			if strings.Contains(r.body, bad) {
				t.Errorf("the thread page contains %q", bad)
			}
		}
		bodies := postBodies(r.body)
		if len(bodies) != 2 || !strings.Contains(bodies[0], "<strong>đậm</strong>") {
			t.Errorf("post bodies = %q", bodies)
		}
	}
	r := s.client().get("/search?q=xin+chao")
	expect(t, "GET search", r, http.StatusOK, "&lt;b&gt;Tiêu đề&lt;/b&gt;")
	for _, bad := range []string{"<script>alert", "onerror", "<strong>", "<b>"} {
		if strings.Contains(r.body, bad) {
			t.Errorf("the search page contains %q", bad)
		}
	}
	expect(t, "GET category", s.client().get("/forum/c/gop-y"), http.StatusOK, "&lt;b&gt;Tiêu đề&lt;/b&gt;")
}

func (s *forumSite) h() *harness { return s.harness }

func TestThreadListPagination(t *testing.T) {
	s := newForumSite(t, 0)
	var ids []string
	for i := range 32 {
		tv := s.thread(s.lanU, "Chủ đề số "+strconv.Itoa(i), "Nội dung")
		ids = append(ids, tv.ID)
	}
	if _, err := s.forum.ChangeThread(ctx, s.modU, ids[0], forum.ThreadChange{Pinned: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	r := s.client().get("/forum/c/gop-y")
	expect(t, "GET first page", r, http.StatusOK, esc(frontend.Text(i18n.VI, "forum.older")), esc(frontend.Text(i18n.VI, "forum.oldest")),
		`href="/forum/c/gop-y?page=last"`)
	checkPage(t, "GET first page", r, i18n.VI)
	expect(t, "GET first page", r, http.StatusOK, `<span class="meta">1 bài viết</span>`)
	en := s.client()
	en.acceptLanguage = "en"
	expect(t, "GET first page in en", en.get("/forum/c/gop-y"), http.StatusOK, `<span class="meta">1 post</span>`)
	order := regexp.MustCompile(`href="/forum/t/([0-9a-z]{26})"`).FindAllStringSubmatch(r.body, -1)
	if len(order) != 31 || order[0][1] != ids[0] || order[1][1] != ids[31] {
		t.Fatalf("first page lists %d threads, first %v, want 31 with the pinned one first then the newest", len(order), order[:2])
	}
	next := regexp.MustCompile(`href="(/forum/c/gop-y\?cursor=[^"]+)" rel="next"`).FindStringSubmatch(r.body)
	if next == nil {
		t.Fatalf("no link to older threads")
	}
	r = s.client().get(strings.ReplaceAll(next[1], "&amp;", "&"))
	older := regexp.MustCompile(`href="/forum/t/([0-9a-z]{26})"`).FindAllStringSubmatch(r.body, -1)
	if len(older) != 1 || older[0][1] != ids[1] {
		t.Errorf("older page = %v, want only the oldest unpinned thread", older)
	}
	r = s.client().get("/forum/c/gop-y?page=last")
	expect(t, "GET last page", r, http.StatusOK, "/forum/t/"+ids[1], esc(frontend.Text(i18n.VI, "forum.newest")))
	if strings.Contains(r.body, "/forum/t/"+ids[0]+`"`) {
		t.Errorf("the last page lists the pinned thread")
	}
	expect(t, "GET bad cursor", s.client().get("/forum/c/gop-y?cursor=!!"), http.StatusBadRequest)
	expect(t, "GET by id", s.client().get("/forum/c/"+s.category.ID), http.StatusOK, "Chủ đề số 31")
	expect(t, "GET unknown category", s.client().get("/forum/c/khong-co"), http.StatusNotFound)
}

func ptr[T any](v T) *T { return &v }

func TestSearchPage(t *testing.T) {
	s := newForumSite(t, 0)
	tv := s.thread(s.lanU, "Ý kiến gửi Sở Xây dựng", "Về quy hoạch Đà Nẵng.")
	p := s.reply(s.binU, tv.ID, "Sở Xây dựng trả lời ở đây.")
	tests := []struct {
		name, q string
		status  int
		want    []string
	}{
		{"without diacritics", "so xay dung", http.StatusOK, []string{`href="/forum/t/` + tv.ID + `"`, `href="/forum/p/` + p.ID + `"`,
			esc(frontend.Text(i18n.VI, "search.kind_thread")), esc(frontend.Text(i18n.VI, "search.kind_post"))}},
		{"đ folds to d", "da nang", http.StatusOK, []string{`href="/forum/p/` + tv.Posts[0].ID + `"`}},
		{"nothing", "khongcogi", http.StatusOK, []string{esc(frontend.Text(i18n.VI, "search.none"))}},
		{"empty", "  ", http.StatusBadRequest, []string{`id="f-q-error"`, esc(i18n.T(i18n.VI, "query_empty"))}},
		{"too long", strings.Repeat("dai ", 60), http.StatusBadRequest, []string{`id="f-q-error"`, esc(i18n.T(i18n.VI, "query_too_long"))}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := s.client().get("/search?q=" + url.QueryEscape(tc.q))
			expect(t, "GET /search?q="+tc.q, r, tc.status, tc.want...)
			checkPage(t, "GET /search", r, i18n.VI)
		})
	}
	expect(t, "GET bad cursor", s.client().get("/search?q=so&cursor=!!"), http.StatusBadRequest, esc(i18n.T(i18n.VI, "invalid_cursor")))
	r := s.client().get("/search")
	expect(t, "GET /search", r, http.StatusOK)
	if strings.Contains(r.body, "field-error") {
		t.Errorf("the empty search page shows an error")
	}
}

func TestNotificationsPageAndBadge(t *testing.T) {
	s := newForumSite(t, 0)
	tv := s.thread(s.lanU, "Xin cấp nước sạch", "Khu phố 4 chưa có nước máy.")
	r := s.lan.get("/forum")
	expect(t, "GET with nothing unread", r, http.StatusOK, `data-user-topic="user:`+s.lanU.ID+`"`, `data-unread hidden>`)
	s.reply(s.binU, tv.ID, "Tôi cũng vậy.")
	s.reply(s.binU, tv.ID, "Đã gửi đơn.")
	r = s.lan.get("/forum")
	expect(t, "GET with unread", r, http.StatusOK, `<span class="unread" data-unread><span data-unread-count>2</span>`)
	r = s.lan.get("/notifications")
	expect(t, "GET /notifications", r, http.StatusOK, esc(frontend.Text(i18n.VI, "notifications.unread_count", 2)),
		esc(frontend.Text(i18n.VI, "notifications.reply_in", "Trần Văn Bình", "Xin cấp nước sạch")))
	checkPage(t, "GET /notifications", r, i18n.VI)
	r = s.lan.post("/notifications/read", nil)
	if r.status != http.StatusSeeOther || r.location() != "/notifications" {
		t.Fatalf("POST /notifications/read = %d to %q", r.status, r.location())
	}
	expect(t, "GET after mark read", s.lan.get("/notifications"), http.StatusOK, `data-unread hidden>`,
		esc(frontend.Text(i18n.VI, "notice.marked_read")))
	if !s.events.has("user:"+s.lanU.ID, "notification.read") {
		t.Errorf("no notification.read event")
	}
	if r := s.client().get("/notifications"); r.status != http.StatusSeeOther || !strings.HasPrefix(r.location(), "/login") {
		t.Errorf("GET /notifications as guest = %d to %q", r.status, r.location())
	}
	if r := s.client().get("/forum"); strings.Contains(r.body, "data-user-topic") {
		t.Errorf("a guest's page has a notifications badge")
	}
}

func TestAdminCreatesCategoryThroughForm(t *testing.T) {
	s := newForumSite(t, 0)
	a := s.agency("so-xay-dung", "Sở Xây dựng", "Department of Construction")
	r := s.admin.post("/admin/categories", url.Values{"name_vi": {""}, "slug": {"Sai Slug"}})
	expect(t, "POST bad category", r, http.StatusBadRequest, `id="f-name_vi-error"`, `id="f-slug-error"`,
		esc(i18n.T(i18n.VI, "required")), esc(i18n.T(i18n.VI, "slug_invalid")))
	checkPage(t, "POST bad category", r, i18n.VI)
	expect(t, "POST taken slug", s.admin.post("/admin/categories", url.Values{"name_vi": {"Góp ý"}, "slug": {"gop-y"}}),
		http.StatusConflict, `id="f-slug-error"`)
	r = s.admin.post("/admin/categories", url.Values{"name_vi": {"Hỏi đáp xây dựng"}, "name_en": {"Construction Q&A"},
		"slug": {"hoi-dap-xay-dung"}, "agency_id": {a.ID}})
	if r.status != http.StatusSeeOther || r.location() != "/admin/categories" {
		t.Fatalf("POST category = %d to %q", r.status, r.location())
	}
	expect(t, "GET /admin/categories", s.admin.get("/admin/categories"), http.StatusOK, "Hỏi đáp xây dựng", "Sở Xây dựng",
		esc(frontend.Text(i18n.VI, "notice.category_created")))
	guest := s.client()
	guest.acceptLanguage = "en"
	expect(t, "GET /forum in en", guest.get("/forum"), http.StatusOK, "Construction Q&amp;A", "Department of Construction")
}

func TestStaffPostsSpeakForTheirAgency(t *testing.T) {
	s := newForumSite(t, 0)
	a := s.agency("so-xay-dung", "Sở Xây dựng", "Department of Construction")
	staff := s.user(accounts.Resident, "canbo@example.vn", "Lê Văn Cán Bộ")
	if _, err := s.svc.AddStaff(ctx, accounts.System, a.ID, staff.ID, "Chuyên viên Phòng Quản lý xây dựng"); err != nil {
		t.Fatal(err)
	}
	tv := s.thread(s.lanU, "Giấy phép sửa nhà", "Cần giấy phép không?")
	s.reply(staff, tv.ID, "Nhà dưới 3 tầng không cần giấy phép.")
	r := s.client().get("/forum/t/" + tv.ID)
	expect(t, "GET thread", r, http.StatusOK, `class="post post-official" id="post-2"`, "Sở Xây dựng",
		"Chuyên viên Phòng Quản lý xây dựng", esc(frontend.Text(i18n.VI, "post.official")))
	if strings.Contains(r.body, `class="post post-official" id="post-1"`) {
		t.Errorf("the resident's post is shown as official")
	}
}

func TestSuspendAndWatchedWordsThroughForms(t *testing.T) {
	s := newForumSite(t, 0)
	path := "/mod/users/" + s.binU.ID + "/suspension"
	r := s.mod.post(path, url.Values{"mode": {"suspend"}, "until": {""}, "reason": {"Spam"}})
	expect(t, "POST suspension without a time", r, http.StatusBadRequest, `id="f-until-error"`)
	checkPage(t, "POST suspension without a time", r, i18n.VI)
	expect(t, "POST suspension without a reason", s.mod.post(path, url.Values{"mode": {"ban"}, "reason": {" "}}),
		http.StatusBadRequest, `id="f-reason-error"`)
	expect(t, "POST suspension in the past", s.mod.post(path, url.Values{"mode": {"suspend"}, "until": {"2001-01-01T08:00"}, "reason": {"x"}}),
		http.StatusBadRequest, `id="f-until-error"`, esc(i18n.T(i18n.VI, "until_in_past")))
	expect(t, "POST suspension of a moderator", s.mod.post("/mod/users/"+s.adminU.ID+"/suspension", url.Values{"mode": {"ban"}, "reason": {"x"}}),
		http.StatusForbidden)

	r = s.mod.post(path, url.Values{"mode": {"suspend"}, "until": {"2099-06-30T17:00"}, "reason": {"Đăng quảng cáo"}})
	if r.status != http.StatusSeeOther || r.location() != "/mod/users/"+s.binU.ID {
		t.Fatalf("POST suspension = %d to %q", r.status, r.location())
	}
	expect(t, "GET user", s.mod.get("/mod/users/"+s.binU.ID), http.StatusOK, "17:00 30/06/2099", esc(frontend.Text(i18n.VI, "notice.user_suspended")))
	if r := s.binh.get("/notifications"); r.status != http.StatusSeeOther {
		t.Errorf("a suspended user's session still works: GET /notifications = %d", r.status)
	}
	expect(t, "GET audit", s.mod.get("/mod/audit"), http.StatusOK, esc(frontend.Text(i18n.VI, "audit.user.suspend")), "Đăng quảng cáo")

	r = s.mod.post("/mod/words", url.Values{"word": {"lừa đảo"}, "action": {"block"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("POST word = %d", r.status)
	}
	r = s.mod.get("/mod/words")
	expect(t, "GET words", r, http.StatusOK, "lừa đảo", esc(frontend.Text(i18n.VI, "choice.action.block")))
	checkPage(t, "GET words", r, i18n.VI)
	expect(t, "POST replace without replacement", s.mod.post("/mod/words", url.Values{"word": {"xấu"}, "action": {"replace"}}),
		http.StatusBadRequest, `id="f-replacement-error"`)
	tv := s.thread(s.lanU, "Cảnh báo", "Nội dung")
	expect(t, "POST blocked reply", s.lan.post("/forum/t/"+tv.ID+"/reply", url.Values{"body": {"Coi chừng lua dao"}}),
		http.StatusBadRequest, esc(i18n.T(i18n.VI, "blocked_word")))
	ws, _ := s.forum.Words(ctx, s.modU)
	if r := s.mod.post("/mod/words/"+ws[0].ID+"/delete", nil); r.status != http.StatusSeeOther {
		t.Fatalf("POST delete word = %d", r.status)
	}
	if r := s.mod.get("/mod/words"); strings.Contains(r.body, "lừa đảo") {
		t.Errorf("the deleted word is still listed")
	}
}

func TestForumTexts(t *testing.T) {
	for key := range frontend.ForumTexts {
		if _, ok := frontend.PageTexts[key]; ok {
			t.Errorf("text %q is defined twice", key)
		}
	}
	// Keys that Go code passes to view.T, which TestEveryKeyHasText does
	// not look for.
	files, _ := filepath.Glob("*.go")
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile(`\.T\("([a-z_.]+)"[,)]`).FindAllStringSubmatch(string(b), -1) {
			if !frontend.HasText(m[1]) && !i18n.Has(m[1]) {
				t.Errorf("%s uses key %q, which has no text", name, m[1])
			}
		}
	}
	codes := append(slices.Clone(forum.Reasons), forum.ReasonPending)
	for _, code := range codes {
		for _, lang := range i18n.Langs {
			if got := frontend.Text(lang, "reason."+string(code)); got == "" || got == "reason."+string(code) {
				t.Errorf("reason %s has no text in %s", code, lang)
			}
		}
	}
}
