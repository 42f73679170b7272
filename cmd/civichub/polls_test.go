package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

type pollBody struct {
	ID      string `json:"id"`
	Status  string `json:"status"`
	Total   int64  `json:"total"`
	Voted   bool   `json:"voted"`
	CanVote bool   `json:"can_vote"`
	Options []struct {
		ID       string `json:"id"`
		VI       string `json:"vi"`
		EN       string `json:"en"`
		Baseline int64  `json:"baseline"`
	} `json:"options"`
	Results *resultsBody `json:"tally"`
}

type resultsBody struct {
	PollID  string `json:"poll_id"`
	Status  string `json:"status"`
	Total   int64  `json:"total"`
	Version int64  `json:"version"`
	Options []struct {
		ID      string `json:"id"`
		Votes   int64  `json:"votes"`
		Percent int    `json:"percent"`
	} `json:"options"`
}

// loginAdmin creates an admin with civichub admin and logs a client in.
func loginAdmin(t *testing.T, env map[string]string, srv *testServer) *client {
	t.Helper()
	adminCmd(t, env, "create-user", "--email", "poll-admin@example.vn", "--password", "admin password", "--name", "Quản Trị", "--role", "admin")
	c := newClient(t, srv.URL)
	if res := c.do("POST", "/api/v1/auth/login", map[string]string{"email": "poll-admin@example.vn", "password": "admin password"}); res.Status != 200 {
		t.Fatalf("admin login = %d %s", res.Status, res.Body)
	}
	return c
}

// portalPoll is the portal's legacy poll, with its imported counts.
func portalPoll(extra map[string]any) map[string]any {
	p := map[string]any{
		"question": map[string]string{"vi": "Ý kiến về Trang thông tin điện tử?", "en": "Your opinion of the portal?"},
		"options": []map[string]string{
			{"vi": "Đạt yêu cầu", "en": "Satisfactory"}, {"vi": "Chưa đạt yêu cầu", "en": "Not satisfactory"}, {"vi": "Cần thêm chủ đề", "en": "Needs more topics"},
		},
		"multiple": false, "max_choices": 1, "audience": "everyone", "results": "always", "status": "open",
		"agency_id": nil, "baseline": []int64{1180, 107, 57},
	}
	for k, v := range extra {
		p[k] = v
	}
	return p
}

func createPoll(t *testing.T, c *client, body map[string]any) pollBody {
	t.Helper()
	res := c.do("POST", "/api/v1/polls", body)
	if res.Status != http.StatusCreated {
		t.Fatalf("create poll = %d %s", res.Status, res.Body)
	}
	var p pollBody
	res.decode(t, &p)
	return p
}

// guest returns a client that has been given a visitor cookie.
func guest(t *testing.T, srv *testServer) *client {
	t.Helper()
	c := newClient(t, srv.URL)
	if res := c.do("GET", "/api/v1/online", nil); res.Status != 200 {
		t.Fatalf("first request = %d", res.Status)
	}
	return c
}

func vote(c *client, pollID string, options ...string) response {
	return c.do("POST", "/api/v1/polls/"+pollID+"/votes", map[string]any{"options": options})
}

func getPoll(t *testing.T, c *client, pollID string) pollBody {
	t.Helper()
	res := c.do("GET", "/api/v1/polls/"+pollID, nil)
	if res.Status != 200 {
		t.Fatalf("get poll = %d %s", res.Status, res.Body)
	}
	var p pollBody
	res.decode(t, &p)
	return p
}

