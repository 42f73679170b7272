package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/civichub/civichub/sqlitestore"
)

type threadBody struct {
	ID        string     `json:"id"`
	Title     string     `json:"title"`
	Locked    bool       `json:"locked"`
	PostCount int        `json:"post_count"`
	Page      int        `json:"page"`
	Pages     int        `json:"pages"`
	Following bool       `json:"following"`
	Posts     []postBody `json:"posts"`
}

type postBody struct {
	ID           string `json:"id"`
	Number       int    `json:"number"`
	Body         string `json:"body"`
	BodyHTML     string `json:"body_html"`
	Edited       bool   `json:"edited"`
	Hidden       bool   `json:"hidden"`
	HiddenReason string `json:"hidden_reason"`
	Author       struct {
		ID, Name string
		Title    string `json:"title"`
	} `json:"author"`
}

// forumSetup starts a server with an admin, a moderator, two residents and
// a category.
type forumSetup struct {
	srv                   *testServer
	env                   map[string]string
	admin, mod, lan, binh *client
	lanID, binhID         string
	category              string
}

func newForum(t *testing.T, extra map[string]string) *forumSetup {
	t.Helper()
	env := testEnv(t, map[string]string{"CIVICHUB_RATE_POST": "off", "CIVICHUB_RATE_POST_NEW": "off"})
	for k, v := range extra {
		env[k] = v
	}
	f := &forumSetup{srv: startServer(t, env), env: env}
	f.admin = loginAdmin(t, env, f.srv)
	adminCmd(t, env, "create-user", "--email", "mod@example.vn", "--password", "moderator password", "--name", "Kiểm Duyệt", "--role", "moderator")
	f.mod = newClient(t, f.srv.URL)
	if res := f.mod.do("POST", "/api/v1/auth/login", map[string]string{"email": "mod@example.vn", "password": "moderator password"}); res.Status != 200 {
		t.Fatalf("moderator login = %d", res.Status)
	}
	f.lan, f.binh = newClient(t, f.srv.URL), newClient(t, f.srv.URL)
	f.lanID = register(t, f.lan, "lan@example.vn", "Nguyễn Thị Lan").ID
	f.binhID = register(t, f.binh, "binh@example.vn", "Trần Văn Bình").ID
	res := f.admin.do("POST", "/api/v1/categories", map[string]any{"name": map[string]string{"vi": "Góp ý", "en": "Feedback"}, "slug": "gop-y", "agency_id": nil})
	if res.Status != http.StatusCreated {
		t.Fatalf("create category = %d %s", res.Status, res.Body)
	}
	var c struct{ ID string }
	res.decode(t, &c)
	f.category = c.ID
	return f
}

func (f *forumSetup) newThread(t *testing.T, c *client, title, body string) threadBody {
	t.Helper()
	res := c.do("POST", "/api/v1/threads", map[string]string{"category_id": f.category, "title": title, "body": body})
	if res.Status != http.StatusCreated {
		t.Fatalf("create thread = %d %s", res.Status, res.Body)
	}
	var th threadBody
	res.decode(t, &th)
	return th
}

func reply(t *testing.T, c *client, threadID, body string) postBody {
	t.Helper()
	res := c.do("POST", "/api/v1/threads/"+threadID+"/posts", map[string]string{"body": body})
	if res.Status != http.StatusCreated {
		t.Fatalf("reply = %d %s", res.Status, res.Body)
	}
	var p postBody
	res.decode(t, &p)
	return p
}

// nextEvent reads frames until an event of type typ on topic arrives.
func nextEvent(t *testing.T, ws *websocket.Conn, topic, typ string) json.RawMessage {
	t.Helper()
	for {
		ws.SetReadDeadline(time.Now().Add(10 * time.Second))
		var f struct {
			Op, Topic, Type string
			Code            string
			Data            json.RawMessage
		}
		if err := ws.ReadJSON(&f); err != nil {
			t.Fatalf("waiting for %s on %s: %v", typ, topic, err)
		}
		if f.Op == "error" {
			t.Fatalf("error frame %+v while waiting for %s", f, typ)
		}
		if f.Op == "event" && f.Topic == topic && f.Type == typ {
			return f.Data
		}
	}
}

