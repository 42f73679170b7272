package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// qaSetup is a server with two agencies, a staff member of each, a second
// staff member of the first, a moderator and two residents.
type qaSetup struct {
	*forumSetup
	xd, tn           string // Sở Xây dựng, Sở Tài nguyên và Môi trường
	staff, staff2    *client
	other            *client // staff of tn
	staffID, otherID string
	staff2ID         string
}

func newQA(t *testing.T, extra map[string]string) *qaSetup {
	t.Helper()
	env := map[string]string{"CIVICHUB_RATE_QUESTION": "off"}
	for k, v := range extra {
		env[k] = v
	}
	q := &qaSetup{forumSetup: newForum(t, env)}
	agency := func(slug, vi, en string) string {
		res := q.admin.do("POST", "/api/v1/agencies", map[string]any{"name": map[string]string{"vi": vi, "en": en}, "slug": slug})
		if res.Status != http.StatusCreated {
			t.Fatalf("create agency = %d %s", res.Status, res.Body)
		}
		var a struct{ ID string }
		res.decode(t, &a)
		return a.ID
	}
	q.xd = agency("so-xay-dung", "Sở Xây dựng", "Department of Construction")
	q.tn = agency("so-tai-nguyen", "Sở Tài nguyên và Môi trường", "Department of Natural Resources and Environment")
	staff := func(email, name, agencyID, title string) (*client, string) {
		c := newClient(t, q.srv.URL)
		u := register(t, c, email, name)
		if res := q.admin.do("POST", "/api/v1/agencies/"+agencyID+"/staff", map[string]string{"user_id": u.ID, "title": title}); res.Status != 201 {
			t.Fatalf("add staff = %d %s", res.Status, res.Body)
		}
		return c, u.ID
	}
	q.staff, q.staffID = staff("canbo@example.vn", "Lê Văn Cán Bộ", q.xd, "Chuyên viên Phòng Quản lý xây dựng")
	q.staff2, q.staff2ID = staff("canbo2@example.vn", "Phạm Thị Hai", q.xd, "Phó Trưởng phòng")
	q.other, q.otherID = staff("tnmt@example.vn", "Võ Văn Đất", q.tn, "Chuyên viên")
	return q
}

type questionBody struct {
	ID           string          `json:"id"`
	Status       string          `json:"status"`
	Private      bool            `json:"private"`
	Title        string          `json:"title"`
	BodyHTML     string          `json:"body_html"`
	Deadline     *time.Time      `json:"deadline"`
	Overdue      bool            `json:"overdue"`
	Upvotes      int             `json:"upvotes"`
	Contact      json.RawMessage `json:"contact"`
	RejectReason string          `json:"reject_reason"`
	AssigneeID   string          `json:"assignee_id"`
	Agency       struct{ ID string }
	Answer       *struct {
		ID       string `json:"id"`
		BodyHTML string `json:"body_html"`
		Author   struct{ ID, Name, Title string }
		Original *struct {
			BodyHTML string `json:"body_html"`
		}
		Revisions []struct {
			Number int
			Reason string
		}
	} `json:"answer"`
	Comments []struct{ ID, BodyHTML string } `json:"comments"`
	History  []struct {
		Action   string `json:"action"`
		ToStatus string `json:"to_status"`
		Reason   string `json:"reason"`
	} `json:"history"`
	Viewer struct {
		CanAnswer   bool     `json:"can_answer"`
		Transitions []string `json:"transitions"`
	} `json:"viewer"`
}

func (q *qaSetup) ask(t *testing.T, c *client, body map[string]any) questionBody {
	t.Helper()
	in := map[string]any{"agency_id": q.xd, "title": "Xây nhà 3 tầng có cần giấy phép không?", "body": "Gia đình tôi muốn xây nhà ở phường Hải Châu."}
	for k, v := range body {
		in[k] = v
	}
	res := c.do("POST", "/api/v1/questions", in)
	if res.Status != http.StatusCreated {
		t.Fatalf("ask = %d %s", res.Status, res.Body)
	}
	var out questionBody
	res.decode(t, &out)
	return out
}

func getQuestion(t *testing.T, c *client, id string) questionBody {
	t.Helper()
	res := c.do("GET", "/api/v1/questions/"+id, nil)
	if res.Status != 200 {
		t.Fatalf("get question = %d %s", res.Status, res.Body)
	}
	var out questionBody
	res.decode(t, &out)
	return out
}

func setStatus(c *client, id string, body map[string]any) response {
	return c.do("POST", "/api/v1/questions/"+id+"/status", body)
}

func mustStatus(t *testing.T, res response, want int, what string) {
	t.Helper()
	if res.Status != want {
		t.Fatalf("%s = %d %s, want %d", what, res.Status, res.Body, want)
	}
}