func TestPollVoteResultsAndExport(t *testing.T) {
	env := testEnv(t, nil)
	srv := startServer(t, env)
	admin := loginAdmin(t, env, srv)
	p := createPoll(t, admin, portalPoll(nil))
	if len(p.Options) != 3 || p.Options[0].ID == "" || p.Status != "open" || p.Total != 1344 {
		t.Fatalf("created poll = %+v, want 3 options with ids, open, total 1344", p)
	}
	g := guest(t, srv)
	seen := getPoll(t, g, p.ID)
	if seen.Results == nil || seen.Results.Total != 1344 || !seen.CanVote || seen.Voted {
		t.Fatalf("guest sees %+v, want results of 1344 and a vote to cast", seen)
	}
	if got := []int{seen.Results.Options[0].Percent, seen.Results.Options[1].Percent, seen.Results.Options[2].Percent}; got[0] != 88 || got[1] != 8 || got[2] != 4 {
		t.Errorf("percentages = %v, want the portal's 88/8/4", got)
	}
	res := vote(g, p.ID, p.Options[1].ID)
	var rc struct {
		Total   int64        `json:"total"`
		Results *resultsBody `json:"results"`
	}
	res.decode(t, &rc)
	if res.Status != http.StatusCreated || rc.Total != 1345 || rc.Results == nil || rc.Results.Options[1].Votes != 108 {
		t.Fatalf("vote = %d %s, want 201 with total 1345 and 108 for option 2", res.Status, res.Body)
	}
	if res := vote(g, p.ID, p.Options[0].ID); res.Status != http.StatusConflict || res.errorCode() != "conflict" {
		t.Errorf("second vote = %d %s, want 409 conflict", res.Status, res.Body)
	}
	if after := getPoll(t, g, p.ID); !after.Voted || after.CanVote || after.Total != 1345 {
		t.Errorf("after voting the guest sees %+v", after)
	}

	csv := g.do("GET", "/api/v1/polls/"+p.ID+"/results.csv", nil)
	if csv.Status != 200 || !bytes.HasPrefix(csv.Body, []byte("\xef\xbb\xbf")) || !strings.Contains(csv.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("results.csv = %d %q, want CSV with a BOM", csv.Status, csv.Header.Get("Content-Type"))
	}
	for _, want := range []string{"Chưa đạt yêu cầu", "108,107,1,8", "total_ballots,,,1345,1344,1"} {
		if !strings.Contains(string(csv.Body), want) {
			t.Errorf("results.csv lacks %q:\n%s", want, csv.Body)
		}
	}
	var js struct {
		Total    int64 `json:"total"`
		Imported int64 `json:"imported_ballots"`
	}
	g.do("GET", "/api/v1/polls/"+p.ID+"/results.json", nil).decode(t, &js)
	if js.Total != 1345 || js.Imported != 1344 {
		t.Errorf("results.json = %+v", js)
	}

	// A label a spreadsheet would run as a formula is neutralised.
	evil := createPoll(t, admin, portalPoll(map[string]any{"options": []map[string]string{{"vi": "=HYPERLINK(\"http://x\")"}, {"vi": "+1"}}, "baseline": nil}))
	body := string(admin.do("GET", "/api/v1/polls/"+evil.ID+"/results.csv", nil).Body)
	if strings.Contains(body, ",=HYPERLINK") || strings.Contains(body, ",+1,") || !strings.Contains(body, "'=HYPERLINK") {
		t.Errorf("formula cells not neutralised:\n%s", body)
	}

	// Listing shows the poll to everyone.
	var list struct {
		Items []pollBody `json:"items"`
	}
	g.do("GET", "/api/v1/polls", nil).decode(t, &list)
	if len(list.Items) != 2 {
		t.Errorf("poll list has %d items, want 2", len(list.Items))
	}
}