func subscribed(t *testing.T, ws *websocket.Conn, topic string) {
	t.Helper()
	subscribe(t, ws, topic)
	if f := readFrame(t, ws); f.Op != "subscribed" {
		t.Fatalf("subscribe %s = %+v", topic, f)
	}
}

func TestForumThreadLiveAndNotifications(t *testing.T) {
	f := newForum(t, nil)
	th := f.newThread(t, f.lan, "Đường Nguyễn Huệ ngập nước", "Mưa lớn làm **ngập** đường. <script>alert(1)</script> [xem](javascript:alert(1))")
	if len(th.Posts) != 1 || th.Posts[0].Number != 1 || !th.Following {
		t.Fatalf("new thread = %+v, want one post and its author following", th)
	}
	first := th.Posts[0]
	if !strings.Contains(first.BodyHTML, "<strong>ngập</strong>") || strings.Contains(first.BodyHTML, "<script") || strings.Contains(first.BodyHTML, "javascript:") {
		t.Errorf("body_html = %q, want sanitized Markdown", first.BodyHTML)
	}
	if !strings.Contains(first.Body, "**ngập**") {
		t.Errorf("body = %q, want the Markdown source", first.Body)
	}

	// A reader and the author's own notifications are live.
	reader := dialWS(t, f.srv, nil)
	subscribed(t, reader, "thread:"+th.ID)
	lanWS := dialWS(t, f.srv, sessionHeader(t, f.srv, f.lan))
	subscribed(t, lanWS, "user:"+f.lanID)
	p := reply(t, f.binh, th.ID, "Sở Xây dựng đã **tiếp nhận** phản ánh.")
	var created struct{ Post postBody }
	json.Unmarshal(nextEvent(t, reader, "thread:"+th.ID, "post.created"), &created)
	if created.Post.ID != p.ID || !strings.Contains(created.Post.BodyHTML, "<strong>tiếp nhận</strong>") || created.Post.Number != 2 {
		t.Errorf("post.created = %+v", created.Post)
	}
	var note struct{ Unread int }
	json.Unmarshal(nextEvent(t, lanWS, "user:"+f.lanID, "notification.created"), &note)
	if note.Unread != 1 {
		t.Errorf("unread after a reply = %d, want 1", note.Unread)
	}
	var ns struct {
		Items []struct {
			PostID string `json:"post_id"`
		}
		Unread int
	}
	f.lan.do("GET", "/api/v1/notifications", nil).decode(t, &ns)
	if len(ns.Items) != 1 || ns.Items[0].PostID != p.ID || ns.Unread != 1 {
		t.Errorf("notifications = %+v", ns)
	}
	f.lan.do("POST", "/api/v1/notifications/read", map[string]string{"up_to": ""})
	f.lan.do("GET", "/api/v1/notifications", nil).decode(t, &ns)
	if ns.Unread != 0 {
		t.Errorf("unread after reading = %d", ns.Unread)
	}

	// Editing keeps the history, for moderators only.
	res := f.binh.do("PATCH", "/api/v1/posts/"+p.ID, map[string]string{"body": "Sở Xây dựng đã tiếp nhận và **xử lý**."})
	var edited postBody
	res.decode(t, &edited)
	if res.Status != 200 || !edited.Edited {
		t.Fatalf("edit = %d %s", res.Status, res.Body)
	}
	json.Unmarshal(nextEvent(t, reader, "thread:"+th.ID, "post.edited"), &created)
	if !strings.Contains(created.Post.BodyHTML, "xử lý") {
		t.Errorf("post.edited = %+v", created.Post)
	}
	if res := f.lan.do("GET", "/api/v1/posts/"+p.ID+"/edits", nil); res.Status != 403 {
		t.Errorf("resident reads edit history = %d, want 403", res.Status)
	}
	var edits struct{ Items []struct{ Body string } }
	f.mod.do("GET", "/api/v1/posts/"+p.ID+"/edits", nil).decode(t, &edits)
	if len(edits.Items) != 1 || !strings.Contains(edits.Items[0].Body, "**tiếp nhận**") {
		t.Errorf("edit history = %+v", edits)
	}

	// Pages are ranges of post numbers: the last page is one request.
	for i := range 3 {
		reply(t, f.lan, th.ID, "Bổ sung lần "+string(rune('1'+i)))
	}
	var last threadBody
	f.binh.do("GET", "/api/v1/threads/"+th.ID+"?page=last", nil).decode(t, &last)
	if last.Pages != 1 || len(last.Posts) != 5 || last.Posts[4].Number != 5 {
		t.Errorf("last page = %d posts, pages %d", len(last.Posts), last.Pages)
	}
	var list struct {
		Items []struct{ ID string } `json:"items"`
	}
	f.binh.do("GET", "/api/v1/threads?category="+f.category, nil).decode(t, &list)
	if len(list.Items) != 1 || list.Items[0].ID != th.ID {
		t.Errorf("thread list = %+v", list)
	}
}

