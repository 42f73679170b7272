package frontend_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/civichub/civichub/accounts"
	"github.com/civichub/civichub/frontend"
	"github.com/civichub/civichub/i18n"
	"github.com/civichub/civichub/qa"
)

// qaSite is a site with the Q&A section: two agencies, a staff member of
// the first, two residents, a moderator and an admin, and three questions
// of Lan's to the first agency: one answered, one accepted and waiting,
// and one private, only submitted, with contact details.
type qaSite struct {
	*harness
	agency, other                *accounts.Agency
	staff, lan, binh, mod, admin *client
	staffU, lanU, binhU, modU    *accounts.User
	answered, waiting, private   *qa.Question
}

func newQASite(t *testing.T) *qaSite {
	t.Helper()
	h := newHarness(t, config{qa: true})
	s := &qaSite{harness: h}
	s.agency = h.agency("so-xay-dung", "Sở Xây dựng", "Department of Construction")
	s.other = h.agency("so-tu-phap", "Sở Tư pháp", "Department of Justice")
	s.staff, s.staffU = h.staffOf(s.agency, "canbo@example.vn")
	s.admin, _ = h.as(accounts.Admin)
	s.mod, s.modU = h.as(accounts.Moderator)
	s.lanU = h.user(accounts.Resident, "lan@example.vn", "Nguyễn Thị Lan")
	s.binhU = h.user(accounts.Resident, "binh@example.vn", "Trần Văn Bình")
	s.lan, s.binh = h.client(), h.client()
	s.lan.login("lan@example.vn", "password-1")
	s.binh.login("binh@example.vn", "password-1")

	s.answered = s.ask(qa.NewQuestion{Title: "Xây nhà 3 tầng có cần giấy phép không?", Body: "Đất **80 m²** ở phường Hải Châu."})
	s.accept(s.answered.ID)
	if _, _, err := h.qa.Answer(ctx, s.staffU, s.answered.ID, "Cần có giấy phép xây dựng, thời hạn **15 ngày**."); err != nil {
		t.Fatalf("Answer = %v", err)
	}
	s.waiting = s.ask(qa.NewQuestion{Title: "Tra cứu quy hoạch thửa đất ở đâu?", Body: "Thửa đất số 125, tờ bản đồ số 12."})
	s.accept(s.waiting.ID)
	s.private = s.ask(qa.NewQuestion{Title: "Công trình bên cạnh xây lấn ranh giới", Body: "Lấn sang khoảng 20 cm.", Private: true,
		Contact: &qa.Contact{Name: "Nguyễn Thị Lan", Phone: "0905 123 456"}})
	return s
}

// ask asks the site's agency a question as Lan.
func (s *qaSite) ask(in qa.NewQuestion) *qa.Question {
	s.t.Helper()
	if in.AgencyID == "" {
		in.AgencyID = s.agency.ID
	}
	q, err := s.qa.Ask(ctx, s.lanU, in)
	if err != nil {
		s.t.Fatalf("Ask(%q) = %v", in.Title, err)
	}
	return q
}

func (s *qaSite) accept(id string) {
	s.t.Helper()
	if _, err := s.qa.ChangeStatus(ctx, s.staffU, id, qa.StatusChange{Status: qa.Accepted}); err != nil {
		s.t.Fatalf("accept = %v", err)
	}
}

// status returns the stored question's status.
func (s *qaSite) status(id string) qa.Status {
	s.t.Helper()
	q, err := s.qa.Store().Question(ctx, id)
	if err != nil {
		s.t.Fatalf("Question(%s) = %v", id, err)
	}
	return q.Status
}

