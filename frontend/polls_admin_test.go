package frontend_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/civichub/civichub/accounts"
	"github.com/civichub/civichub/frontend"
	"github.com/civichub/civichub/i18n"
	"github.com/civichub/civichub/polls"
)

// staffOf returns a client logged in as a resident on the staff of a.
func (h *harness) staffOf(a *accounts.Agency, email string) (*client, *accounts.User) {
	h.t.Helper()
	u := h.user(accounts.Resident, email, "Cán Bộ "+a.Slug)
	if _, err := h.svc.AddStaff(ctx, accounts.System, a.ID, u.ID, "Chuyên viên"); err != nil {
		h.t.Fatalf("AddStaff = %v", err)
	}
	c := h.client()
	c.login(email, "password-1")
	return c, u
}

func TestPollAdminPagesRefuseOthers(t *testing.T) {
	h := newPollHarness(t)
	pv := h.newPoll(portalPoll(nil))
	resident, _ := h.as(accounts.Resident)
	moderator, _ := h.as(accounts.Moderator)
	gets := []string{"/admin/polls", "/admin/polls/new", "/admin/polls/" + pv.ID, "/admin/polls/" + pv.ID + "/edit"}
	posts := []string{"/admin/polls", "/admin/polls/" + pv.ID, "/admin/polls/" + pv.ID + "/status"}
	guest := h.client()
	for _, path := range gets {
		r := guest.get(path)
		if want := "/login?next=" + url.QueryEscape(path); r.status != http.StatusSeeOther || r.location() != want {
			t.Errorf("GET %s as guest = %d to %q, want 303 to %q", path, r.status, r.location(), want)
		}
		for name, c := range map[string]*client{"resident": resident, "moderator": moderator} {
			r := c.get(path)
			expect(t, "GET "+path+" as "+name, r, http.StatusForbidden, frontend.Text(i18n.VI, "error.forbidden"))
			checkPage(t, "GET "+path+" as "+name, r, i18n.VI)
		}
	}
	form := url.Values{"status": {"closed"}, "question_vi": {"Câu hỏi?"}, "options_vi": {"A\nB"}}
	for _, path := range posts {
		if r := guest.post(path, form); r.status != http.StatusSeeOther || !strings.HasPrefix(r.location(), "/login") {
			t.Errorf("POST %s as guest = %d to %q, want 303 to the login page", path, r.status, r.location())
		}
		expect(t, "POST "+path+" as resident", resident.post(path, form), http.StatusForbidden)
	}
	if got, _ := h.polls.Get(ctx, polls.Viewer{}, pv.ID); got.Status != polls.Open {
		t.Errorf("status after refused posts = %s, want open", got.Status)
	}
	if r := resident.get("/polls"); strings.Contains(r.body, `href="/admin/polls"`) {
		t.Errorf("the poll list offers a resident the management pages")
	}
}

