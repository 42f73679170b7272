package frontend_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/civichub/civichub/accounts"
	"github.com/civichub/civichub/frontend"
	"github.com/civichub/civichub/i18n"
	"github.com/civichub/civichub/polls"
)

const portalOrigin = "https://portal.example.gov.vn"

func newPollHarness(t *testing.T) *harness {
	t.Helper()
	hcm, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatalf("LoadLocation = %v", err)
	}
	return newHarness(t, config{polls: true, tz: hcm, origins: []string{portalOrigin, "http://localhost:3000"}})
}

// portalPoll is the portal's legacy poll with its imported counts;
// change adjusts it.
func portalPoll(change func(*polls.NewPoll)) polls.NewPoll {
	in := polls.NewPoll{
		Question: i18n.Text{VI: "Ý kiến về Trang thông tin điện tử?", EN: "Your opinion of the portal?"},
		Options: []i18n.Text{
			{VI: "Đạt yêu cầu", EN: "Satisfactory"}, {VI: "Chưa đạt yêu cầu", EN: "Not satisfactory"}, {VI: "Cần thêm chủ đề", EN: "Needs more topics"},
		},
		Audience: polls.Everyone, Results: polls.Always, Status: polls.Open, Baseline: []int64{1180, 107, 57},
	}
	if change != nil {
		change(&in)
	}
	return in
}

// newPoll creates a poll through the service as a new admin.
func (h *harness) newPoll(in polls.NewPoll) *polls.View {
	h.t.Helper()
	admin := h.user(accounts.Admin, "poll-admin-"+time.Now().Format("150405.000000000")+"@example.vn", "Quản Trị")
	pv, err := h.polls.Create(ctx, polls.Viewer{User: admin}, in)
	if err != nil {
		h.t.Fatalf("Create poll = %v", err)
	}
	return pv
}

func optionIDs(opts []polls.Option) []string {
	ids := make([]string, len(opts))
	for i, o := range opts {
		ids[i] = o.ID
	}
	return ids
}

// visitor is a guest who has opened a page, so that it holds a visitor
// cookie as a browser would.
func (h *harness) visitor() *client {
	c := h.client()
	c.get("/")
	return c
}

func TestPollPageVoteWithoutJavaScript(t *testing.T) {
	h := newPollHarness(t)
	pv := h.newPoll(portalPoll(nil))
	page := "/polls/" + pv.ID
	guest := h.visitor()

	r := guest.get(page)
	expect(t, "GET "+page, r, http.StatusOK, esc("Ý kiến về Trang thông tin điện tử?"),
		`action="/polls/`+pv.ID+`/vote"`, `type="radio"`, `name="option" value="`+pv.Options[0].ID+`"`,
		"1. Đạt yêu cầu, <span data-votes>1.180</span>", "(<span data-percent>88</span> %)",
		esc(frontend.Text(i18n.VI, "poll.total"))+` <strong data-poll-total>1.344</strong>`,
		`data-topic="poll:`+pv.ID+`"`, esc(frontend.Text(i18n.VI, "poll.status.open")))
	checkPage(t, "GET "+page, r, i18n.VI)

	r = guest.post(page+"/vote", url.Values{"option": {pv.Options[0].ID}})
	if r.status != http.StatusSeeOther || r.location() != page {
		t.Fatalf("POST vote = %d to %q, want 303 to %s\n%s", r.status, r.location(), page, r.body)
	}
	r = guest.get(page)
	expect(t, "the page after voting", r, http.StatusOK, frontend.Text(i18n.VI, "notice.voted"),
		esc(frontend.Text(i18n.VI, "poll.voted")), "<span data-votes>1.181</span>", "<strong data-poll-total>1.345</strong>")
	if strings.Contains(r.body, `action="/polls/`+pv.ID+`/vote"`) {
		t.Errorf("the page still offers the vote form after voting")
	}

	// A second vote from another page (an old tab) is refused in place.
	r = guest.post(page+"/vote", url.Values{"option": {pv.Options[1].ID}})
	expect(t, "second vote", r, http.StatusConflict, esc(i18n.T(i18n.VI, "already_voted")))
	checkPage(t, "second vote", r, i18n.VI)

	guest.acceptLanguage = "en"
	r = guest.get(page)
	expect(t, "GET "+page+" in en", r, http.StatusOK, "Your opinion of the portal?",
		"1. Satisfactory, <span data-votes>1,181</span>", "(<span data-percent>88</span>%)", "<strong data-poll-total>1,345</strong>")
	checkPage(t, "GET "+page+" in en", r, i18n.EN)

	list := guest.get("/polls")
	expect(t, "GET /polls", list, http.StatusOK, `href="/polls/`+pv.ID+`"`, "Your opinion of the portal?", "1,345")
	checkPage(t, "GET /polls", list, i18n.EN)
}