// TestQAFlowLive walks a question through its whole flow while a resident
// and a guest watch its topic, and the agency's staff watch theirs.
func TestQAFlowLive(t *testing.T) {
	q := newQA(t, nil)
	agencyWS := dialWS(t, q.srv, sessionHeader(t, q.srv, q.staff))
	subscribed(t, agencyWS, "agency:"+q.xd)

	qn := q.ask(t, q.lan, map[string]any{"field": "Cấp phép xây dựng", "contact": map[string]string{"name": "Nguyễn Thị Lan", "phone": "0905 123 456"}})
	if qn.Status != "submitted" || qn.Deadline != nil {
		t.Errorf("new question = %+v, want submitted without a deadline", qn)
	}
	created := nextEvent(t, agencyWS, "agency:"+q.xd, "question.created")
	if !strings.Contains(string(created), qn.ID) {
		t.Errorf("agency event = %s, want the question", created)
	}
	// Before acceptance only the asker, the agency and moderators read it.
	if res := q.binh.do("GET", "/api/v1/questions/"+qn.ID, nil); res.Status != 404 || res.errorCode() != "not_found" {
		t.Errorf("another resident reads a submitted question = %d %s, want 404", res.Status, res.Body)
	}
	// The contact is the asker's and the agency's only.
	if v := getQuestion(t, q.staff, qn.ID); !strings.Contains(string(v.Contact), "0905 123 456") {
		t.Errorf("staff sees contact %s, want the phone", v.Contact)
	}
	if v := getQuestion(t, q.mod, qn.ID); len(v.Contact) != 0 && string(v.Contact) != "null" {
		t.Errorf("moderator sees contact %s, want none", v.Contact)
	}

	mustStatus(t, setStatus(q.staff, qn.ID, map[string]any{"status": "accepted"}), 200, "accept")
	v := getQuestion(t, q.binh, qn.ID) // now public
	if v.Status != "accepted" || v.Deadline == nil {
		t.Fatalf("accepted question = %+v, want a deadline", v)
	}
	if len(v.Contact) != 0 && string(v.Contact) != "null" {
		t.Errorf("another resident sees contact %s", v.Contact)
	}

	// Everyone watching the question: the asker, a guest.
	lanWS := dialWS(t, q.srv, sessionHeader(t, q.srv, q.lan))
	subscribed(t, lanWS, "question:"+qn.ID)
	guestWS := dialWS(t, q.srv, nil)
	subscribed(t, guestWS, "question:"+qn.ID)

	mustStatus(t, setStatus(q.staff, qn.ID, map[string]any{"status": "assigned", "assignee_id": q.staff2ID}), 200, "assign colleague")
	nextEvent(t, lanWS, "question:"+qn.ID, "question.status")
	res := q.staff2.do("POST", "/api/v1/questions/"+qn.ID+"/answers", map[string]string{"body": "Chào chị,\n\nNhà ở riêng lẻ tại đô thị **phải có** giấy phép xây dựng.<script>alert(1)</script>"})
	mustStatus(t, res, 201, "answer")
	for _, ws := range []*websocket.Conn{lanWS, guestWS} {
		data := nextEvent(t, ws, "question:"+qn.ID, "answer.published")
		var ev struct {
			Answer struct {
				BodyHTML string `json:"body_html"`
				Author   struct{ Title string }
			}
		}
		if err := json.Unmarshal(data, &ev); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(ev.Answer.BodyHTML, "<strong>phải có</strong>") || strings.Contains(ev.Answer.BodyHTML, "<script") {
			t.Errorf("answer event's HTML = %s, want it sanitized", ev.Answer.BodyHTML)
		}
		if ev.Answer.Author.Title != "Phó Trưởng phòng" {
			t.Errorf("answer event = %s, want the staff member's title", data)
		}
	}
	v = getQuestion(t, q.binh, qn.ID)
	if v.Status != "answered" || v.Answer == nil || v.Answer.Author.Title != "Phó Trưởng phòng" {
		t.Fatalf("answered question = %+v", v)
	}

	// A revision keeps the first text visible.
	ansID := v.Answer.ID
	if res := q.staff.do("POST", "/api/v1/answers/"+ansID+"/revisions", map[string]string{"body": "Sửa: thời hạn 15 ngày."}); res.Status != 400 {
		t.Errorf("revision without reason = %d %s, want 400", res.Status, res.Body)
	}
	mustStatus(t, q.staff.do("POST", "/api/v1/answers/"+ansID+"/revisions", map[string]string{"body": "Nhà ở riêng lẻ phải có giấy phép; thời hạn giải quyết là 15 ngày.", "reason": "Bổ sung thời hạn giải quyết"}), 201, "revise")
	nextEvent(t, guestWS, "question:"+qn.ID, "answer.revised")
	v = getQuestion(t, q.binh, qn.ID)
	if len(v.Answer.Revisions) != 1 || v.Answer.Revisions[0].Reason != "Bổ sung thời hạn giải quyết" || v.Answer.Original == nil ||
		!strings.Contains(v.Answer.Original.BodyHTML, "phải có") || !strings.Contains(v.Answer.BodyHTML, "15 ngày") {
		t.Errorf("revised answer = %+v, want the new text, one revision and the original kept", v.Answer)
	}

	// Comments until closed; the asker closes.
	mustStatus(t, q.binh.do("POST", "/api/v1/questions/"+qn.ID+"/comments", map[string]string{"body": "Cảm ơn Sở!"}), 201, "comment")
	nextEvent(t, lanWS, "question:"+qn.ID, "comment.created")
	mustStatus(t, setStatus(q.lan, qn.ID, map[string]any{"status": "closed"}), 200, "close by asker")
	if res := q.binh.do("POST", "/api/v1/questions/"+qn.ID+"/comments", map[string]string{"body": "Thêm ý kiến"}); res.Status != 409 || res.reason() != "question_closed" {
		t.Errorf("comment on a closed question = %d %s, want 409 question_closed", res.Status, res.Body)
	}
	if res := q.staff.do("POST", "/api/v1/questions/"+qn.ID+"/answers", map[string]string{"body": "Lần hai"}); res.Status != 409 {
		t.Errorf("second answer on a closed question = %d %s, want 409", res.Status, res.Body)
	}
	v = getQuestion(t, q.binh, qn.ID)
	var actions []string
	for _, h := range v.History {
		actions = append(actions, h.Action)
	}
	if got := strings.Join(actions, ","); got != "submitted,accepted,assigned,answered,revised,closed" {
		t.Errorf("history = %s", got)
	}

	// Public questions and their answers are found by the forum's search.
	var hits struct {
		Items []struct {
			Kind       string
			QuestionID string `json:"question_id"`
		} `json:"items"`
	}
	q.binh.do("GET", "/api/v1/search?q="+url.QueryEscape("giay phep nha"), nil).decode(t, &hits)
	if len(hits.Items) != 1 || hits.Items[0].Kind != "question" || hits.Items[0].QuestionID != qn.ID {
		t.Errorf("search = %+v, want the question", hits.Items)
	}
	q.binh.do("GET", "/api/v1/search?q="+url.QueryEscape("thời hạn giải quyết"), nil).decode(t, &hits)
	if len(hits.Items) != 1 {
		t.Errorf("search in the revised answer = %+v, want the question", hits.Items)
	}

	// The scorecard counts it for Sở Xây dựng, answered on time.
	var sc struct {
		Windows []struct {
			Days, Received, Answered int
			AnsweredOnTime           int      `json:"answered_on_time"`
			OnTimeShare              *float64 `json:"on_time_share"`
		} `json:"windows"`
	}
	q.binh.do("GET", "/api/v1/agencies/"+q.xd+"/scorecard", nil).decode(t, &sc)
	if len(sc.Windows) != 3 || sc.Windows[0].Answered != 1 || sc.Windows[0].AnsweredOnTime != 1 || sc.Windows[0].OnTimeShare == nil || *sc.Windows[0].OnTimeShare != 1 {
		t.Errorf("scorecard = %+v", sc)
	}
}