func TestAdminCreatesAPollThroughTheForm(t *testing.T) {
	h := newPollHarness(t)
	a := h.agency("so-xay-dung", "Sở Xây dựng", "Department of Construction")
	admin, _ := h.as(accounts.Admin)

	r := admin.get("/admin/polls/new")
	expect(t, "GET /admin/polls/new", r, http.StatusOK, `name="question_vi"`, `<textarea id="f-options_vi"`,
		`type="datetime-local"`, `<option value="" selected>`, `<option value="`+a.ID+`">Sở Xây dựng</option>`,
		`name="audience" value="everyone" checked`, `name="results" value="always" checked`, "Asia/Ho_Chi_Minh")
	checkPage(t, "GET /admin/polls/new", r, i18n.VI)

	tests := []struct {
		name string
		lang i18n.Lang
		form url.Values
		want map[string]string // field -> message
	}{
		{"empty", i18n.VI, url.Values{}, map[string]string{
			"question_vi": i18n.T(i18n.VI, "required"), "options_vi": i18n.T(i18n.VI, "too_few_options")}},
		{"empty in en", i18n.EN, url.Values{}, map[string]string{
			"question_vi": i18n.T(i18n.EN, "required"), "options_vi": i18n.T(i18n.EN, "too_few_options")}},
		{"bad time", i18n.VI, url.Values{"question_vi": {"Q?"}, "options_vi": {"A\nB"}, "opens_at": {"mai"}},
			map[string]string{"opens_at": frontend.Text(i18n.VI, "error.poll_time")}},
		{"closes before opens", i18n.VI, url.Values{"question_vi": {"Q?"}, "options_vi": {"A\nB"},
			"opens_at": {"2030-06-30T08:00"}, "closes_at": {"2030-06-29T08:00"}},
			map[string]string{"closes_at": i18n.T(i18n.VI, "closes_before_opens")}},
		{"english options", i18n.EN, url.Values{"question_vi": {"Q?"}, "options_vi": {"A\nB"}, "options_en": {"A"}},
			map[string]string{"options_en": frontend.Text(i18n.EN, "error.poll_options_en")}},
		{"baseline", i18n.VI, url.Values{"question_vi": {"Q?"}, "options_vi": {"A\nB"}, "baseline": {"12, nhiều"}},
			map[string]string{"baseline": frontend.Text(i18n.VI, "error.poll_baseline")}},
		{"baseline length", i18n.VI, url.Values{"question_vi": {"Q?"}, "options_vi": {"A\nB"}, "baseline": {"12"}},
			map[string]string{"baseline": i18n.T(i18n.VI, "baseline_length")}},
		{"max choices", i18n.VI, url.Values{"question_vi": {"Q?"}, "options_vi": {"A\nB"}, "multiple": {"on"}, "max_choices": {"3"}},
			map[string]string{"max_choices": i18n.T(i18n.VI, "max_choices_range")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			admin.acceptLanguage = string(tc.lang)
			defer func() { admin.acceptLanguage = "" }()
			r := admin.post("/admin/polls", tc.form)
			expect(t, "POST /admin/polls", r, http.StatusBadRequest, frontend.Text(tc.lang, "form.problem"))
			for field, msg := range tc.want {
				expect(t, "POST /admin/polls", r, http.StatusBadRequest, `id="f-`+field+`-error"`, esc(msg), `href="#f-`+field+`"`)
			}
			checkPage(t, "POST /admin/polls", r, tc.lang)
		})
	}
	if list, _ := h.polls.List(ctx, polls.Viewer{}, polls.ListQuery{}); len(list) != 0 {
		t.Fatalf("refused forms created %d polls", len(list))
	}

	r = admin.post("/admin/polls", url.Values{
		"question_vi": {"Ý kiến về Trang thông tin điện tử?"}, "question_en": {"Your opinion of the portal?"},
		"options_vi": {"Đạt yêu cầu\r\nChưa đạt yêu cầu\r\n\r\nCần thêm chủ đề\r\n"},
		"options_en": {"Satisfactory\nNot satisfactory\nNeeds more topics"},
		"baseline":   {"1180, 107, 57"}, "audience": {"everyone"}, "results": {"after_vote"}, "status": {"open"},
		"opens_at": {"2030-06-30T08:00"}, "closes_at": {"2030-07-31T17:30"}, "agency_id": {a.ID},
	})
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.location(), "/admin/polls/") {
		t.Fatalf("POST /admin/polls = %d to %q\n%s", r.status, r.location(), r.body)
	}
	pollID := strings.TrimPrefix(r.location(), "/admin/polls/")
	p, err := h.polls.Store().Poll(ctx, pollID)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2030, 6, 30, 1, 0, 0, 0, time.UTC); p.OpensAt == nil || !p.OpensAt.Equal(want) {
		t.Errorf("OpensAt = %v, want %v (08:00 in Ho Chi Minh City)", p.OpensAt, want)
	}
	if want := time.Date(2030, 7, 31, 10, 30, 0, 0, time.UTC); p.ClosesAt == nil || !p.ClosesAt.Equal(want) {
		t.Errorf("ClosesAt = %v, want %v", p.ClosesAt, want)
	}
	if len(p.Options) != 3 || p.Options[2].VI != "Cần thêm chủ đề" || p.Options[2].EN != "Needs more topics" || p.Options[0].Baseline != 1180 ||
		p.AgencyID != a.ID || p.Results != polls.AfterVote || p.Status != polls.Open {
		t.Errorf("stored poll = %+v", p)
	}

	r = admin.get("/admin/polls/" + pollID)
	expect(t, "the poll's admin page", r, http.StatusOK, frontend.Text(i18n.VI, "notice.poll_created"),
		`href="/api/v1/polls/`+pollID+`/results.csv"`, `href="/api/v1/polls/`+pollID+`/results.json"`,
		esc(`<iframe src="https://congdan.example.gov.vn/embed/poll/`+pollID+`"`), portalOrigin,
		"1.180", "Sở Xây dựng", "08:00 30/06/2030", esc(frontend.Text(i18n.VI, "poll.status.scheduled")),
		`action="/admin/polls/`+pollID+`/status"`, `value="closed"`)
	checkPage(t, "the poll's admin page", r, i18n.VI)

	// Once open (here: scheduled), only the schedule and visibility change.
	r = admin.get("/admin/polls/" + pollID + "/edit")
	expect(t, "edit form of a scheduled poll", r, http.StatusOK, `value="2030-06-30T08:00"`, `value="2030-07-31T17:30"`,
		`name="results" value="after_vote" checked`)
	if strings.Contains(r.body, `name="options_vi"`) {
		t.Errorf("the edit form of an open poll offers to change its options")
	}
	checkPage(t, "edit form", r, i18n.VI)
	r = admin.post("/admin/polls/"+pollID, url.Values{"results": {"always"}, "opens_at": {""}, "closes_at": {"2030-07-31T18:00"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("POST edit = %d\n%s", r.status, r.body)
	}
	if p, _ = h.polls.Store().Poll(ctx, pollID); p.OpensAt != nil || p.Results != polls.Always || p.ClosesAt.Hour() != 11 {
		t.Errorf("after the edit: opens %v, results %s, closes %v", p.OpensAt, p.Results, p.ClosesAt)
	}
	expect(t, "public page once opened", h.visitor().get("/polls/"+pollID), http.StatusOK,
		esc(frontend.Text(i18n.VI, "poll.status.open")), "1. Đạt yêu cầu, <span data-votes>1.180</span>")

	for _, step := range []struct {
		status polls.Status
		code   int
		notice string
	}{
		{polls.Closed, http.StatusSeeOther, "notice.poll_closed"},
		{polls.Open, http.StatusConflict, ""},
		{polls.Archived, http.StatusSeeOther, "notice.poll_archived"},
	} {
		r := admin.post("/admin/polls/"+pollID+"/status", url.Values{"status": {string(step.status)}})
		if r.status != step.code {
			t.Errorf("status %s = %d, want %d\n%s", step.status, r.status, step.code, r.body)
		}
		if step.notice != "" {
			expect(t, "after "+string(step.status), admin.get("/admin/polls/"+pollID), http.StatusOK, frontend.Text(i18n.VI, step.notice))
		} else {
			expect(t, "refused "+string(step.status), r, step.code, esc(i18n.T(i18n.VI, "poll_transition")))
		}
	}
	expect(t, "archived tab", admin.get("/admin/polls?status=archived"), http.StatusOK, `href="/admin/polls/`+pollID+`"`)
}

func TestDraftIsEditedThenOpened(t *testing.T) {
	h := newPollHarness(t)
	admin, _ := h.as(accounts.Admin)
	r := admin.post("/admin/polls", url.Values{"question_vi": {"Nháp?"}, "options_vi": {"Có\nKhông"}, "status": {"draft"},
		"multiple": {"on"}, "baseline": {"5 6"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("create draft = %d\n%s", r.status, r.body)
	}
	pollID := strings.TrimPrefix(r.location(), "/admin/polls/")
	expect(t, "drafts tab", admin.get("/admin/polls?status=draft"), http.StatusOK, `href="/admin/polls/`+pollID+`"`)
	r = admin.get("/admin/polls/" + pollID + "/edit")
	expect(t, "draft edit form", r, http.StatusOK, `name="options_vi"`, "Có\nKhông</textarea>", `name="multiple" value="on" checked`, "5\n6</textarea>")

	r = admin.post("/admin/polls/"+pollID, url.Values{"question_vi": {"Bản sửa?"}, "options_vi": {"Có\nKhông\nChưa rõ"},
		"audience": {"members"}, "results": {"after_close"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("edit draft = %d\n%s", r.status, r.body)
	}
	p, _ := h.polls.Store().Poll(ctx, pollID)
	if p.Question.VI != "Bản sửa?" || len(p.Options) != 3 || p.Multiple || p.Audience != polls.Members || p.BaselineBallots != 0 {
		t.Errorf("edited draft = %+v", p)
	}
	if r := admin.post("/admin/polls/"+pollID+"/status", url.Values{"status": {"open"}}); r.status != http.StatusSeeOther {
		t.Fatalf("open = %d\n%s", r.status, r.body)
	}
	expect(t, "opened poll", admin.get("/admin/polls/"+pollID), http.StatusOK, frontend.Text(i18n.VI, "notice.poll_opened"))
	expect(t, "bad status", admin.post("/admin/polls/"+pollID+"/status", url.Values{"status": {"king"}}), http.StatusBadRequest)
}

func TestStaffManageTheirAgencysPolls(t *testing.T) {
	h := newPollHarness(t)
	mine := h.agency("so-xay-dung", "Sở Xây dựng", "Department of Construction")
	other := h.agency("so-y-te", "Sở Y tế", "Department of Health")
	staff, _ := h.staffOf(mine, "canbo@example.vn")
	theirs := h.newPoll(portalPoll(func(in *polls.NewPoll) { in.AgencyID = &other.ID }))

	r := staff.get("/admin/polls/new")
	expect(t, "staff's create form", r, http.StatusOK, `<option value="`+mine.ID+`" selected>Sở Xây dựng</option>`)
	if strings.Contains(r.body, other.ID) || strings.Contains(r.body, `<option value=""`) {
		t.Errorf("staff may choose another agency or none")
	}
	expect(t, "poll list as staff", staff.get("/polls"), http.StatusOK, `href="/admin/polls"`)
	r = staff.post("/admin/polls", url.Values{"question_vi": {"Cơ quan tôi?"}, "options_vi": {"A\nB"}, "status": {"open"}, "agency_id": {mine.ID}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("staff creates = %d\n%s", r.status, r.body)
	}
	ownID := strings.TrimPrefix(r.location(), "/admin/polls/")
	r = staff.post("/admin/polls", url.Values{"question_vi": {"Cơ quan khác?"}, "options_vi": {"A\nB"}, "agency_id": {other.ID}})
	expect(t, "staff creates for another agency", r, http.StatusForbidden)

	r = staff.get("/admin/polls")
	expect(t, "staff's poll list", r, http.StatusOK, `href="/admin/polls/`+ownID+`"`)
	if strings.Contains(r.body, theirs.ID) {
		t.Errorf("staff's list shows another agency's poll")
	}
	expect(t, "another agency's poll", staff.get("/admin/polls/"+theirs.ID), http.StatusForbidden)
	expect(t, "close another agency's poll", staff.post("/admin/polls/"+theirs.ID+"/status", url.Values{"status": {"closed"}}), http.StatusForbidden)
	if r := staff.post("/admin/polls/"+ownID+"/status", url.Values{"status": {"closed"}}); r.status != http.StatusSeeOther {
		t.Errorf("staff closes own poll = %d", r.status)
	}
}