func TestVoteErrorsNextToTheOptions(t *testing.T) {
	h := newPollHarness(t)
	multi := h.newPoll(portalPoll(func(in *polls.NewPoll) { in.Multiple, in.MaxChoices, in.Baseline = true, 2, nil }))
	members := h.newPoll(portalPoll(func(in *polls.NewPoll) { in.Audience = polls.Members }))
	guest := h.visitor()

	r := guest.get("/polls/" + multi.ID)
	expect(t, "multiple-choice page", r, http.StatusOK, `type="checkbox"`, esc(frontend.Text(i18n.VI, "poll.choose_many", 2)), `data-max="2"`)

	tests := []struct {
		name   string
		lang   string
		form   url.Values
		status int
		want   string
	}{
		{"no option", "", url.Values{}, http.StatusBadRequest, i18n.T(i18n.VI, "choose_option")},
		{"no option in en", "en", url.Values{}, http.StatusBadRequest, i18n.T(i18n.EN, "choose_option")},
		{"too many", "", url.Values{"option": optionIDs(multi.Options[0:3])}, http.StatusBadRequest, i18n.T(i18n.VI, "too_many_choices")},
		{"unknown option", "", url.Values{"option": {"x"}}, http.StatusBadRequest, i18n.T(i18n.VI, "unknown_option")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			guest.acceptLanguage = tc.lang
			r := guest.post("/polls/"+multi.ID+"/vote", tc.form)
			expect(t, "POST vote", r, tc.status, esc(tc.want), `id="option-`+multi.ID+`-error"`,
				`aria-describedby="option-`+multi.ID+`-error"`, `href="#option-`+multi.ID+`"`, `id="option-`+multi.ID+`"`)
			lang := i18n.VI
			if tc.lang == "en" {
				lang = i18n.EN
			}
			checkPage(t, "POST vote", r, lang)
		})
	}
	guest.acceptLanguage = ""

	// The options the voter ticked stay ticked.
	r = guest.post("/polls/"+multi.ID+"/vote", url.Values{"option": optionIDs(multi.Options[0:3])})
	if n := strings.Count(r.body, " checked>"); n != 3 {
		t.Errorf("refused form shows %d ticked options, want 3", n)
	}

	r = guest.get("/polls/" + members.ID)
	expect(t, "members-only poll as guest", r, http.StatusOK, esc(frontend.Text(i18n.VI, "poll.members_only")),
		`href="/login?next=%2Fpolls%2F`+members.ID+`"`)
	if strings.Contains(r.body, `action="/polls/`+members.ID+`/vote"`) {
		t.Errorf("a guest is offered the vote form of a members-only poll")
	}
	r = guest.post("/polls/"+members.ID+"/vote", url.Values{"option": {members.Options[0].ID}})
	expect(t, "guest vote in a members-only poll", r, http.StatusUnauthorized, esc(i18n.T(i18n.VI, "poll_members_only")))

	// A browser without the visitor cookie (cookies off) cannot vote as a guest.
	noCookies := h.client()
	noCookies.hc.Jar = nil
	r = noCookies.post("/polls/"+multi.ID+"/vote", url.Values{"option": {multi.Options[0].ID}})
	expect(t, "vote without a visitor cookie", r, http.StatusForbidden, esc(i18n.T(i18n.VI, "visitor_cookie_required")))

	expect(t, "unknown poll", guest.post("/polls/01jd8gt3vz0gp4kka2jbjh4pmy/vote", url.Values{"option": {"x"}}),
		http.StatusNotFound, esc(i18n.T(i18n.VI, "poll_not_found")))
}

// hiddenRE finds any of the hidden tallies and percentages as the page
// would print them.
var hiddenRE = regexp.MustCompile(`1\.180|1180|\b107\b|\b57\b|data-percent>(88|8|4)<|value="(88|8|4)"`)