func (r response) reason() string {
	var e struct {
		Error struct{ Reason string } `json:"error"`
	}
	_ = json.Unmarshal(r.Body, &e)
	return e.Error.Reason
}

// TestQAPrivateQuestionIsInvisible: a private question and its answer are
// the asker's, the agency's, moderators' and admins' only: in the API, in
// lists, in search and on the socket.
func TestQAPrivateQuestionIsInvisible(t *testing.T) {
	q := newQA(t, nil)
	qn := q.ask(t, q.lan, map[string]any{"private": true, "title": "Hàng xóm xây lấn đất nhà tôi", "body": "Công trình bên cạnh xây lấn ranh giới 20 cm."})
	mustStatus(t, setStatus(q.staff, qn.ID, map[string]any{"status": "accepted"}), 200, "accept")
	mustStatus(t, q.staff.do("POST", "/api/v1/questions/"+qn.ID+"/answers", map[string]string{"body": "Đề nghị liên hệ UBND phường."}), 201, "answer")

	for _, c := range []*client{q.lan, q.staff, q.staff2, q.mod, q.admin} {
		if res := c.do("GET", "/api/v1/questions/"+qn.ID, nil); res.Status != 200 {
			t.Errorf("privileged read = %d %s", res.Status, res.Body)
		}
	}
	anon := newClient(t, q.srv.URL)
	for name, c := range map[string]*client{"resident": q.binh, "other agency": q.other, "guest": anon} {
		if res := c.do("GET", "/api/v1/questions/"+qn.ID, nil); res.Status != 404 || res.reason() != "question_not_found" {
			t.Errorf("%s reads a private question = %d %s, want 404 question_not_found", name, res.Status, res.Body)
		}
		var list struct{ Items []struct{ ID string } }
		c.do("GET", "/api/v1/questions?agency="+q.xd, nil).decode(t, &list)
		if len(list.Items) != 0 {
			t.Errorf("%s lists %+v, want nothing", name, list.Items)
		}
		var hits struct{ Items []any }
		c.do("GET", "/api/v1/search?q="+url.QueryEscape("xây lấn"), nil).decode(t, &hits)
		if len(hits.Items) != 0 {
			t.Errorf("%s finds %+v, want nothing", name, hits.Items)
		}
		if res := c.do("PUT", "/api/v1/questions/"+qn.ID+"/upvote", nil); res.Status != 404 && res.Status != 401 {
			t.Errorf("%s upvotes a private question = %d, want 404 (or 401 for a guest)", name, res.Status)
		}
	}
	var header http.Header
	if c := q.binh; c != nil {
		header = sessionHeader(t, q.srv, c)
	}
	ws := dialWS(t, q.srv, header)
	subscribe(t, ws, "question:"+qn.ID)
	if f := readFrame(t, ws); f.Op != "error" {
		t.Errorf("another resident subscribes to a private question: %+v, want an error", f)
	}
	// The asker lists it among their own.
	var mine struct{ Items []struct{ ID string } }
	q.lan.do("GET", "/api/v1/questions?mine=true", nil).decode(t, &mine)
	if len(mine.Items) != 1 || mine.Items[0].ID != qn.ID {
		t.Errorf("mine = %+v", mine.Items)
	}
	// Forwarded to another agency, it leaves the old agency's staff.
	qn2 := q.ask(t, q.lan, map[string]any{"private": true, "title": "Cấp sổ đỏ cho đất thừa kế thế nào?", "body": "Đất của bố mẹ để lại."})
	staffWS := dialWS(t, q.srv, sessionHeader(t, q.srv, q.staff))
	subscribed(t, staffWS, "question:"+qn2.ID)
	mustStatus(t, q.staff.do("POST", "/api/v1/questions/"+qn2.ID+"/forward", map[string]string{"agency_id": q.tn, "reason": "Thuộc thẩm quyền Sở Tài nguyên và Môi trường"}), 200, "forward")
	for {
		f := readFrame(t, staffWS)
		if f.Op == "error" {
			break
		}
		if f.Op != "event" {
			t.Fatalf("after the forward the old agency's socket got %+v, want an error", f)
		}
	}
	if res := q.staff.do("GET", "/api/v1/questions/"+qn2.ID, nil); res.Status != 404 {
		t.Errorf("old agency reads the forwarded private question = %d, want 404", res.Status)
	}
	if res := q.other.do("GET", "/api/v1/questions/"+qn2.ID, nil); res.Status != 200 {
		t.Errorf("new agency reads the forwarded question = %d %s", res.Status, res.Body)
	}
}