func TestForumModeration(t *testing.T) {
	f := newForum(t, map[string]string{"CIVICHUB_FLAG_THRESHOLD": "2"})
	th := f.newThread(t, f.lan, "Phản ánh về rác thải", "Rác tồn đọng nhiều ngày.")
	bad := reply(t, f.binh, th.ID, "Số điện thoại riêng của ông A: 0912 345 678")
	reader := dialWS(t, f.srv, nil)
	subscribed(t, reader, "thread:"+th.ID)
	modWS := dialWS(t, f.srv, sessionHeader(t, f.srv, f.mod))
	subscribed(t, modWS, "mod:queue")
	guestWS := dialWS(t, f.srv, nil)
	subscribe(t, guestWS, "mod:queue")
	if fr := readFrame(t, guestWS); fr.Op != "error" || fr.Code != "unauthorized" {
		t.Errorf("guest subscribes to mod:queue = %+v", fr)
	}

	// Two residents flag: the post is hidden pending review.
	if res := f.lan.do("POST", "/api/v1/flags", map[string]string{"post_id": bad.ID, "reason": "personal_data"}); res.Status != 201 {
		t.Fatalf("flag = %d %s", res.Status, res.Body)
	}
	if res := f.lan.do("POST", "/api/v1/flags", map[string]string{"post_id": bad.ID, "reason": "spam"}); res.Status != 409 {
		t.Errorf("second flag by the same user = %d %s, want 409", res.Status, res.Body)
	}
	third := newClient(t, f.srv.URL)
	register(t, third, "cuong@example.vn", "Lê Cường")
	third.do("POST", "/api/v1/flags", map[string]string{"post_id": bad.ID, "reason": "personal_data"})
	hidden := nextEvent(t, reader, "thread:"+th.ID, "post.hidden")
	if strings.Contains(string(hidden), "0912") || !strings.Contains(string(hidden), "pending_review") {
		t.Errorf("post.hidden = %s, want the reason and never the text", hidden)
	}
	nextEvent(t, modWS, "mod:queue", "queue.added")
	var page threadBody
	f.binh.do("GET", "/api/v1/threads/"+th.ID, nil).decode(t, &page)
	if p := page.Posts[1]; !p.Hidden || p.Body != "" || p.BodyHTML != "" || p.HiddenReason != "pending_review" {
		t.Errorf("hidden post as a reader sees it = %+v", p)
	}
	var queue struct {
		Items []struct {
			Post  postBody
			Flags []struct{ Reason string }
		}
	}
	f.mod.do("GET", "/api/v1/mod/queue", nil).decode(t, &queue)
	if len(queue.Items) != 1 || queue.Items[0].Post.ID != bad.ID || len(queue.Items[0].Flags) != 2 || queue.Items[0].Post.Body == "" {
		t.Errorf("queue = %+v", queue)
	}

	// Residents cannot moderate; moderators cannot change roles.
	if res := f.lan.do("POST", "/api/v1/mod/posts/"+bad.ID+"/restore", map[string]string{}); res.Status != 403 {
		t.Errorf("resident restores = %d, want 403", res.Status)
	}
	if res := f.lan.do("POST", "/api/v1/mod/posts/"+bad.ID+"/hide", map[string]string{"reason": "spam"}); res.Status != 403 {
		t.Errorf("resident hides = %d, want 403", res.Status)
	}
	if res := f.mod.do("PATCH", "/api/v1/users/"+f.lanID, map[string]string{"role": "admin"}); res.Status != 403 {
		t.Errorf("moderator changes a role = %d, want 403", res.Status)
	}
	if res := f.mod.do("POST", "/api/v1/mod/posts/"+bad.ID+"/hide", map[string]string{"reason": "personal_data", "note": "Số điện thoại cá nhân"}); res.Status != 200 {
		t.Fatalf("moderator hides = %d %s", res.Status, res.Body)
	}
	nextEvent(t, modWS, "mod:queue", "queue.resolved")

	// Locking stops replies from residents.
	if res := f.mod.do("PATCH", "/api/v1/mod/threads/"+th.ID, map[string]any{"locked": true, "pinned": true}); res.Status != 200 {
		t.Fatalf("lock = %d %s", res.Status, res.Body)
	}
	nextEvent(t, reader, "thread:"+th.ID, "thread.updated")
	if res := f.binh.do("POST", "/api/v1/threads/"+th.ID+"/posts", map[string]string{"body": "Còn nữa"}); res.Status != 403 || !strings.Contains(string(res.Body), "thread_locked") && res.errorCode() != "forbidden" {
		t.Errorf("reply to a locked thread = %d %s, want 403", res.Status, res.Body)
	}

	// Watched words: block, review, replace.
	for _, w := range []map[string]string{{"word": "lừa đảo", "action": "block"}, {"word": "quảng cáo", "action": "review"}, {"word": "ngu", "action": "replace", "replacement": "***"}} {
		if res := f.mod.do("POST", "/api/v1/mod/words", w); res.Status != 201 {
			t.Fatalf("put word %v = %d %s", w, res.Status, res.Body)
		}
	}
	open := f.newThread(t, f.binh, "Hỏi về giấy phép xây dựng", "Xin hỏi thủ tục.")
	if res := f.lan.do("POST", "/api/v1/threads/"+open.ID+"/posts", map[string]string{"body": "Đây là LUA DAO rõ ràng"}); res.Status != 400 {
		t.Errorf("blocked word = %d %s, want 400", res.Status, res.Body)
	}
	review := reply(t, f.lan, open.ID, "Xem quảng cáo tại đây")
	if !review.Hidden || review.HiddenReason != "pending_review" {
		t.Errorf("review word: %+v, want hidden pending review", review)
	}
	replaced := reply(t, f.lan, open.ID, "Trả lời ngu quá")
	if strings.Contains(replaced.Body, "ngu") || !strings.Contains(replaced.Body, "***") {
		t.Errorf("replace word: body %q", replaced.Body)
	}

	// Suspension: sessions end and sockets close at once.
	binhWS := dialWS(t, f.srv, sessionHeader(t, f.srv, f.binh))
	subscribed(t, binhWS, "user:"+f.binhID)
	until := time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)
	if res := f.mod.do("POST", "/api/v1/mod/users/"+f.binhID+"/suspension", map[string]any{"until": until, "reason": "Đăng thông tin cá nhân của người khác"}); res.Status != 200 {
		t.Fatalf("suspend = %d %s", res.Status, res.Body)
	}
	if err := waitClosed(t, binhWS); err == nil {
		t.Error("suspended user's socket stayed open")
	}
	if res := f.binh.do("POST", "/api/v1/threads/"+open.ID+"/posts", map[string]string{"body": "Tôi vẫn viết"}); res.Status != 401 {
		t.Errorf("posting after suspension = %d %s, want 401 (session ended)", res.Status, res.Body)
	}
	if res := f.binh.do("POST", "/api/v1/auth/login", map[string]string{"email": "binh@example.vn", "password": "mật khẩu tốt 123"}); res.Status != 403 || !strings.Contains(string(res.Body), "account_suspended") && res.errorCode() != "forbidden" {
		t.Errorf("login while suspended = %d %s, want 403", res.Status, res.Body)
	}
	if res := f.mod.do("POST", "/api/v1/mod/users/"+f.lanID+"/suspension", map[string]any{"ban": true}); res.Status != 400 {
		t.Errorf("ban without a reason = %d, want 400", res.Status)
	}

	// Every action above is in the audit log, readable by moderators only.
	var audit struct {
		Items []struct{ Action, ActorID string } `json:"items"`
	}
	f.admin.do("GET", "/api/v1/mod/audit?limit=100", nil).decode(t, &audit)
	var actions []string
	for _, e := range audit.Items {
		actions = append(actions, e.Action)
	}
	for _, want := range []string{"post.hide", "thread.lock", "thread.pin", "word.put", "user.suspend"} {
		if !strings.Contains(strings.Join(actions, ","), want) {
			t.Errorf("audit log %v lacks %s", actions, want)
		}
	}
	if res := f.lan.do("GET", "/api/v1/mod/audit", nil); res.Status != 403 {
		t.Errorf("resident reads audit log = %d, want 403", res.Status)
	}
}