func TestHiddenResultsAreNotInThePage(t *testing.T) {
	h := newPollHarness(t)
	afterVote := h.newPoll(portalPoll(func(in *polls.NewPoll) { in.Results = polls.AfterVote }))
	afterClose := h.newPoll(portalPoll(func(in *polls.NewPoll) { in.Results = polls.AfterClose }))
	staffOnly := h.newPoll(portalPoll(func(in *polls.NewPoll) { in.Results = polls.StaffOnly }))
	guest := h.visitor()

	for _, pv := range []*polls.View{afterVote, afterClose, staffOnly} {
		r := guest.get("/polls/" + pv.ID)
		expect(t, "GET poll with results "+string(pv.Poll.Results), r, http.StatusOK,
			"<strong data-poll-total>1.344</strong>", `data-topic="poll:`+pv.ID+`:count"`,
			esc(frontend.Text(i18n.VI, "poll.hidden."+string(pv.Poll.Results))), "<template data-poll-template>")
		if m := hiddenRE.FindString(r.body); m != "" {
			t.Errorf("poll with results %s shows %q to a guest before voting", pv.Poll.Results, m)
		}
		checkPage(t, "GET poll", r, i18n.VI)
	}
	for _, path := range []string{"/", "/polls", "/embed/poll/" + afterVote.ID} {
		if m := hiddenRE.FindString(guest.get(path).body); m != "" {
			t.Errorf("GET %s shows %q of hidden results", path, m)
		}
	}

	// after_vote: once the guest has voted, the results are there.
	if r := guest.post("/polls/"+afterVote.ID+"/vote", url.Values{"option": {afterVote.Options[1].ID}}); r.status != http.StatusSeeOther {
		t.Fatalf("vote = %d\n%s", r.status, r.body)
	}
	expect(t, "after_vote poll after voting", guest.get("/polls/"+afterVote.ID), http.StatusOK,
		"2. Chưa đạt yêu cầu, <span data-votes>108</span>", `data-topic="poll:`+afterVote.ID+`"`)
	// staff: still hidden from the voter, shown to an admin.
	guest.post("/polls/"+staffOnly.ID+"/vote", url.Values{"option": {staffOnly.Options[0].ID}})
	if m := hiddenRE.FindString(guest.get("/polls/" + staffOnly.ID).body); m != "" {
		t.Errorf("staff-only results shown to a voter: %q", m)
	}
	admin, _ := h.as(accounts.Admin)
	expect(t, "staff-only poll as admin", admin.get("/polls/"+staffOnly.ID), http.StatusOK, "<span data-votes>1.181</span>")

	// after_close: shown to everyone once it closes.
	if _, err := h.polls.Close(ctx, polls.Viewer{User: h.user(accounts.Admin, "closer@example.vn", "Đóng")}, afterClose.ID); err != nil {
		t.Fatal(err)
	}
	r := guest.get("/polls/" + afterClose.ID)
	expect(t, "after_close poll once closed", r, http.StatusOK, "1. Đạt yêu cầu, <span data-votes>1.180</span>",
		esc(frontend.Text(i18n.VI, "poll.status.closed")))
	if strings.Contains(r.body, `action="/polls/`+afterClose.ID+`/vote"`) {
		t.Errorf("a closed poll offers the vote form")
	}
}

func TestPollStates(t *testing.T) {
	h := newPollHarness(t)
	later := time.Now().Add(48 * time.Hour)
	scheduled := h.newPoll(portalPoll(func(in *polls.NewPoll) { in.OpensAt = &later }))
	draft := h.newPoll(portalPoll(func(in *polls.NewPoll) { in.Status = polls.Draft }))
	guest := h.visitor()

	r := guest.get("/polls/" + scheduled.ID)
	expect(t, "scheduled poll", r, http.StatusOK, esc(frontend.Text(i18n.VI, "poll.status.scheduled")),
		esc(frontend.Text(i18n.VI, "poll.opens_at")), "<fieldset disabled")
	r = guest.post("/polls/"+scheduled.ID+"/vote", url.Values{"option": {scheduled.Options[0].ID}})
	expect(t, "vote before opening", r, http.StatusForbidden, esc(i18n.T(i18n.VI, "poll_not_open")))

	expect(t, "draft as guest", guest.get("/polls/"+draft.ID), http.StatusNotFound)
	admin, _ := h.as(accounts.Admin)
	expect(t, "draft as admin", admin.get("/polls/"+draft.ID), http.StatusOK,
		esc(frontend.Text(i18n.VI, "poll.draft_note")), esc(frontend.Text(i18n.VI, "poll.status.draft")))
	if strings.Contains(guest.get("/polls").body, draft.ID) {
		t.Errorf("the poll list shows a draft to a guest")
	}
}