// TestQABadInput: each bad input of the issue gets a clear error and
// changes nothing.
func TestQABadInput(t *testing.T) {
	q := newQA(t, nil)
	bad := []struct {
		name   string
		c      *client
		body   map[string]any
		status int
		field  string
	}{
		{"missing agency", q.lan, map[string]any{"agency_id": ""}, 400, "agency_id"},
		{"unknown agency", q.lan, map[string]any{"agency_id": "01m8gt84ej1ks5tp7ew3r296mv"}, 400, "agency_id"},
		{"agency not an id", q.lan, map[string]any{"agency_id": "../admin"}, 400, "agency_id"},
		{"empty title", q.lan, map[string]any{"title": "   "}, 400, "title"},
		{"short title", q.lan, map[string]any{"title": "Hỏi"}, 400, "title"},
		{"empty body", q.lan, map[string]any{"body": ""}, 400, "body"},
		{"only raw html body", q.lan, map[string]any{"body": "<script>x</script>"}, 400, "body"},
		{"bad email", q.lan, map[string]any{"contact": map[string]string{"email": "not an email"}}, 400, "contact.email"},
		{"bad phone", q.lan, map[string]any{"contact": map[string]string{"phone": "call me"}}, 400, "contact.phone"},
		{"guest", newClient(t, q.srv.URL), nil, 401, ""},
	}
	for _, tc := range bad {
		in := map[string]any{"agency_id": q.xd, "title": "Một câu hỏi hợp lệ về xây dựng", "body": "Nội dung"}
		for k, v := range tc.body {
			in[k] = v
		}
		res := tc.c.do("POST", "/api/v1/questions", in)
		if res.Status != tc.status {
			t.Errorf("%s: %d %s, want %d", tc.name, res.Status, res.Body, tc.status)
			continue
		}
		if tc.field != "" && !strings.Contains(string(res.Body), `"`+tc.field+`"`) {
			t.Errorf("%s: %s does not name field %s", tc.name, res.Body, tc.field)
		}
	}
	var list struct{ Items []any }
	q.lan.do("GET", "/api/v1/questions?mine=true", nil).decode(t, &list)
	if len(list.Items) != 0 {
		t.Fatalf("bad questions were stored: %+v", list.Items)
	}

	qn := q.ask(t, q.lan, nil)
	// A status change that skips the flow.
	for _, st := range []string{"assigned", "answered", "closed"} {
		if res := setStatus(q.staff, qn.ID, map[string]any{"status": st}); res.Status != 409 || res.reason() != "invalid_transition" {
			t.Errorf("submitted → %s = %d %s, want 409 invalid_transition", st, res.Status, res.Body)
		}
	}
	if res := setStatus(q.staff, qn.ID, map[string]any{"status": "done"}); res.Status != 400 {
		t.Errorf("unknown status = %d %s, want 400", res.Status, res.Body)
	}
	if res := setStatus(q.staff, qn.ID, map[string]any{"status": "rejected"}); res.Status != 400 {
		t.Errorf("reject without reason = %d %s, want 400", res.Status, res.Body)
	}
	// An answer before acceptance, by a resident, by another agency.
	if res := q.staff.do("POST", "/api/v1/questions/"+qn.ID+"/answers", map[string]string{"body": "Trả lời"}); res.Status != 409 {
		t.Errorf("answer before acceptance = %d %s, want 409", res.Status, res.Body)
	}
	// Residents and other agencies cannot move it.
	if res := setStatus(q.binh, qn.ID, map[string]any{"status": "accepted"}); res.Status != 404 {
		t.Errorf("another resident accepts = %d %s, want 404", res.Status, res.Body)
	}
	if res := setStatus(q.lan, qn.ID, map[string]any{"status": "accepted"}); res.Status != 403 {
		t.Errorf("asker accepts = %d %s, want 403", res.Status, res.Body)
	}
	mustStatus(t, setStatus(q.staff, qn.ID, map[string]any{"status": "accepted"}), 200, "accept")
	if res := setStatus(q.staff, qn.ID, map[string]any{"status": "accepted"}); res.Status != 409 {
		t.Errorf("accept twice = %d %s, want 409", res.Status, res.Body)
	}
	if res := setStatus(q.staff, qn.ID, map[string]any{"status": "assigned", "assignee_id": q.otherID}); res.Status != 400 {
		t.Errorf("assign to another agency's staff = %d %s, want 400", res.Status, res.Body)
	}
	for name, c := range map[string]*client{"resident": q.binh, "asker": q.lan, "other agency": q.other, "moderator": q.mod} {
		res := c.do("POST", "/api/v1/questions/"+qn.ID+"/answers", map[string]string{"body": "Trả lời không đúng thẩm quyền"})
		if res.Status != 403 || res.reason() != "not_agency_staff" {
			t.Errorf("answer by %s = %d %s, want 403 not_agency_staff", name, res.Status, res.Body)
		}
	}
	if res := q.staff.do("POST", "/api/v1/questions/"+qn.ID+"/answers", map[string]string{"body": "  "}); res.Status != 400 {
		t.Errorf("empty answer = %d %s, want 400", res.Status, res.Body)
	}
	// Forwards.
	if res := q.staff.do("POST", "/api/v1/questions/"+qn.ID+"/forward", map[string]string{"agency_id": q.xd, "reason": "Chuyển lại"}); res.Status != 400 || res.reason() != "same_agency" {
		t.Errorf("forward to the same agency = %d %s, want 400 same_agency", res.Status, res.Body)
	}
	if res := q.staff.do("POST", "/api/v1/questions/"+qn.ID+"/forward", map[string]string{"agency_id": q.tn, "reason": ""}); res.Status != 400 {
		t.Errorf("forward without reason = %d %s, want 400", res.Status, res.Body)
	}
	if res := q.other.do("POST", "/api/v1/questions/"+qn.ID+"/forward", map[string]string{"agency_id": q.tn, "reason": "Tôi muốn nhận"}); res.Status != 403 {
		t.Errorf("forward by another agency = %d %s, want 403", res.Status, res.Body)
	}
	v := getQuestion(t, q.lan, qn.ID)
	if v.Status != "accepted" || v.Agency.ID != q.xd || len(v.History) != 2 {
		t.Fatalf("after refused changes = %+v, want accepted at Sở Xây dựng with two steps", v)
	}

	// One answer: of 10 concurrent answers, one wins.
	var wg sync.WaitGroup
	codes := make(chan int, 10)
	for range 10 {
		wg.Go(func() {
			codes <- q.staff.do("POST", "/api/v1/questions/"+qn.ID+"/answers", map[string]string{"body": "Trả lời đồng thời"}).Status
		})
	}
	wg.Wait()
	close(codes)
	created := 0
	for c := range codes {
		switch c {
		case 201:
			created++
		case 409:
		default:
			t.Errorf("concurrent answer = %d", c)
		}
	}
	if created != 1 {
		t.Errorf("%d answers created, want 1", created)
	}
	v = getQuestion(t, q.lan, qn.ID)
	if res := q.staff.do("POST", "/api/v1/questions/"+qn.ID+"/answers", map[string]string{"body": "Lần hai"}); res.Status != 409 || res.reason() != "already_answered" {
		t.Errorf("second answer = %d %s, want 409 already_answered", res.Status, res.Body)
	}
	// Nobody edits a published answer in place: there is no route, and a
	// revision by another agency is refused.
	if res := q.staff.do("PATCH", "/api/v1/answers/"+v.Answer.ID, map[string]string{"body": "Sửa"}); res.Status != 405 && res.Status != 404 {
		t.Errorf("PATCH answer = %d, want no such route", res.Status)
	}
	if res := q.other.do("POST", "/api/v1/answers/"+v.Answer.ID+"/revisions", map[string]string{"body": "Sửa", "reason": "Lý do sửa"}); res.Status != 403 {
		t.Errorf("revision by another agency = %d %s, want 403", res.Status, res.Body)
	}
	if res := q.lan.do("PUT", "/api/v1/questions/"+qn.ID+"/upvote", nil); res.Status != 403 {
		t.Errorf("asker upvotes own question = %d %s, want 403", res.Status, res.Body)
	}
	if res := q.binh.do("PUT", "/api/v1/questions/"+qn.ID+"/upvote", nil); res.Status != 200 {
		t.Errorf("upvote = %d %s", res.Status, res.Body)
	}
	q.binh.do("PUT", "/api/v1/questions/"+qn.ID+"/upvote", nil)
	if v := getQuestion(t, q.lan, qn.ID); v.Upvotes != 1 {
		t.Errorf("upvotes after two upvotes by one user = %d, want 1", v.Upvotes)
	}
	for _, path := range []string{"/api/v1/questions/nope", "/api/v1/agencies/nope/scorecard"} {
		if res := q.lan.do("GET", path, nil); res.Status != 404 {
			t.Errorf("GET %s = %d, want 404", path, res.Status)
		}
	}
	if res := q.lan.do("GET", "/api/v1/questions?status=lost", nil); res.Status != 400 {
		t.Errorf("list with unknown status = %d, want 400", res.Status)
	}
}

