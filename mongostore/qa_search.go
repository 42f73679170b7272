package mongostore

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/civichub/civichub/qa"
)

// Search implements qa.Store with {$all: tokens} on the multikey index
// {tokens, _id}, listed questions only, newest first. Only listed questions
// have tokens stored; the listed condition guards the rest.
func (s *QAStore) Search(ctx context.Context, q qa.SearchQuery) ([]*qa.Question, error) {
	tokens := slices.Compact(slices.Sorted(slices.Values(q.Tokens)))
	tokens = slices.DeleteFunc(tokens, func(t string) bool { return t == "" })
	if len(tokens) == 0 {
		return []*qa.Question{}, nil
	}
	filter := beforeFilter(bson.D{key("tokens", bson.D{key("$all", tokens)}), key("listed", true)}, q.AfterID)
	opts := limitOpt(options.Find().SetSort(bson.D{key("_id", -1)}).SetProjection(listProjection), q.Limit)
	return s.findQuestions(ctx, filter, opts, "search questions")
}

// Legs implements qa.Store: the questions that have a leg of agencyID and a
// legs_end at or after since, through the index {legs.agency_id,
// legs_end}; the legs themselves are picked out here, since a condition on
// one array element would need $elemMatch. An open leg is always
// returned. They are ordered by start, then question.
func (s *QAStore) Legs(ctx context.Context, agencyID string, since time.Time) ([]qa.Leg, error) {
	filter := bson.D{key("legs.agency_id", agencyID), key("legs_end", bson.D{key("$gte", since)})}
	var docs []struct {
		ID   string   `bson:"_id"`
		Legs []qa.Leg `bson:"legs"`
	}
	opts := options.Find().SetProjection(bson.D{key("legs", 1)})
	if err := findAll(ctx, s.db.Collection(questionsColl), filter, opts, &docs); err != nil {
		return nil, fmt.Errorf("mongostore: find legs: %w", err)
	}
	var out []qa.Leg
	for _, d := range docs {
		for _, l := range d.Legs {
			open := l.EndedAt.IsZero()
			if l.AgencyID == agencyID && (open || !l.StartedAt.Before(since) || !l.EndedAt.Before(since)) {
				out = append(out, utcLeg(l, d.ID))
			}
		}
	}
	slices.SortFunc(out, func(a, b qa.Leg) int {
		return cmp.Or(a.StartedAt.Compare(b.StartedAt), cmp.Compare(a.QuestionID, b.QuestionID))
	})
	return out, nil
}