func TestQAPagesRender(t *testing.T) {
	s := newQASite(t)
	guest := s.client()
	ag := s.agency.ID
	pages := []struct {
		name, path string
		c          *client
		want       []string
	}{
		{"guest", "/questions", guest, []string{esc(s.answered.Title), esc(s.waiting.Title), "qa.login_to_ask", `href="/agencies"`}},
		{"guest", "/questions?agency=" + ag + "&status=answered", guest, []string{esc(s.answered.Title), `<option value="answered" selected>`}},
		{"guest", "/questions/" + s.answered.ID, guest, []string{"<strong>80 m²</strong>", "<strong>15 ngày</strong>", `href="/agencies/` + ag + `/scorecard"`,
			"Cán Bộ so-xay-dung, Chuyên viên", "qa.answer", "qa.history", "qa.login_to_comment", `data-topic="question:` + s.answered.ID + `"`}},
		{"guest", "/questions/" + s.waiting.ID, guest, []string{"qa.waiting_answer", "qa.deadline"}},
		{"guest", "/agencies", guest, []string{`href="/agencies/` + ag + `/scorecard"`, `href="/questions/new?agency=` + ag + `"`}},
		{"guest", "/agencies/" + ag + "/scorecard", guest, []string{"scorecard.received", "scorecard.on_time_share", `data-figure="answered-30">1<`,
			`data-figure="open">2<`, `data-figure="share-30">100%<`}},
		{"guest", "/", guest, []string{"feed.title", `data-feed="feed:answers"`, esc(s.answered.Title), `href="/agencies/` + ag + `/scorecard"`}},
		{"guest", "/search?q=giay+phep", guest, []string{`href="/questions/` + s.answered.ID + `"`, "search.kind_question"}},
		{"resident", "/questions/new", s.binh, []string{`name="agency"`, `name="topic"`, `name="subject"`, `name="body"`, `name="private"`,
			`name="contact_phone"`, "hint.contact"}},
		{"resident", "/questions/new?agency=" + ag, s.binh, []string{`<option value="` + ag + `" selected>`}},
		{"asker", "/questions?mine=true", s.lan, []string{esc(s.private.Title), esc(s.answered.Title), "qa.private"}},
		{"asker", "/questions/" + s.private.ID, s.lan, []string{"0905 123 456", "qa.contact_note", "qa.waiting_accept", "qa.private"}},
		{"resident", "/questions/" + s.answered.ID, s.binh, []string{"qa.upvote", "qa.follow", `action="/questions/` + s.answered.ID + `/comments"`}},
		{"staff", "/questions/" + s.private.ID, s.staff, []string{"0905 123 456", `value="accepted"`, `value="rejected"`, `name="reason"`,
			`action="/questions/` + s.private.ID + `/forward"`, `<option value="` + s.other.ID + `">`}},
		{"staff", "/questions/" + s.waiting.ID, s.staff, []string{`action="/questions/` + s.waiting.ID + `/answer"`, `value="assigned"`,
			`<option value="` + s.staffU.ID + `" selected>`}},
		{"staff", "/questions/" + s.answered.ID, s.staff, []string{`action="/questions/` + s.answered.ID + `/revise"`, "Cần có giấy phép xây dựng, thời hạn **15 ngày**."}},
		{"staff", "/agencies/" + ag + "/questions", s.staff, []string{esc(s.private.Title), `data-topic="agency:` + ag + `"`, `value="accepted"`,
			`href="/agencies/` + ag + `/questions"`}},
		{"staff", "/agencies/" + ag + "/questions?tab=accepted", s.staff, []string{esc(s.waiting.Title), "queue.take", `href="/questions/` + s.waiting.ID + `#answer-form"`}},
		{"staff", "/agencies/" + ag + "/questions?tab=answered", s.staff, []string{esc(s.answered.Title)}},
		{"staff", "/me", s.staff, []string{`href="/agencies/` + ag + `/questions"`}},
		{"moderator", "/questions/" + s.private.ID, s.mod, []string{esc(s.private.Title), `value="accepted"`}},
		{"admin", "/admin/agencies/" + ag, s.admin, []string{`name="answer_days"`, `value="5"`, `action="/admin/agencies/` + ag + `/answer-days"`}},
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

func TestQAPrivateQuestionIsNotFoundForOthers(t *testing.T) {
	s := newQASite(t)
	other := s.agency2Staff()
	id := s.private.ID
	for _, tc := range []struct {
		name string
		c    *client
		want int
	}{
		{"guest", s.client(), http.StatusNotFound},
		{"another resident", s.binh, http.StatusNotFound},
		{"another agency's staff", other, http.StatusNotFound},
		{"the asker", s.lan, http.StatusOK},
		{"the agency's staff", s.staff, http.StatusOK},
		{"a moderator", s.mod, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.c.get("/questions/" + id)
			expect(t, "GET the private question", r, tc.want)
			if tc.want == http.StatusNotFound {
				if strings.Contains(r.body, esc(s.private.Title)) || strings.Contains(r.body, "0905 123 456") {
					t.Errorf("the 404 page shows the private question")
				}
				expect(t, "its live parts", tc.c.get("/questions/"+id+"/parts"), http.StatusNotFound)
				for _, path := range []string{"/questions", "/questions?mine=true", "/search?q=ranh+gioi"} {
					if r := tc.c.get(path); strings.Contains(r.body, esc(s.private.Title)) {
						t.Errorf("GET %s lists the private question", path)
					}
				}
			}
		})
	}
	// Contact details are the agency's: a moderator reads the question
	// but not them.
	if r := s.mod.get("/questions/" + id); strings.Contains(r.body, "0905 123 456") {
		t.Errorf("a moderator sees the asker's contact details")
	}
}

// agency2Staff returns a client on the staff of the other agency.
func (s *qaSite) agency2Staff() *client {
	c, _ := s.staffOf(s.other, "tuphap@example.vn")
	return c
}

func TestQAStaffToolsHiddenFromOthers(t *testing.T) {
	s := newQASite(t)
	other := s.agency2Staff()
	staffOnly := []string{"/answer\"", "/forward\"", `value="accepted"`, `value="assigned"`, `name="assignee_id"`, "/revise\""}
	for _, tc := range []struct {
		name string
		c    *client
	}{{"guest", s.client()}, {"resident", s.binh}, {"asker", s.lan}, {"another agency's staff", other}} {
		for _, q := range []*qa.Question{s.answered, s.waiting} {
			r := tc.c.get("/questions/" + q.ID)
			expect(t, tc.name+" GET "+q.ID, r, http.StatusOK)
			for _, s := range staffOnly {
				if strings.Contains(r.body, s) {
					t.Errorf("%s sees %s on %s", tc.name, s, q.Title)
				}
			}
		}
	}
	// The queue is the agency's staff's only.
	queue := "/agencies/" + s.agency.ID + "/questions"
	for _, c := range []*client{s.binh, other, s.mod} {
		expect(t, "GET the queue as another", c.get(queue), http.StatusForbidden, esc(i18n.T(i18n.VI, "not_agency_staff")))
		expect(t, "its live part", c.get(queue+"/parts"), http.StatusForbidden)
	}
	if r := s.client().get(queue); r.status != http.StatusSeeOther || !strings.HasPrefix(r.location(), "/login?next=") {
		t.Errorf("GET the queue as a guest = %d %q, want a redirect to the login page", r.status, r.location())
	}
	// A resident's post of the agency's forms changes nothing.
	for _, p := range []struct {
		path string
		form url.Values
	}{
		{"/questions/" + s.waiting.ID + "/answer", url.Values{"body": {"Tôi trả lời thay."}}},
		{"/questions/" + s.private.ID + "/status", url.Values{"status": {"accepted"}}},
		{"/questions/" + s.waiting.ID + "/forward", url.Values{"agency": {s.other.ID}, "reason": {"Không thuộc thẩm quyền"}}},
	} {
		if r := s.binh.post(p.path, p.form); r.status < 400 {
			t.Errorf("POST %s as a resident = %d, want an error", p.path, r.status)
		}
	}
	if s.status(s.waiting.ID) != qa.Accepted || s.status(s.private.ID) != qa.Submitted {
		t.Errorf("a resident's posts changed the questions")
	}
	if _, err := s.qa.Store().AnswerFor(ctx, s.waiting.ID); err == nil {
		t.Errorf("a resident's answer was stored")
	}
}

func TestQAAskForm(t *testing.T) {
	s := newQASite(t)
	valid := url.Values{"agency": {s.agency.ID}, "topic": {"Cấp phép"}, "subject": {"Thời hạn cấp giấy phép xây dựng là bao lâu?"},
		"body": {"Xin hỏi thời hạn."}, "contact_phone": {"0905 000 111"}}
	with := func(k, v string) url.Values {
		f := url.Values{}
		for key, vs := range valid {
			f[key] = vs
		}
		f.Set(k, v)
		return f
	}
	for _, tc := range []struct {
		name, field, key string
		form             url.Values
	}{
		{"no agency", "agency", "required", with("agency", "")},
		{"unknown agency", "agency", "unknown_agency", with("agency", "01hzzzzzzzzzzzzzzzzzzzzzzz")},
		{"short title", "subject", "question_title_too_short", with("subject", "Hỏi?")},
		{"empty body", "body", "required", with("body", " ")},
		{"bad email", "contact_email", "invalid_email", with("contact_email", "không phải email")},
		{"bad phone", "contact_phone", "invalid_phone", with("contact_phone", "gọi tôi")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, lang := range []i18n.Lang{i18n.VI, i18n.EN} {
				s.binh.acceptLanguage = string(lang)
				r := s.binh.post("/questions/new", tc.form)
				s.binh.acceptLanguage = ""
				msg := esc(i18n.T(lang, tc.key))
				expect(t, "POST /questions/new", r, http.StatusBadRequest, `id="f-`+tc.field+`-error"`, msg, `href="#f-`+tc.field+`"`,
					`aria-invalid="true"`)
				checkPage(t, "POST /questions/new", r, lang)
				// What was typed comes back.
				if v := tc.form.Get("subject"); !strings.Contains(r.body, esc(v)) {
					t.Errorf("the refused form lost the title %q", v)
				}
			}
		})
	}
	if list, _, _ := s.qa.List(ctx, s.binhU, qa.ListParams{Mine: true, Limit: 10}); len(list) != 0 {
		t.Fatalf("refused forms stored %d questions", len(list))
	}

	// A guest is sent to log in first.
	if r := s.client().get("/questions/new"); r.status != http.StatusSeeOther || !strings.HasPrefix(r.location(), "/login?next=") {
		t.Errorf("GET /questions/new as a guest = %d %q", r.status, r.location())
	}

	f := with("private", "on")
	r := s.binh.post("/questions/new", f)
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.location(), "/questions/") {
		t.Fatalf("POST /questions/new = %d %q\n%s", r.status, r.location(), r.body)
	}
	page := s.binh.get(r.location())
	expect(t, "the new question", page, http.StatusOK, esc(frontend.Text(i18n.VI, "notice.question_sent")), esc(f.Get("subject")),
		"0905 000 111", "Cấp phép", esc(frontend.Text(i18n.VI, "qa.private")))
	id := strings.TrimPrefix(r.location(), "/questions/")
	q, err := s.qa.Store().Question(ctx, id)
	if err != nil || !q.Private || q.Contact.Phone != "0905 000 111" || q.AgencyID != s.agency.ID || q.Field != "Cấp phép" {
		t.Errorf("stored question = %+v, %v", q, err)
	}
	if !s.events.has(qa.AgencyTopic(s.agency.ID), "question.created") {
		t.Errorf("the agency's staff were not told")
	}
}

