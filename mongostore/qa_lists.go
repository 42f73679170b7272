package mongostore

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/civichub/civichub/qa"
)

// Lists of questions, part of QAStore.

// questionFilter is the filter of q without its cursor.
func questionFilter(q qa.Query) bson.D {
	filter := bson.D{}
	if q.AgencyID != "" {
		filter = append(filter, key("agency_id", q.AgencyID))
	}
	if len(q.Statuses) > 0 {
		in := make([]string, len(q.Statuses))
		for i, st := range q.Statuses {
			in[i] = string(st)
		}
		filter = append(filter, key("status", bson.D{key("$in", in)}))
	}
	if q.AskerID != "" {
		filter = append(filter, key("asker_id", q.AskerID))
	}
	if q.AssigneeID != "" {
		filter = append(filter, key("assignee_id", q.AssigneeID))
	}
	if q.ListedOnly {
		filter = append(filter, key("listed", true))
	}
	if q.Sort == qa.RecentlyAnswered {
		filter = append(filter, key("answered_at", bson.D{key("$gt", time.Time{})}))
	}
	if !q.DueBefore.IsZero() {
		// A question without a deadline is never due.
		filter = append(filter, key("deadline", bson.D{key("$gt", time.Time{}), key("$lt", q.DueBefore)}))
	}
	return filter
}

// Questions implements qa.Store. qa.Newest (also an empty Sort) pages by
// _id descending; qa.ByDeadline by (deadline, _id) ascending, with the
// keyset {$or: [{deadline: {$gt: t}}, {deadline: t, _id: {$gt: id}}]}.
func (s *QAStore) Questions(ctx context.Context, q qa.Query) ([]*qa.Question, error) {
	filter := questionFilter(q)
	opts := options.Find().SetProjection(listProjection)
	switch q.Sort {
	case qa.ByDeadline:
		if q.AfterID != "" {
			filter = append(filter, key("$or", bson.A{
				bson.D{key("deadline", bson.D{key("$gt", q.AfterTime)})},
				bson.D{key("deadline", q.AfterTime), key("_id", bson.D{key("$gt", q.AfterID)})},
			}))
		}
		opts.SetSort(bson.D{key("deadline", 1), key("_id", 1)})
	case qa.RecentlyAnswered:
		if q.AfterID != "" {
			filter = append(filter, key("$or", bson.A{
				bson.D{key("answered_at", bson.D{key("$lt", q.AfterTime)})},
				bson.D{key("answered_at", q.AfterTime), key("_id", bson.D{key("$lt", q.AfterID)})},
			}))
		}
		opts.SetSort(bson.D{key("answered_at", -1), key("_id", -1)})
	default:
		filter = beforeFilter(filter, q.AfterID)
		opts.SetSort(bson.D{key("_id", -1)})
	}
	return s.findQuestions(ctx, filter, limitOpt(opts, q.Limit), "list questions")
}

// CountQuestions implements qa.Store; a max of zero or less counts all.
func (s *QAStore) CountQuestions(ctx context.Context, q qa.Query, max int) (int, error) {
	opts := options.Count()
	if max > 0 {
		opts.SetLimit(int64(max))
	}
	n, err := s.db.Collection(questionsColl).CountDocuments(ctx, questionFilter(q), opts)
	if err != nil {
		return 0, fmt.Errorf("mongostore: count questions: %w", err)
	}
	return int(n), nil
}

// OverdueUnnotified implements qa.Store: whole questions (with History,
// Legs and Tokens), ordered by deadline, then ID.
func (s *QAStore) OverdueUnnotified(ctx context.Context, now time.Time, limit int) ([]*qa.Question, error) {
	filter := bson.D{
		key("overdue_notified", false),
		key("deadline", bson.D{key("$gt", time.Time{}), key("$lt", now)}),
		key("status", bson.D{key("$in", bson.A{string(qa.Submitted), string(qa.Accepted), string(qa.Assigned)})}),
	}
	// Whole questions, so that the caller can update them.
	opts := limitOpt(options.Find().SetSort(bson.D{key("deadline", 1), key("_id", 1)}), limit)
	return s.findQuestions(ctx, filter, opts, "list overdue questions")
}