func TestHomePollBox(t *testing.T) {
	h := newPollHarness(t)
	guest := h.visitor()
	expect(t, "home without polls", guest.get("/"), http.StatusOK, frontend.Text(i18n.VI, "home.poll_none"))

	older := h.newPoll(portalPoll(func(in *polls.NewPoll) { in.Question.VI = "Câu hỏi cũ hơn?" }))
	newest := h.newPoll(portalPoll(nil))
	later := time.Now().Add(time.Hour)
	h.newPoll(portalPoll(func(in *polls.NewPoll) { in.Question.VI = "Sắp mở?"; in.OpensAt = &later }))
	r := guest.get("/")
	expect(t, "home", r, http.StatusOK, `action="/polls/`+newest.ID+`/vote"`, `name="from" value="home"`,
		"<span data-votes>1.180</span>", `href="/polls"`)
	if strings.Contains(r.body, older.ID) || strings.Contains(r.body, "Sắp mở?") {
		t.Errorf("the home page shows a poll other than the newest open one")
	}
	checkPage(t, "home", r, i18n.VI)

	r = guest.post("/polls/"+newest.ID+"/vote", url.Values{"from": {"home"}})
	expect(t, "refused vote from home", r, http.StatusBadRequest, esc(i18n.T(i18n.VI, "choose_option")), esc(frontend.Text(i18n.VI, "home.heading")))
	r = guest.post("/polls/"+newest.ID+"/vote", url.Values{"from": {"home"}, "option": {newest.Options[2].ID}})
	if r.status != http.StatusSeeOther || r.location() != "/" {
		t.Errorf("vote from home = %d to %q, want 303 to /", r.status, r.location())
	}
	expect(t, "home after voting", guest.get("/"), http.StatusOK, "<span data-votes>58</span>", esc(frontend.Text(i18n.VI, "poll.voted")))
}

func TestEmbedMayBeFramedByThePortal(t *testing.T) {
	h := newPollHarness(t)
	pv := h.newPoll(portalPoll(nil))
	guest := h.visitor()
	embed := "/embed/poll/" + pv.ID

	r := guest.get(embed)
	expect(t, "GET "+embed, r, http.StatusOK, `<html lang="vi">`, "<h1", `action="/embed/poll/`+pv.ID+`/vote"`,
		"<span data-votes>1.180</span>", `target="_blank"`)
	csp := r.header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "frame-ancestors 'self' "+portalOrigin+" http://localhost:3000") || strings.Contains(csp, "'none'; frame") ||
		strings.Count(csp, "frame-ancestors") != 1 {
		t.Errorf("embed CSP = %q, want frame-ancestors 'self' and the portal origins", csp)
	}
	if !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("embed CSP = %q lost the rest of the policy", csp)
	}
	if xfo := r.header.Get("X-Frame-Options"); xfo != "" {
		t.Errorf("embed X-Frame-Options = %q, want none", xfo)
	}
	for _, s := range []string{"<header", "<nav", "<footer", `data-live="site:online"`} {
		if strings.Contains(r.body, s) {
			t.Errorf("the widget has the site's chrome: %s", s)
		}
	}
	for _, re := range inlineCode {
		if m := re.FindString(r.body); m != "" {
			t.Errorf("widget: inline code %q, which the CSP blocks", m)
		}
	}

	// A vote from inside the frame, and a refused one, stay framable.
	r = guest.post(embed+"/vote", url.Values{})
	expect(t, "refused vote in the widget", r, http.StatusBadRequest, esc(i18n.T(i18n.VI, "choose_option")))
	if csp := r.header.Get("Content-Security-Policy"); !strings.Contains(csp, portalOrigin) {
		t.Errorf("refused vote in the widget: CSP %q does not allow the portal", csp)
	}
	r = guest.post(embed+"/vote?lang=en", url.Values{"option": {pv.Options[0].ID}})
	if r.status != http.StatusSeeOther || r.location() != embed+"?lang=en" {
		t.Errorf("vote in the widget = %d to %q, want 303 to %s?lang=en", r.status, r.location(), embed)
	}
	expect(t, "widget in English", guest.get(embed+"?lang=en"), http.StatusOK, `<html lang="en">`,
		frontend.Text(i18n.EN, "notice.voted"), "<span data-votes>1,181</span>")
	expect(t, "widget of an unknown poll", guest.get("/embed/poll/01jd8gt3vz0gp4kka2jbjh4pmy"), http.StatusNotFound,
		esc(i18n.T(i18n.VI, "poll_not_found")))

	// Every other page stays unframable.
	for _, path := range []string{"/", "/polls", "/polls/" + pv.ID, "/login", "/no-such-page"} {
		r := guest.get(path)
		if csp := r.header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, portalOrigin) {
			t.Errorf("GET %s: CSP %q, want frame-ancestors 'none'", path, csp)
		}
		if xfo := r.header.Get("X-Frame-Options"); xfo != "DENY" {
			t.Errorf("GET %s: X-Frame-Options %q, want DENY", path, xfo)
		}
	}
}
