package frontend

import (
	"context"
	"net/http"
	"time"

	"github.com/civichub/civichub/apperr"
	"github.com/civichub/civichub/i18n"
)

// The newest official answers to public questions: a box on the home page
// and an embeddable widget, both kept live over feed:answers.

// feedLength is how many answers the box and the widget show.
const feedLength = 5

// answerFeed is the box's data: its newest answers in the page's
// language, and whether links open outside a frame.
type answerFeed struct {
	Items    []feedRow
	Embedded bool
	// Error is the key of the message shown instead of the answers when
	// they could not be read (the widget only).
	Error string
}

// feedRow is one answered question; Embedded makes its link open outside
// the widget's frame.
type feedRow struct {
	QuestionID, Title, Agency, Excerpt string
	AnsweredAt                         time.Time
	Embedded                           bool
}

// Limit is how many answers the box shows at most.
func (answerFeed) Limit() int { return feedLength }

// recentAnswers reads the box's answers, or nil without the Q&A section.
func (f *Frontend) recentAnswers(ctx context.Context, lang i18n.Lang, embedded bool) (*answerFeed, error) {
	if f.opts.QA == nil {
		return nil, nil
	}
	items, err := f.opts.QA.RecentAnswers(ctx, feedLength)
	if err != nil {
		return nil, err
	}
	b := &answerFeed{Embedded: embedded}
	for _, it := range items {
		b.Items = append(b.Items, feedRow{QuestionID: it.QuestionID, Title: it.Title, Agency: it.Agency.Name.In(lang),
			Excerpt: it.Excerpt, AnsweredAt: it.AnsweredAt, Embedded: embedded})
	}
	return b, nil
}

// FeedSkeleton is the empty item the box's script fills from a live event.
func (v *view) FeedSkeleton(b *answerFeed) feedRow { return feedRow{Embedded: b.Embedded} }

// embedAnswers is the embeddable widget /embed/answers: the newest answers,
// live, without the site's chrome.
func (f *Frontend) embedAnswers(w http.ResponseWriter, r *http.Request) {
	b, err := f.recentAnswers(r.Context(), i18n.FromContext(r.Context()), true)
	if err != nil {
		f.opts.Logger.Error("page failed", "method", r.Method, "path", r.URL.Path, "err", err)
		e := apperr.New(apperr.Internal, "internal")
		f.renderIn(w, r, statusOf(w, e), "embed", "embed_answers", view{Data: &answerFeed{Embedded: true, Error: e.Key}})
		return
	}
	path := "/embed/answers"
	if l, ok := i18n.Parse(r.URL.Query().Get("lang")); ok {
		path += "?lang=" + string(l)
	}
	f.renderIn(w, r, http.StatusOK, "embed", "embed_answers", view{Path: path, Data: b})
}
