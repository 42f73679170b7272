package frontend

import (
	"net/http"
	"net/url"

	"github.com/civichub/civichub/forum"
	"github.com/civichub/civichub/web"
)

// searchPageSize is how many results the search page shows at once.
const searchPageSize = 20

// searchPage is the data of the search page.
type searchPage struct {
	Query string
	// Searched is true once a query was sent (the results, even none,
	// are shown); First is true on the first page of results.
	Searched, First bool
	Hits            []*forum.SearchHit
	Next            string
}

// NextURL is the address of the next page of results.
func (p searchPage) NextURL() string {
	return "/search?q=" + url.QueryEscape(p.Query) + "&cursor=" + url.QueryEscape(p.Next)
}

// FirstURL is the address of the first page of results.
func (p searchPage) FirstURL() string { return "/search?q=" + url.QueryEscape(p.Query) }

// HitURL is where a result leads: the thread, the post in its thread, or
// the Q&A question.
func (p searchPage) HitURL(h *forum.SearchHit) string {
	switch h.Kind {
	case "post":
		return "/forum/p/" + h.PostID
	case "question":
		return "/questions/" + h.QuestionID
	}
	return "/forum/t/" + h.ThreadID
}

// search finds threads and posts, ignoring case and Vietnamese diacritics.
// It is a GET form: the address of a search can be kept and shared.
func (f *Frontend) search(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	fm := &form{fields: []string{"q"}, values: url.Values{"q": {q.Get("q")}}, Errors: map[string]string{}}
	p := searchPage{Query: q.Get("q")}
	if !q.Has("q") {
		f.render(w, r, http.StatusOK, "search", view{Data: p})
		return
	}
	var cur *forum.SearchCursor
	if s := q.Get("cursor"); s != "" {
		cur = &forum.SearchCursor{}
		if err := web.DecodeCursor(s, cur); err != nil {
			f.retry(w, r, fm, err, nil, f.showSearch(p))
			return
		}
	}
	hits, next, err := f.opts.Forum.Search(r.Context(), p.Query, cur, searchPageSize)
	if err != nil {
		f.retry(w, r, fm, err, nil, f.showSearch(p))
		return
	}
	p.Searched, p.First, p.Hits = true, cur == nil, hits
	if next != nil {
		p.Next = web.EncodeCursor(next)
	}
	f.showSearch(p)(w, r, http.StatusOK, fm)
}

// showSearch shows the search page with p's results.
func (f *Frontend) showSearch(p searchPage) show {
	return func(w http.ResponseWriter, r *http.Request, status int, fm *form) {
		f.render(w, r, status, "search", view{Form: fm, Data: p})
	}
}

// HitKind is the name of a result's kind.
func (v *view) HitKind(h *forum.SearchHit) string {
	switch h.Kind {
	case "post":
		return v.T("search.kind_post")
	case "question":
		return v.T("search.kind_question")
	}
	return v.T("search.kind_thread")
}