func TestForumBadInput(t *testing.T) {
	f := newForum(t, nil)
	th := f.newThread(t, f.lan, "Chủ đề thử", "Nội dung")
	other := reply(t, f.binh, th.ID, "Của Bình")
	deep := strings.Repeat(">", 5000) + " sâu"
	long := strings.Repeat("a", 20001)
	cases := []struct {
		name   string
		c      *client
		method string
		path   string
		body   any
		status int
	}{
		{"empty title", f.lan, "POST", "/api/v1/threads", map[string]string{"category_id": f.category, "title": " ", "body": "x"}, 400},
		{"whitespace body", f.lan, "POST", "/api/v1/threads", map[string]string{"category_id": f.category, "title": "Tiêu đề", "body": " \n\t "}, 400},
		{"body too long", f.lan, "POST", "/api/v1/threads/" + th.ID + "/posts", map[string]string{"body": long}, 400},
		{"deeply nested markdown", f.lan, "POST", "/api/v1/threads/" + th.ID + "/posts", map[string]string{"body": deep}, 400},
		{"missing category", f.lan, "POST", "/api/v1/threads", map[string]string{"category_id": "01jzzzzzzzzzzzzzzzzzzzzzzz", "title": "Tiêu đề", "body": "x"}, 400},
		{"unknown thread", f.lan, "POST", "/api/v1/threads/01jzzzzzzzzzzzzzzzzzzzzzzz/posts", map[string]string{"body": "x"}, 404},
		{"edit someone else's post", f.lan, "PATCH", "/api/v1/posts/" + other.ID, map[string]string{"body": "sửa trộm"}, 403},
		{"guest posts", newClient(t, f.srv.URL), "POST", "/api/v1/threads/" + th.ID + "/posts", map[string]string{"body": "x"}, 401},
		{"flag with no reason", f.lan, "POST", "/api/v1/flags", map[string]string{"post_id": other.ID}, 400},
		{"flag own post", f.binh, "POST", "/api/v1/flags", map[string]string{"post_id": other.ID, "reason": "spam"}, 400},
		{"moderate without the role", f.lan, "PATCH", "/api/v1/mod/threads/" + th.ID, map[string]bool{"locked": true}, 403},
		{"words without the role", f.lan, "POST", "/api/v1/mod/words", map[string]string{"word": "x", "action": "block"}, 403},
		{"category without admin", f.mod, "POST", "/api/v1/categories", map[string]any{"name": map[string]string{"vi": "X"}, "slug": "x-y"}, 403},
		{"empty search", f.lan, "GET", "/api/v1/search?q=%20", nil, 400},
		{"search too long", f.lan, "GET", "/api/v1/search?q=" + strings.Repeat("dai+", 100), nil, 400},
		{"malformed cursor", f.lan, "GET", "/api/v1/threads?category=" + f.category + "&cursor=!!not-a-cursor", nil, 400},
		{"malformed search cursor", f.lan, "GET", "/api/v1/search?q=so&cursor=bm90LWpzb24", nil, 400},
		{"malformed page", f.lan, "GET", "/api/v1/threads/" + th.ID + "?page=-3", nil, 400},
		{"malformed JSON", f.lan, "POST", "/api/v1/threads", `{"title":`, 400},
	}
	for _, tc := range cases {
		res := tc.c.do(tc.method, tc.path, tc.body, "Accept-Language", "vi")
		var e apiError
		json.Unmarshal(res.Body, &e)
		if res.Status != tc.status || e.Error.Message == "" {
			t.Errorf("%s: %d %s, want %d with a message", tc.name, res.Status, res.Body, tc.status)
		}
	}
	// Nothing above changed the thread.
	var page threadBody
	f.lan.do("GET", "/api/v1/threads/"+th.ID, nil).decode(t, &page)
	if page.PostCount != 2 || len(page.Posts) != 2 || page.Posts[1].Body != "Của Bình" {
		t.Errorf("after bad input the thread has %d posts: %+v", page.PostCount, page.Posts)
	}
}