// TestQAForwardRestartsClock: forwarding an accepted question gives the new
// agency its own deadline, and the scorecards count it as forwarded for
// the first agency and answered for the second.
func TestQAForwardRestartsClock(t *testing.T) {
	q := newQA(t, map[string]string{"CIVICHUB_ANSWER_DAYS": "3"})
	qn := q.ask(t, q.lan, nil)
	mustStatus(t, setStatus(q.staff, qn.ID, map[string]any{"status": "accepted"}), 200, "accept")
	mustStatus(t, q.admin.do("PUT", "/api/v1/agencies/"+q.tn+"/qa-settings", map[string]int{"answer_days": 10}), 200, "answer days")
	if res := q.staff.do("PUT", "/api/v1/agencies/"+q.tn+"/qa-settings", map[string]int{"answer_days": 1}); res.Status != 403 {
		t.Errorf("staff sets answer days = %d, want 403", res.Status)
	}
	if res := q.admin.do("PUT", "/api/v1/agencies/"+q.tn+"/qa-settings", map[string]int{"answer_days": 0}); res.Status != 400 {
		t.Errorf("zero answer days = %d, want 400", res.Status)
	}
	before := getQuestion(t, q.lan, qn.ID).Deadline
	mustStatus(t, q.staff.do("POST", "/api/v1/questions/"+qn.ID+"/forward", map[string]string{"agency_id": q.tn, "reason": "Thuộc lĩnh vực đất đai"}), 200, "forward")
	v := getQuestion(t, q.lan, qn.ID)
	if v.Agency.ID != q.tn || v.Status != "accepted" || v.Deadline == nil || !v.Deadline.After(*before) {
		t.Fatalf("forwarded = %+v (deadline before %v), want accepted at the new agency with a later deadline", v, before)
	}
	// Ten working days are at least two weeks away.
	if d := time.Until(*v.Deadline); d < 13*24*time.Hour {
		t.Errorf("new deadline in %v, want 10 working days", d)
	}
	mustStatus(t, q.other.do("POST", "/api/v1/questions/"+qn.ID+"/answers", map[string]string{"body": "Sở Tài nguyên và Môi trường trả lời."}), 201, "answer by new agency")
	type window struct {
		Received, Answered, Forwarded int
	}
	var xd, tn struct{ Windows []window }
	q.lan.do("GET", "/api/v1/agencies/"+q.xd+"/scorecard", nil).decode(t, &xd)
	q.lan.do("GET", "/api/v1/agencies/"+q.tn+"/scorecard", nil).decode(t, &tn)
	if w := xd.Windows[0]; w != (window{Received: 1, Forwarded: 1}) {
		t.Errorf("first agency's 30 days = %+v, want received 1, forwarded 1", w)
	}
	if w := tn.Windows[0]; w != (window{Received: 1, Answered: 1}) {
		t.Errorf("second agency's 30 days = %+v, want received 1, answered 1", w)
	}
}

