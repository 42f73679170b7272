package qatest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/civichub/civichub/id"
	"github.com/civichub/civichub/qa"
)

// corpus is the search suite's questions. Tokens are given folded, as the
// service folds them ("giấy phép xây dựng" is giay phep xay dung).
type corpus struct {
	permit, house, again, papers *qa.Question // listed
	private, submitted, rejected *qa.Question // not listed
}

func makeCorpus(t *testing.T, s qa.Store) *corpus {
	agency := id.New()
	var k corpus
	mk := func(tokens ...string) *qa.Question { return NewQuestion(agency, base, tokens...) }
	k.permit = mustCreate(t, s, mk("giay", "phep", "xay", "dung"))
	k.private = mk("xay", "dung", "rieng")
	k.private.Private, k.private.Listed = true, false
	mustCreate(t, s, k.private)
	k.house = mustCreate(t, s, mk("xay", "dung", "nha", "o"))
	k.submitted = mustCreate(t, s, NewSubmitted(agency, base, "xay", "dung", "cho"))
	k.again = mustCreate(t, s, mk("xay", "dung", "xay", "lai"))
	k.rejected = NewSubmitted(agency, base, "xay", "dung", "tu", "choi")
	k.rejected.Status = qa.Rejected
	mustCreate(t, s, k.rejected)
	k.papers = mustCreate(t, s, mk("giay", "to"))
	return &k
}

// searchAll pages through Search with limit and returns every ID.
func searchAll(t *testing.T, s qa.Store, limit int, tokens ...string) []string {
	t.Helper()
	q := qa.SearchQuery{Tokens: tokens, Limit: limit}
	var all []string
	for range 100 {
		page, err := s.Search(ctx, q)
		if err != nil {
			t.Fatalf("Search(%+v) = %v", q, err)
		}
		if limit > 0 && len(page) > limit {
			t.Fatalf("Search(limit %d) returned %d", limit, len(page))
		}
		all = append(all, ids(page)...)
		if limit <= 0 || len(page) < limit {
			return all
		}
		q.AfterID = page[len(page)-1].ID
	}
	t.Fatalf("Search(%v) did not end", tokens)
	return nil
}

func testSearch(t *testing.T, s qa.Store) {
	k := makeCorpus(t, s)
	tests := []struct {
		tokens []string
		want   []*qa.Question
	}{
		// Listed questions only, newest first.
		{[]string{"xay", "dung"}, []*qa.Question{k.again, k.house, k.permit}},
		{[]string{"dung", "xay"}, []*qa.Question{k.again, k.house, k.permit}},
		{[]string{"xay", "xay", "dung"}, []*qa.Question{k.again, k.house, k.permit}},
		{[]string{"giay"}, []*qa.Question{k.papers, k.permit}},
		{[]string{"giay", "phep", "xay", "dung"}, []*qa.Question{k.permit}},
		{[]string{"lai"}, []*qa.Question{k.again}},
		{[]string{"xay", "nothing"}, nil},
		{[]string{"rieng"}, nil},
		{[]string{"cho"}, nil},
		{[]string{"choi"}, nil},
		{[]string{"xa"}, nil}, // tokens match whole
		{nil, nil},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.tokens), func(t *testing.T) {
			for _, limit := range []int{0, 1, 2, 20} {
				if got := searchAll(t, s, limit, tc.tokens...); !slices.Equal(got, ids(tc.want)) {
					t.Errorf("Search(%v) by pages of %d = %v, want %v", tc.tokens, limit, got, ids(tc.want))
				}
			}
		})
	}
	page, err := s.Search(ctx, qa.SearchQuery{Tokens: []string{"giay"}, Limit: 10})
	if err != nil || len(page) != 2 {
		t.Fatalf("Search(giay) = %d, %v; want 2", len(page), err)
	}
	for i, want := range []*qa.Question{k.papers, k.permit} {
		if !equalFields(page[i], want) {
			t.Errorf("hit %d =\n%s\nwant\n%s", i, show(page[i]), show(want))
		}
	}
}

func testSearchPaging(t *testing.T, s qa.Store) {
	agency := id.New()
	var want []*qa.Question
	for i := range 9 {
		want = append(want, mustCreate(t, s, NewQuestion(agency, base.Add(time.Duration(i)*time.Hour), "cong", "van", "so")))
		hidden := NewQuestion(agency, base, "cong", "van")
		hidden.Private, hidden.Listed = true, false
		mustCreate(t, s, hidden)
	}
	slices.Reverse(want)
	for _, limit := range []int{0, 1, 2, 3, 8, 9, 50} {
		if got := searchAll(t, s, limit, "van", "cong"); !slices.Equal(got, ids(want)) {
			t.Errorf("Search by pages of %d =\n%v\nwant\n%v", limit, got, ids(want))
		}
	}
	// A cursor need not be a hit.
	gap := want[3].ID
	page, err := s.Search(ctx, qa.SearchQuery{Tokens: []string{"cong"}, AfterID: gap, Limit: 2})
	if err != nil || !slices.Equal(ids(page), ids(want[4:6])) {
		t.Errorf("Search after %s = %v, %v; want %v", gap, ids(page), err, ids(want[4:6]))
	}
}

// testSearchFollowsChanges checks that search sees questions as
// UpdateQuestion leaves them: listed or not, with their current tokens.
func testSearchFollowsChanges(t *testing.T, s qa.Store) {
	k := makeCorpus(t, s)
	k.house.Listed = false // made private, say
	mustUpdate(t, s, k.house)
	k.private.Private, k.private.Listed = false, true
	mustUpdate(t, s, k.private)
	k.submitted.Status, k.submitted.Listed = qa.Accepted, true
	mustUpdate(t, s, k.submitted)
	k.permit.Tokens = []string{"giay", "phep", "da", "tra", "loi"} // answered: the answer's words
	k.permit.Status = qa.Answered
	mustUpdate(t, s, k.permit)
	check := func(want []*qa.Question, tokens ...string) {
		t.Helper()
		if got := searchAll(t, s, 2, tokens...); !slices.Equal(got, ids(want)) {
			t.Errorf("Search(%v) = %v, want %v", tokens, got, ids(want))
		}
	}
	check([]*qa.Question{k.again, k.submitted, k.private}, "xay", "dung")
	check([]*qa.Question{k.permit}, "tra", "loi")
	check([]*qa.Question{k.papers, k.permit}, "giay")
	check(nil, "nha")
	// Tokens come back with the question while it is listed, and a
	// question listed again is found by the tokens it is given then.
	if got := mustGet(t, s, k.permit.ID); !slices.Equal(got.Tokens, k.permit.Tokens) {
		t.Errorf("Question(listed).Tokens = %v, want %v", got.Tokens, k.permit.Tokens)
	}
	if got := mustGet(t, s, k.house.ID); len(got.Tokens) != 0 {
		t.Errorf("Question(not listed).Tokens = %v, want none", got.Tokens)
	}
	k.house.Listed, k.house.Tokens = true, []string{"nha", "o", "moi"}
	mustUpdate(t, s, k.house)
	check([]*qa.Question{k.house}, "nha", "moi")
	check([]*qa.Question{k.again, k.submitted, k.private}, "xay", "dung")
	// Counts kept by the store do not touch search.
	if _, err := s.Upvote(ctx, k.house.ID, id.New()); err != nil {
		t.Fatal(err)
	}
	if err := s.AddComment(ctx, NewComment(k.house.ID, base)); err != nil {
		t.Fatal(err)
	}
	check([]*qa.Question{k.house}, "nha")
}