func TestForumSearchIgnoresDiacritics(t *testing.T) {
	f := newForum(t, nil)
	a := f.newThread(t, f.lan, "Sở Xây dựng trả lời về cấp phép", "Nội dung chung.")
	b := f.newThread(t, f.binh, "Du lịch biển", "Bãi biển Đà Nẵng rất sạch.")
	for _, tc := range []struct{ q, want string }{
		{"so xay dung", a.ID}, {"SỞ XÂY DỰNG", a.ID}, {"sở xây dựng", a.ID}, {"da nang", b.ID}, {"Đà Nẵng", b.ID},
	} {
		var res struct {
			Items []struct {
				Kind     string
				ThreadID string `json:"thread_id"`
			}
		}
		r := f.lan.do("GET", "/api/v1/search?q="+strings.ReplaceAll(tc.q, " ", "+"), nil)
		r.decode(t, &res)
		if r.Status != 200 || len(res.Items) == 0 || res.Items[0].ThreadID != tc.want {
			t.Errorf("search %q = %d %s, want thread %s first", tc.q, r.Status, r.Body, tc.want)
		}
	}
}

// A post rendered by an older sanitizer version is rendered again by the
// current one when the server starts.
func TestSanitizerVersionBumpRendersAgain(t *testing.T) {
	f := newForum(t, nil)
	th := f.newThread(t, f.lan, "Chủ đề cũ", "Nội dung **đậm**")
	postID := th.Posts[0].ID
	if err := f.srv.stop(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	db, err := sqlitestore.Open(ctx, f.env["CIVICHUB_DATA_DIR"], slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	p, err := db.Forum().Post(ctx, postID)
	if err != nil {
		t.Fatal(err)
	}
	p.Sanitizer, p.BodyHTML = 0, `<p>stale <img src=x onerror=alert(1)></p>`
	if err := db.Forum().UpdatePost(ctx, p, nil); err != nil {
		t.Fatal(err)
	}
	db.Close()

	srv := startServer(t, f.env)
	c := newClient(t, srv.URL)
	eventually(t, "the stale post rendered again", func() bool {
		var page threadBody
		c.do("GET", "/api/v1/threads/"+th.ID, nil).decode(t, &page)
		return len(page.Posts) == 1 && page.Posts[0].BodyHTML == th.Posts[0].BodyHTML
	})
}

// New accounts post under a stricter limit; the refusal says when to try
// again and stores nothing.
func TestForumPostRateNewAccounts(t *testing.T) {
	f := newForum(t, map[string]string{"CIVICHUB_RATE_POST_NEW": "2/1h"})
	th := f.newThread(t, f.lan, "Giới hạn đăng bài", "Bài đầu")
	reply(t, f.lan, th.ID, "Bài thứ hai")
	res := f.lan.do("POST", "/api/v1/threads/"+th.ID+"/posts", map[string]string{"body": "Bài thứ ba"})
	if res.Status != http.StatusTooManyRequests || res.errorCode() != "rate_limited" || res.Header.Get("Retry-After") == "" {
		t.Errorf("third post of a new account = %d %s (Retry-After %q), want 429 rate_limited", res.Status, res.Body, res.Header.Get("Retry-After"))
	}
	var page threadBody
	f.lan.do("GET", "/api/v1/threads/"+th.ID, nil).decode(t, &page)
	if page.PostCount != 2 {
		t.Errorf("after the refused post the thread has %d posts, want 2", page.PostCount)
	}
}