// TestQAFeedAnswers: a newly answered public question reaches feed:answers;
// a private one never does.
func TestQAFeedAnswers(t *testing.T) {
	q := newQA(t, nil)
	ws := dialWS(t, q.srv, nil)
	subscribed(t, ws, "feed:answers")
	private := q.ask(t, q.lan, map[string]any{"private": true, "title": "Câu hỏi riêng tư về nhà đất"})
	public := q.ask(t, q.lan, map[string]any{"title": "Câu hỏi công khai về nhà đất"})
	for _, x := range []questionBody{private, public} {
		mustStatus(t, setStatus(q.staff, x.ID, map[string]any{"status": "accepted"}), 200, "accept")
		mustStatus(t, q.staff.do("POST", "/api/v1/questions/"+x.ID+"/answers", map[string]string{"body": "Trả lời."}), 201, "answer")
	}
	data := nextEvent(t, ws, "feed:answers", "answer.published")
	if !strings.Contains(string(data), public.ID) || strings.Contains(string(data), private.ID) {
		t.Errorf("feed event = %s, want the public question only", data)
	}
	var feed struct {
		Items []struct {
			QuestionID string `json:"question_id"`
		}
	}
	newClient(t, q.srv.URL).do("GET", "/api/v1/answers/feed", nil).decode(t, &feed)
	if len(feed.Items) != 1 || feed.Items[0].QuestionID != public.ID {
		t.Errorf("feed = %+v, want the public question", feed.Items)
	}
	// The feed is by answer time: a question asked before another but
	// answered after it comes first.
	older := q.ask(t, q.binh, map[string]any{"title": "Câu hỏi gửi trước, trả lời sau"})
	newer := q.ask(t, q.binh, map[string]any{"title": "Câu hỏi gửi sau, trả lời trước"})
	for _, x := range []questionBody{newer, older} {
		mustStatus(t, setStatus(q.staff, x.ID, map[string]any{"status": "accepted"}), 200, "accept")
		mustStatus(t, q.staff.do("POST", "/api/v1/questions/"+x.ID+"/answers", map[string]string{"body": "Trả lời."}), 201, "answer")
	}
	newClient(t, q.srv.URL).do("GET", "/api/v1/answers/feed", nil).decode(t, &feed)
	var got []string
	for _, it := range feed.Items {
		got = append(got, it.QuestionID)
	}
	if want := []string{older.ID, newer.ID, public.ID}; !slices.Equal(got, want) {
		t.Errorf("feed = %v, want %v (latest answer first)", got, want)
	}
}