func TestPollBadInput(t *testing.T) {
	env := testEnv(t, nil)
	srv := startServer(t, env)
	admin := loginAdmin(t, env, srv)
	p := createPoll(t, admin, portalPoll(nil))
	multi := createPoll(t, admin, portalPoll(map[string]any{"multiple": true, "max_choices": 2, "baseline": nil}))
	draft := createPoll(t, admin, portalPoll(map[string]any{"status": "draft"}))
	members := createPoll(t, admin, portalPoll(map[string]any{"audience": "members"}))
	closed := createPoll(t, admin, portalPoll(nil))
	if res := admin.do("POST", "/api/v1/polls/"+closed.ID+"/close", nil); res.Status != 200 {
		t.Fatalf("close = %d %s", res.Status, res.Body)
	}
	g := guest(t, srv)
	o := p.Options
	votes := []struct {
		name   string
		c      *client
		poll   string
		body   any
		status int
		code   string
	}{
		{"no options", g, p.ID, map[string]any{"options": []string{}}, 400, "invalid"},
		{"options missing", g, p.ID, map[string]any{}, 400, "invalid"},
		{"unknown option", g, p.ID, map[string]any{"options": []string{"01jzzzzzzzzzzzzzzzzzzzzzzz"}}, 400, "invalid"},
		{"option of another poll", g, p.ID, map[string]any{"options": []string{multi.Options[0].ID}}, 400, "invalid"},
		{"same option twice", g, multi.ID, map[string]any{"options": []string{multi.Options[0].ID, multi.Options[0].ID}}, 400, "invalid"},
		{"more choices than allowed", g, multi.ID, map[string]any{"options": []string{multi.Options[0].ID, multi.Options[1].ID, multi.Options[2].ID}}, 400, "invalid"},
		{"two choices in a single-choice poll", g, p.ID, map[string]any{"options": []string{o[0].ID, o[1].ID}}, 400, "invalid"},
		{"draft poll", g, draft.ID, map[string]any{"options": []string{draft.Options[0].ID}}, 404, "not_found"},
		{"closed poll", g, closed.ID, map[string]any{"options": []string{closed.Options[0].ID}}, 403, "forbidden"},
		{"unknown poll", g, "01jzzzzzzzzzzzzzzzzzzzzzzz", map[string]any{"options": []string{o[0].ID}}, 404, "not_found"},
		{"malformed poll id", g, "not-an-id", map[string]any{"options": []string{o[0].ID}}, 404, "not_found"},
		{"members-only poll as a guest", g, members.ID, map[string]any{"options": []string{members.Options[0].ID}}, 401, "unauthorized"},
		{"no visitor cookie", newClient(t, srv.URL), p.ID, map[string]any{"options": []string{o[0].ID}}, 403, "forbidden"},
		{"malformed JSON", g, p.ID, `{"options": [`, 400, "invalid"},
		{"options not a list", g, p.ID, `{"options": "x"}`, 400, "invalid"},
		{"unknown field", g, p.ID, map[string]any{"options": []string{o[0].ID}, "weight": 100}, 400, "invalid"},
	}
	for _, tc := range votes {
		res := tc.c.do("POST", "/api/v1/polls/"+tc.poll+"/votes", tc.body, "Accept-Language", "vi")
		var e apiError
		json.Unmarshal(res.Body, &e)
		if res.Status != tc.status || e.Error.Code != tc.code || e.Error.Message == "" {
			t.Errorf("%s: %d %s, want %d %s with a message", tc.name, res.Status, res.Body, tc.status, tc.code)
		}
	}
	// A forged visitor cookie is not a voter.
	forged := newClient(t, srv.URL)
	res := forged.do("POST", "/api/v1/polls/"+p.ID+"/votes", map[string]any{"options": []string{o[0].ID}}, "Cookie", "civichub_visitor=01jaaaaaaaaaaaaaaaaaaaaaaa.forgedsignature")
	if res.Status != 403 || res.errorCode() != "forbidden" {
		t.Errorf("forged cookie vote = %d %s, want 403", res.Status, res.Body)
	}
	// Nothing above changed any poll.
	for _, id := range []string{p.ID, multi.ID, closed.ID, members.ID} {
		if got := getPoll(t, admin, id); got.Results.Total != got.Total || got.Total != map[bool]int64{true: 0, false: 1344}[id == multi.ID] {
			t.Errorf("poll %s after bad votes: total %d", id, got.Total)
		}
	}

	creates := []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"one option", portalPoll(map[string]any{"options": []map[string]string{{"vi": "Một"}}, "baseline": nil}), "options"},
		{"empty label", portalPoll(map[string]any{"options": []map[string]string{{"vi": "Có"}, {"vi": "  "}}, "baseline": nil}), "options"},
		{"empty question", portalPoll(map[string]any{"question": map[string]string{"vi": ""}}), "question"},
		{"closes before it opens", portalPoll(map[string]any{"opens_at": "2030-01-02T00:00:00Z", "closes_at": "2030-01-01T00:00:00Z"}), "closes_at"},
		{"closes in the past", portalPoll(map[string]any{"closes_at": "2020-01-01T00:00:00Z"}), "closes_at"},
		{"baseline of the wrong length", portalPoll(map[string]any{"baseline": []int64{1, 2}}), "baseline"},
		{"negative baseline", portalPoll(map[string]any{"baseline": []int64{1, -2, 3}}), "baseline"},
		{"bad audience", portalPoll(map[string]any{"audience": "robots"}), "audience"},
		{"bad results", portalPoll(map[string]any{"results": "never"}), "results"},
		{"max choices over options", portalPoll(map[string]any{"multiple": true, "max_choices": 4}), "max_choices"},
		{"unknown agency", portalPoll(map[string]any{"agency_id": "01jzzzzzzzzzzzzzzzzzzzzzzz"}), "agency_id"},
	}
	for _, tc := range creates {
		res := admin.do("POST", "/api/v1/polls", tc.body)
		var e apiError
		json.Unmarshal(res.Body, &e)
		if res.Status != 400 || e.Error.Fields[tc.field] == "" {
			t.Errorf("create with %s = %d %s, want 400 naming %s", tc.name, res.Status, res.Body, tc.field)
		}
	}
	resident := newClient(t, srv.URL)
	register(t, resident, "dan@example.vn", "Người Dân")
	if res := resident.do("POST", "/api/v1/polls", portalPoll(nil)); res.Status != 403 || res.errorCode() != "forbidden" {
		t.Errorf("resident creates a poll = %d %s, want 403", res.Status, res.Body)
	}
	if res := guest(t, srv).do("POST", "/api/v1/polls", portalPoll(nil)); res.Status != 401 {
		t.Errorf("guest creates a poll = %d %s, want 401", res.Status, res.Body)
	}
	if res := resident.do("POST", "/api/v1/polls/"+p.ID+"/close", nil); res.Status != 403 {
		t.Errorf("resident closes a poll = %d %s, want 403", res.Status, res.Body)
	}
	if res := admin.do("PATCH", "/api/v1/polls/"+p.ID, map[string]any{"options": []map[string]string{{"vi": "A"}, {"vi": "B"}}}); res.Status != 409 {
		t.Errorf("changing the options of an open poll = %d %s, want 409", res.Status, res.Body)
	}
	if res := admin.do("PATCH", "/api/v1/polls/"+closed.ID, map[string]any{"status": "open"}); res.Status != 409 {
		t.Errorf("reopening a closed poll = %d %s, want 409", res.Status, res.Body)
	}
	var count int
	var list struct{ Items []pollBody }
	admin.do("GET", "/api/v1/polls?limit=100", nil).decode(t, &list)
	count = len(list.Items)
	if count != 4 {
		t.Errorf("after refused creates the list has %d polls, want the 4 open or closed ones", count)
	}
}