func TestQAStaffHandlesAQuestionThroughTheForms(t *testing.T) {
	s := newQASite(t)
	id := s.private.ID
	page := "/questions/" + id
	queue := "/agencies/" + s.agency.ID + "/questions"

	// Refused forms show their error next to the field and change nothing.
	refused := []struct {
		name, path string
		form       url.Values
		input, key string
		status     int
	}{
		{"reject without a reason", page + "/status", url.Values{"status": {"rejected"}, "reason": {""}}, "reason-reject", "required", http.StatusBadRequest},
		{"forward to the same agency", page + "/forward", url.Values{"agency": {s.agency.ID}, "reason": {"Chuyển thử"}}, "", "same_agency", http.StatusBadRequest},
		{"forward without a reason", page + "/forward", url.Values{"agency": {s.other.ID}, "reason": {"x"}}, "reason-forward", "reason_too_short", http.StatusBadRequest},
		{"answer before acceptance", page + "/answer", url.Values{"body": {"Trả lời sớm."}}, "", "invalid_transition", http.StatusConflict},
	}
	for _, tc := range refused {
		r := s.staff.post(tc.path, tc.form)
		expect(t, tc.name, r, tc.status, esc(i18n.T(i18n.VI, tc.key)))
		if tc.input != "" {
			expect(t, tc.name, r, tc.status, `id="`+tc.input+`-error"`, `href="#`+tc.input+`"`)
		}
		checkPage(t, tc.name, r, i18n.VI)
	}
	if st := s.status(id); st != qa.Submitted {
		t.Fatalf("after refused forms the status is %s", st)
	}

	// Accept from the queue, in one click, back to the queue.
	r := s.staff.post(page+"/status", url.Values{"status": {"accepted"}, "back": {queue + "?tab=submitted"}})
	if r.status != http.StatusSeeOther || r.location() != queue+"?tab=submitted" {
		t.Fatalf("accept = %d %q", r.status, r.location())
	}
	expect(t, "the queue after", s.staff.get(r.location()), http.StatusOK, esc(frontend.Text(i18n.VI, "notice.question_accepted")))
	// Assign to self in one click.
	r = s.staff.post(page+"/status", url.Values{"status": {"assigned"}, "back": {queue + "?tab=accepted"}})
	if r.status != http.StatusSeeOther || s.status(id) != qa.Assigned {
		t.Fatalf("assign = %d, status %s", r.status, s.status(id))
	}
	expect(t, "assigned tab", s.staff.get(queue+"?tab=assigned"), http.StatusOK, esc(s.private.Title), esc(frontend.Text(i18n.VI, "queue.me")))
	// Each tab counts its questions; this one is the only assigned one.
	expect(t, "assigned tab's count", s.staff.get(queue+"?tab=assigned"), http.StatusOK,
		esc(frontend.Text(i18n.VI, "queue.tab.assigned"))+` <span class="count">(1)</span>`)

	// An empty answer is refused next to its field; then the answer.
	r = s.staff.post(page+"/answer", url.Values{"body": {"  "}})
	expect(t, "empty answer", r, http.StatusBadRequest, `id="body-answer-error"`)
	r = s.staff.post(page+"/answer", url.Values{"body": {"Đề nghị gửi đơn đến **UBND phường**."}})
	if r.status != http.StatusSeeOther || r.location() != page+"#answer" {
		t.Fatalf("answer = %d %q\n%s", r.status, r.location(), r.body)
	}
	if !s.events.has(qa.QuestionTopic(id), "answer.published") {
		t.Errorf("answer.published was not published on the question's topic")
	}
	// A second answer is refused.
	r = s.staff.post(page+"/answer", url.Values{"body": {"Một câu trả lời nữa."}})
	expect(t, "second answer", r, http.StatusConflict, esc(i18n.T(i18n.VI, "already_answered")))

	// A revision needs a reason; with one, the earlier text stays visible.
	r = s.staff.post(page+"/revise", url.Values{"body": {"Đề nghị gửi đơn đến **UBND quận**."}, "reason": {""}})
	expect(t, "revision without a reason", r, http.StatusBadRequest, `id="reason-revise-error"`, "UBND quận")
	r = s.staff.post(page+"/revise", url.Values{"body": {"Đề nghị gửi đơn đến **UBND quận**."}, "reason": {"Sửa cấp giải quyết"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("revise = %d\n%s", r.status, r.body)
	}
	r = s.lan.get(page)
	expect(t, "the asker's page after the revision", r, http.StatusOK, "<strong>UBND quận</strong>", "<strong>UBND phường</strong>",
		"Sửa cấp giải quyết", "<details", esc(frontend.Text(i18n.VI, "qa.version_first")), esc(frontend.Text(i18n.VI, "qa.history.revised")),
		`value="closed"`)

	// The asker comments, then closes; a closed question takes no comments.
	r = s.lan.post(page+"/comments", url.Values{"body": {""}})
	expect(t, "empty comment", r, http.StatusBadRequest, `id="body-comment-error"`)
	r = s.lan.post(page+"/comments", url.Values{"body": {"Cảm ơn cơ quan."}})
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.location(), page+"#comment-") {
		t.Fatalf("comment = %d %q", r.status, r.location())
	}
	r = s.lan.post(page+"/status", url.Values{"status": {"closed"}})
	if r.status != http.StatusSeeOther || s.status(id) != qa.Closed {
		t.Fatalf("close = %d, status %s", r.status, s.status(id))
	}
	r = s.lan.get(page)
	expect(t, "closed question", r, http.StatusOK, "Cảm ơn cơ quan.", esc(frontend.Text(i18n.VI, "qa.comments_closed")))
	if strings.Contains(r.body, `action="`+page+`/comments"`) {
		t.Errorf("a closed question offers the comment form")
	}
}

func TestQAForwardAndUpvote(t *testing.T) {
	s := newQASite(t)
	page := "/questions/" + s.waiting.ID
	r := s.staff.post(page+"/forward", url.Values{"agency": {s.other.ID}, "reason": {"Thuộc thẩm quyền Sở Tư pháp"},
		"back": {"/agencies/" + s.agency.ID + "/questions"}})
	if r.status != http.StatusSeeOther || r.location() != page {
		t.Fatalf("forward = %d %q", r.status, r.location())
	}
	expect(t, "after the forward", s.binh.get(page), http.StatusOK, "Sở Tư pháp", "Thuộc thẩm quyền Sở Tư pháp",
		esc(frontend.Text(i18n.VI, "qa.history.forwarded", "Sở Xây dựng", "Sở Tư pháp")))
	// The old agency's staff lose a private question they forward: they
	// go back to their queue.
	s.accept(s.private.ID)
	r = s.staff.post("/questions/"+s.private.ID+"/forward", url.Values{"agency": {s.other.ID}, "reason": {"Không thuộc thẩm quyền"},
		"back": {"/agencies/" + s.agency.ID + "/questions"}})
	if r.status != http.StatusSeeOther || r.location() != "/agencies/"+s.agency.ID+"/questions" {
		t.Errorf("forward of a private question = %d %q", r.status, r.location())
	}

	// Upvotes: not one's own; once each.
	ans := "/questions/" + s.answered.ID
	if r := s.lan.get(ans); strings.Contains(r.body, `action="`+ans+`/upvote"`) {
		t.Errorf("the asker is offered to upvote their own question")
	}
	r = s.lan.post(ans+"/upvote", url.Values{"upvote": {"on"}})
	expect(t, "own upvote", r, http.StatusForbidden, esc(i18n.T(i18n.VI, "own_question")))
	for range 2 {
		if r := s.binh.post(ans+"/upvote", url.Values{"upvote": {"on"}}); r.status != http.StatusSeeOther {
			t.Fatalf("upvote = %d", r.status)
		}
	}
	expect(t, "after the upvote", s.binh.get(ans), http.StatusOK, "<strong data-upvotes>1</strong>", esc(frontend.Text(i18n.VI, "qa.unvote")))
	if r := s.binh.post(ans+"/follow", url.Values{"follow": {"on"}}); r.status != http.StatusSeeOther {
		t.Fatalf("follow = %d", r.status)
	}
	expect(t, "after following", s.binh.get(ans), http.StatusOK, esc(frontend.Text(i18n.VI, "qa.unfollow")))
}

func TestQALiveParts(t *testing.T) {
	s := newQASite(t)
	r := s.staff.get("/questions/" + s.waiting.ID + "/parts")
	expect(t, "question parts", r, http.StatusOK, `data-part="state"`, `data-part="answer"`, `data-part="staff"`, `data-part="history"`,
		`data-part="comments"`, `data-part="comment-form"`, `action="/questions/`+s.waiting.ID+`/answer"`)
	if strings.Contains(r.body, "<html") || strings.Contains(r.body, "<main") {
		t.Errorf("the parts carry the layout")
	}
	r = s.staff.get("/agencies/" + s.agency.ID + "/questions/parts?tab=submitted")
	expect(t, "queue parts", r, http.StatusOK, `data-part="queue"`, esc(s.private.Title))
	if strings.Contains(r.body, "<html") {
		t.Errorf("the queue part carries the layout")
	}
}

func TestQAAnswerDaysAndScorecard(t *testing.T) {
	s := newQASite(t)
	path := "/admin/agencies/" + s.agency.ID + "/answer-days"
	for _, v := range []string{"abc", "0", "61"} {
		r := s.admin.post(path, url.Values{"answer_days": {v}})
		expect(t, "answer days "+v, r, http.StatusBadRequest, `id="f-answer_days-error"`, esc(i18n.T(i18n.VI, "out_of_range")))
	}
	if r := s.staff.post(path, url.Values{"answer_days": {"7"}}); r.status != http.StatusForbidden {
		t.Errorf("answer days by staff = %d, want 403", r.status)
	}
	r := s.admin.post(path, url.Values{"answer_days": {" 7 "}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("answer days = %d\n%s", r.status, r.body)
	}
	expect(t, "admin page", s.admin.get("/admin/agencies/"+s.agency.ID), http.StatusOK, `value="7"`)
	expect(t, "scorecard", s.client().get("/agencies/"+s.agency.ID+"/scorecard"), http.StatusOK,
		esc(frontend.Text(i18n.VI, "scorecard.days", 7)))
	expect(t, "unknown agency", s.client().get("/agencies/01hzzzzzzzzzzzzzzzzzzzzzzz/scorecard"), http.StatusNotFound)
}

func TestQAEmbedAnswers(t *testing.T) {
	s := newQASite(t)
	r := s.client().get("/embed/answers?lang=en")
	expect(t, "GET /embed/answers", r, http.StatusOK, `<html lang="en">`, esc(s.answered.Title), `target="_blank"`,
		`data-feed="feed:answers"`, "Department of Construction")
	if csp := r.header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'self'") {
		t.Errorf("the widget's CSP %q does not let frames in", csp)
	}
	if r := s.client().get("/questions"); r.header.Get("X-Frame-Options") == "" && !strings.Contains(r.header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Errorf("the question list may be framed")
	}
}

func TestQATexts(t *testing.T) {
	for key := range frontend.QATexts {
		if _, ok := frontend.PageTexts[key]; ok {
			t.Errorf("text %q is defined twice", key)
		}
		if _, ok := frontend.ForumTexts[key]; ok {
			t.Errorf("text %q is defined twice", key)
		}
	}
	// Keys the pages build from values.
	var keys []string
	for _, st := range qa.Statuses {
		keys = append(keys, "qa.status."+string(st))
	}
	for _, a := range []string{"submitted", "accepted", "rejected", "assigned", "answered", "closed", "forwarded", "revised", "reopened"} {
		keys = append(keys, "qa.history."+a)
	}
	for _, tab := range []string{"submitted", "accepted", "assigned", "answered", "overdue"} {
		keys = append(keys, "queue.tab."+tab)
	}
	for _, k := range keys {
		if !frontend.HasText(k) {
			t.Errorf("%s has no text", k)
		}
	}
}