// TestQARemovedStaffLosesAgencyTopic: a staff member removed from the
// agency is cut from agency:{id} on every socket, and may not subscribe
// again.
func TestQARemovedStaffLosesAgencyTopic(t *testing.T) {
	q := newQA(t, nil)
	header := sessionHeader(t, q.srv, q.staff2)
	ws := dialWS(t, q.srv, header)
	subscribed(t, ws, "agency:"+q.xd)
	if res := q.admin.do("DELETE", "/api/v1/agencies/"+q.xd+"/staff/"+q.staff2ID, nil); res.Status != 204 {
		t.Fatalf("remove staff = %d %s", res.Status, res.Body)
	}
	var ne net.Error
	if err := waitClosed(t, ws); err == nil || (errors.As(err, &ne) && ne.Timeout()) {
		t.Fatalf("the removed staff member's socket stayed open (%v)", err)
	}
	ws = dialWS(t, q.srv, sessionHeader(t, q.srv, q.staff2))
	subscribe(t, ws, "agency:"+q.xd)
	if f := readFrame(t, ws); f.Op != "error" || f.Code != "forbidden" {
		t.Errorf("subscribe after removal = %+v, want forbidden", f)
	}
	// A resident never could.
	ws = dialWS(t, q.srv, sessionHeader(t, q.srv, q.lan))
	subscribe(t, ws, "agency:"+q.xd)
	if f := readFrame(t, ws); f.Op != "error" || f.Code != "forbidden" {
		t.Errorf("resident subscribes to agency topic = %+v, want forbidden", f)
	}
}