func TestPollOneVoterManyAttempts(t *testing.T) {
	env := testEnv(t, map[string]string{"CIVICHUB_RATE_VOTE_IP": "off"})
	srv := startServer(t, env)
	p := createPoll(t, loginAdmin(t, env, srv), portalPoll(nil))
	g := guest(t, srv)
	g.hc.Transport = &http.Transport{MaxIdleConnsPerHost: 100}
	const n = 1000
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[int]int{}
	sem := make(chan struct{}, 100)
	for i := range n {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			res := vote(g, p.ID, p.Options[i%3].ID)
			mu.Lock()
			codes[res.Status]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if codes[201] != 1 || codes[409] != n-1 {
		t.Errorf("%d attempts by one voter: %v, want one 201 and %d 409", n, codes, n-1)
	}
	if got := getPoll(t, g, p.ID); got.Total != 1345 || !got.Voted {
		t.Errorf("after the attempts: total %d voted %v, want 1345 and true", got.Total, got.Voted)
	}
}

func TestPollManyVotersTallyEqualsBallots(t *testing.T) {
	env := testEnv(t, map[string]string{"CIVICHUB_RATE_VOTE_IP": "off"})
	srv := startServer(t, env)
	admin := loginAdmin(t, env, srv)
	p := createPoll(t, admin, portalPoll(map[string]any{"multiple": true, "max_choices": 2, "baseline": nil}))
	const n = 300
	want := make([]int64, 3)
	var wg sync.WaitGroup
	var mu sync.Mutex
	for i := range n {
		choice := []string{p.Options[i%3].ID}
		if i%5 == 0 {
			choice = append(choice, p.Options[(i+1)%3].ID)
		}
		wg.Go(func() {
			res := vote(guest(t, srv), p.ID, choice...)
			if res.Status != 201 {
				t.Errorf("vote %d = %d %s", i, res.Status, res.Body)
				return
			}
			mu.Lock()
			want[i%3]++
			if len(choice) == 2 {
				want[(i+1)%3]++
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	got := getPoll(t, admin, p.ID)
	if got.Total != n || got.Results == nil {
		t.Fatalf("total = %d, want %d", got.Total, n)
	}
	for i, o := range got.Results.Options {
		if o.Votes != want[i] {
			t.Errorf("option %d has %d votes, want %d", i, o.Votes, want[i])
		}
	}
	sum := 0
	for _, o := range got.Results.Options {
		sum += o.Percent
	}
	if sum != 100 {
		t.Errorf("percentages add up to %d", sum)
	}
	// The admin command recounts from the ballots and finds the same.
	if out := adminCmd(t, env, "rebuild-tallies"); !strings.Contains(out, "1 polls") {
		t.Errorf("rebuild-tallies said %q", out)
	}
	if again := getPoll(t, admin, p.ID); again.Total != n || fmt.Sprint(again.Results.Options) != fmt.Sprint(got.Results.Options) {
		t.Errorf("after rebuild: %+v, want %+v", again.Results, got.Results)
	}
}

// subscribe subscribes ws to topic and returns the first frame after
// "subscribed" (the snapshot) or the error frame.
func subscribe(t *testing.T, ws interface {
	WriteJSON(any) error
}, topic string) {
	t.Helper()
	if err := ws.WriteJSON(map[string]string{"op": "subscribe", "topic": topic}); err != nil {
		t.Fatal(err)
	}
}

func TestPollResultsVisibility(t *testing.T) {
	env := testEnv(t, nil)
	srv := startServer(t, env)
	admin := loginAdmin(t, env, srv)
	p := createPoll(t, admin, portalPoll(map[string]any{"results": "after_vote"}))
	g := guest(t, srv)
	if seen := getPoll(t, g, p.ID); seen.Results != nil || seen.Total != 1344 {
		t.Errorf("before voting a guest sees results %+v (total %d), want none and the total", seen.Results, seen.Total)
	}
	if res := g.do("GET", "/api/v1/polls/"+p.ID+"/results.json", nil); res.Status != 403 {
		t.Errorf("results.json before voting = %d, want 403", res.Status)
	}
	ws := dialWS(t, srv, sessionHeader(t, srv, g))
	subscribe(t, ws, "poll:"+p.ID)
	if f := readFrame(t, ws); f.Op != "error" || f.Code != "forbidden" {
		t.Errorf("subscribe to hidden results = %+v, want forbidden", f)
	}
	subscribe(t, ws, "poll:"+p.ID+":count")
	if f := readFrame(t, ws); f.Op != "subscribed" {
		t.Fatalf("subscribe to the count = %+v", f)
	}
	f := readFrame(t, ws)
	var count map[string]any
	json.Unmarshal(f.Data, &count)
	if f.Op != "snapshot" || count["total"] != 1344.0 || count["options"] != nil {
		t.Errorf("count snapshot = %+v %s, want total 1344 and no options", f, f.Data)
	}
	if res := vote(g, p.ID, p.Options[0].ID); res.Status != 201 {
		t.Fatalf("vote = %d %s", res.Status, res.Body)
	}
	if seen := getPoll(t, g, p.ID); seen.Results == nil || seen.Results.Options[0].Votes != 1181 {
		t.Errorf("after voting the guest sees %+v", seen.Results)
	}
	ws2 := dialWS(t, srv, sessionHeader(t, srv, g))
	subscribe(t, ws2, "poll:"+p.ID)
	if f := readFrame(t, ws2); f.Op != "subscribed" {
		t.Errorf("voter subscribes to results = %+v", f)
	}
	// Results made staff-only: the voter's subscription ends with an
	// error, checked again by the hub, and the API hides them too.
	if res := admin.do("PATCH", "/api/v1/polls/"+p.ID, map[string]any{"results": "staff"}); res.Status != 200 {
		t.Fatalf("patch results = %d %s", res.Status, res.Body)
	}
	for {
		f := readFrame(t, ws2)
		if f.Op == "error" {
			if f.Code != "forbidden" || f.Topic != "poll:"+p.ID {
				t.Errorf("revalidation ended the subscription with %+v, want forbidden", f)
			}
			break
		}
	}
	if seen := getPoll(t, g, p.ID); seen.Results != nil {
		t.Errorf("staff-only results still shown to the voter")
	}

	// Staff-only results: nobody but the managers, also after closing.
	staff := createPoll(t, admin, portalPoll(map[string]any{"results": "staff"}))
	other := guest(t, srv)
	vote(other, staff.ID, staff.Options[0].ID)
	if seen := getPoll(t, other, staff.ID); seen.Results != nil {
		t.Errorf("staff-only results shown to a voter")
	}
	if seen := getPoll(t, admin, staff.ID); seen.Results == nil || seen.Results.Total != 1345 {
		t.Errorf("admin does not see staff-only results: %+v", seen.Results)
	}

	// After-close results appear to everyone once the poll closes, and
	// the count topic tells its subscribers it closed.
	ac := createPoll(t, admin, portalPoll(map[string]any{"results": "after_close"}))
	ws3 := dialWS(t, srv, nil)
	subscribe(t, ws3, "poll:"+ac.ID)
	if f := readFrame(t, ws3); f.Op != "error" || f.Code != "forbidden" {
		t.Errorf("after_close results before closing = %+v", f)
	}
	subscribe(t, ws3, "poll:"+ac.ID+":count")
	readFrame(t, ws3) // subscribed
	readFrame(t, ws3) // snapshot: open
	if seen := getPoll(t, other, ac.ID); seen.Results != nil {
		t.Errorf("after_close results shown while open")
	}
	admin.do("POST", "/api/v1/polls/"+ac.ID+"/close", nil)
	for {
		f := readFrame(t, ws3)
		var c map[string]any
		json.Unmarshal(f.Data, &c)
		if f.Op == "snapshot" && c["status"] == "closed" {
			break
		}
	}
	if seen := getPoll(t, other, ac.ID); seen.Results == nil || seen.Status != "closed" {
		t.Errorf("after closing: %+v", seen)
	}
}

func TestPollScheduleOpensAndClosesWithoutRequests(t *testing.T) {
	env := testEnv(t, nil)
	srv := startServer(t, env)
	admin := loginAdmin(t, env, srv)
	opens := time.Now().Add(1500 * time.Millisecond).UTC()
	closes := opens.Add(1500 * time.Millisecond)
	p := createPoll(t, admin, portalPoll(map[string]any{"opens_at": opens.Format(time.RFC3339Nano), "closes_at": closes.Format(time.RFC3339Nano)}))
	if p.Status != "scheduled" {
		t.Fatalf("status before opening = %q, want scheduled", p.Status)
	}
	g := guest(t, srv)
	if res := vote(g, p.ID, p.Options[0].ID); res.Status != 403 || res.errorCode() != "forbidden" {
		t.Errorf("vote before opening = %d %s, want 403", res.Status, res.Body)
	}
	ws := dialWS(t, srv, nil)
	subscribe(t, ws, "poll:"+p.ID+":count")
	var statuses []string
	for len(statuses) == 0 || statuses[len(statuses)-1] != "closed" {
		f := readFrame(t, ws)
		if f.Op != "snapshot" {
			continue
		}
		var c struct{ Status string }
		json.Unmarshal(f.Data, &c)
		if len(statuses) == 0 || statuses[len(statuses)-1] != c.Status {
			statuses = append(statuses, c.Status)
		}
	}
	if strings.Join(statuses, ",") != "scheduled,open,closed" {
		t.Errorf("statuses seen live = %v, want scheduled, open, closed", statuses)
	}
	if res := vote(g, p.ID, p.Options[0].ID); res.Status != 403 || res.errorCode() != "forbidden" {
		t.Errorf("vote after closing = %d %s, want 403", res.Status, res.Body)
	}
	if got := getPoll(t, g, p.ID); got.Status != "closed" || got.Total != 1344 {
		t.Errorf("poll after its schedule = %+v", got)
	}
}

func TestPollPatchRules(t *testing.T) {
	env := testEnv(t, nil)
	srv := startServer(t, env)
	admin := loginAdmin(t, env, srv)
	// A draft opened with edits in the same request keeps the edits.
	d := createPoll(t, admin, portalPoll(map[string]any{"status": "draft", "baseline": nil}))
	res := admin.do("PATCH", "/api/v1/polls/"+d.ID, map[string]any{"status": "open", "question": map[string]string{"vi": "Câu hỏi mới"},
		"options": []map[string]string{{"vi": "Có"}, {"vi": "Không"}}})
	var got struct {
		pollBody
		Question map[string]string `json:"question"`
		Results  string            `json:"results"`
		ClosesAt *time.Time        `json:"closes_at"`
		OpensAt  *time.Time        `json:"opens_at"`
	}
	res.decode(t, &got)
	if res.Status != 200 || got.Status != "open" || got.Question["vi"] != "Câu hỏi mới" || len(got.Options) != 2 {
		t.Errorf("open with edits = %d %s", res.Status, res.Body)
	}
	if got.Results != "always" {
		t.Errorf("results visibility reads back as %q, want always", got.Results)
	}
	// null clears a time; absent leaves it.
	closes := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	admin.do("PATCH", "/api/v1/polls/"+d.ID, map[string]any{"closes_at": closes}).decode(t, &got)
	if got.ClosesAt == nil {
		t.Fatalf("closes_at not set")
	}
	admin.do("PATCH", "/api/v1/polls/"+d.ID, map[string]any{"results": "after_vote"}).decode(t, &got)
	if got.ClosesAt == nil || got.Results != "after_vote" {
		t.Errorf("a patch without closes_at cleared it, or results not changed: %+v", got)
	}
	admin.do("PATCH", "/api/v1/polls/"+d.ID, map[string]any{"closes_at": nil}).decode(t, &got)
	if got.ClosesAt != nil {
		t.Errorf("closes_at: null did not clear it")
	}
	// A scheduled poll can be closed before it opens.
	opens := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	s := createPoll(t, admin, portalPoll(map[string]any{"opens_at": opens}))
	res = admin.do("POST", "/api/v1/polls/"+s.ID+"/close", nil)
	res.decode(t, &got)
	if res.Status != 200 || got.Status != "closed" {
		t.Errorf("closing a scheduled poll = %d %s", res.Status, res.Body)
	}
	// Errors carry a stable reason next to the general code.
	g := guest(t, srv)
	res = vote(g, s.ID, s.Options[0].ID)
	var e struct {
		Error struct{ Code, Reason string } `json:"error"`
	}
	res.decode(t, &e)
	if e.Error.Code != "forbidden" || e.Error.Reason != "poll_closed" {
		t.Errorf("vote on a closed poll: %s, want forbidden / poll_closed", res.Body)
	}
}