// TestQAAdminSetAnswerDays: the admin command sets an agency's answer days,
// and refuses a bad number or agency without changing anything.
func TestQAAdminSetAnswerDays(t *testing.T) {
	q := newQA(t, nil)
	if out := adminCmd(t, q.env, "set-answer-days", "--agency", "so-xay-dung", "--days", "12"); !strings.Contains(out, "12 working days") {
		t.Errorf("set-answer-days printed %q", out)
	}
	var s struct {
		AnswerDays int `json:"answer_days"`
	}
	q.lan.do("GET", "/api/v1/agencies/"+q.xd+"/qa-settings", nil).decode(t, &s)
	if s.AnswerDays != 12 {
		t.Errorf("answer_days = %d, want 12", s.AnswerDays)
	}
	for _, args := range [][]string{{"--agency", "so-xay-dung", "--days", "0"}, {"--agency", "khong-co", "--days", "3"}} {
		if err := run(context.Background(), append([]string{"admin", "set-answer-days"}, args...), func(k string) string { return q.env[k] }, io.Discard, io.Discard); err == nil {
			t.Errorf("set-answer-days %v succeeded", args)
		}
	}
	q.lan.do("GET", "/api/v1/agencies/"+q.xd+"/qa-settings", nil).decode(t, &s)
	if s.AnswerDays != 12 {
		t.Errorf("answer_days after refused commands = %d, want 12", s.AnswerDays)
	}
}

// TestQALimits: questions are rate-limited per user (429 with Retry-After)
// and a text too long for the sanitizer is refused, each storing nothing.
func TestQALimits(t *testing.T) {
	q := newQA(t, map[string]string{"CIVICHUB_RATE_QUESTION": "2/1h"})
	q.ask(t, q.lan, nil)
	q.ask(t, q.lan, nil)
	res := q.lan.do("POST", "/api/v1/questions", map[string]any{"agency_id": q.xd, "title": "Câu hỏi thứ ba trong một giờ", "body": "Nội dung"})
	if res.Status != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
		t.Errorf("third question in an hour = %d (Retry-After %q), want 429 with Retry-After", res.Status, res.Header.Get("Retry-After"))
	}
	// Another user is not limited by the first one's questions.
	q.ask(t, q.binh, nil)
	long := strings.Repeat("Nội dung rất dài. ", 2000)
	if res := q.binh.do("POST", "/api/v1/questions", map[string]any{"agency_id": q.xd, "title": "Câu hỏi có nội dung quá dài", "body": long}); res.Status != 400 || !strings.Contains(string(res.Body), `"body"`) {
		t.Errorf("a %d-byte body = %d %s, want 400 naming body", len(long), res.Status, res.Body)
	}
	var mine struct{ Items []any }
	q.lan.do("GET", "/api/v1/questions?mine=true", nil).decode(t, &mine)
	if len(mine.Items) != 2 {
		t.Errorf("the limited user has %d questions, want 2", len(mine.Items))
	}
	q.binh.do("GET", "/api/v1/questions?mine=true", nil).decode(t, &mine)
	if len(mine.Items) != 1 {
		t.Errorf("the user with a refused long question has %d questions, want 1", len(mine.Items))
	}
}

// TestQAModerationIsAudited: a moderator's rejection, forward and comment
// moderation are in the audit log with their reasons; residents cannot
// moderate comments.
func TestQAModerationIsAudited(t *testing.T) {
	q := newQA(t, nil)
	spam := q.ask(t, q.binh, map[string]any{"title": "Quảng cáo bán đất nền giá rẻ"})
	mustStatus(t, setStatus(q.mod, spam.ID, map[string]any{"status": "rejected", "reason": "Nội dung quảng cáo"}), 200, "reject")
	moved := q.ask(t, q.lan, nil)
	mustStatus(t, q.mod.do("POST", "/api/v1/questions/"+moved.ID+"/forward", map[string]string{"agency_id": q.tn, "reason": "Sai cơ quan"}), 200, "forward")
	mustStatus(t, setStatus(q.other, moved.ID, map[string]any{"status": "accepted"}), 200, "accept")
	res := q.binh.do("POST", "/api/v1/questions/"+moved.ID+"/comments", map[string]string{"body": "Ý kiến thêm"})
	mustStatus(t, res, 201, "comment")
	var c struct{ ID string }
	res.decode(t, &c)
	if res := q.lan.do("POST", "/api/v1/mod/comments/"+c.ID+"/hide", map[string]string{"reason": "Lạc đề"}); res.Status != 403 {
		t.Errorf("resident hides a comment = %d, want 403", res.Status)
	}
	mustStatus(t, q.mod.do("POST", "/api/v1/mod/comments/"+c.ID+"/hide", map[string]string{"reason": "Lạc đề với câu hỏi"}), 200, "hide comment")
	var log struct {
		Items []struct{ Action, Reason string } `json:"items"`
	}
	q.mod.do("GET", "/api/v1/mod/audit", nil).decode(t, &log)
	found := map[string]string{}
	for _, e := range log.Items {
		found[e.Action] = e.Reason
	}
	for action, reason := range map[string]string{"question.rejected": "Nội dung quảng cáo", "question.forwarded": "Sai cơ quan", "comment.hidden": "Lạc đề với câu hỏi"} {
		if got, ok := found[action]; !ok || got != reason {
			t.Errorf("audit %s = %q (present %v), want reason %q; log %+v", action, got, ok, reason, log.Items)
		}
	}
	if _, ok := found["question.accepted"]; ok {
		t.Errorf("the agency's own acceptance is in the moderators' audit log")
	}
}
