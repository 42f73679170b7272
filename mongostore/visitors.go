package mongostore

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/civichub/civichub/visitors"
)

// The visitors collections. Each holds a handful of documents (old levels
// and days are deleted as they go), so they need no index of their own.
const (
	countersColl    = "counters"
	visitorDaysColl = "visitor_days"
)

// upsertTries bounds the retries of an upsert that lost a race, which ends in
// a duplicate key error when two upserts insert one new _id at once.
const upsertTries = 5

// VisitorsStore implements visitors.Store. It is safe for concurrent use,
// also from several nodes. Errors are driver errors wrapped with a
// "mongostore:" prefix.
//
// A counter is not one document updated in place: FerretDB v1 runs an
// update as a query followed by a separate write, so concurrent updates of
// one document lose writes (200 concurrent $inc of one field left it at 25
// in a test), and a conditional "set if greater" can go backwards. Inserts
// are atomic on both servers, so a counter is the set of its levels,
// {_id: "name/value", name, value: int64}: RaiseCounter inserts a level,
// the counter is the highest level, and levels below a level known to exist
// are deleted, which can never lower the highest. Day sketches are
// {_id: "kind/day", kind, day, sketch} documents, replaced whole.
type VisitorsStore struct {
	db *mongo.Database
}

var _ visitors.Store = (*VisitorsStore)(nil)

// Visitors returns the visit counters store, which uses db's connection. It
// is cheap; the store is safe for concurrent use.
func (db *DB) Visitors() *VisitorsStore { return &VisitorsStore{db: db.db} }

type levelDoc struct {
	ID    string `bson:"_id"`
	Name  string `bson:"name"`
	Value int64  `bson:"value"`
}

func levelID(name string, v int64) string { return fmt.Sprintf("%s/%d", name, v) }

// Counter implements visitors.Store: the highest level of name.
func (s *VisitorsStore) Counter(ctx context.Context, name string) (int64, error) {
	var d levelDoc
	err := s.db.Collection(countersColl).FindOne(ctx, bson.D{{Key: "name", Value: name}},
		options.FindOne().SetSort(bson.D{{Key: "value", Value: -1}})).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return 0, nil
	} else if err != nil {
		return 0, fmt.Errorf("mongostore: find counter: %w", err)
	}
	return d.Value, nil
}

// RaiseCounter implements visitors.Store: it inserts the level v (a
// duplicate key error means the level exists already), reads the highest
// level, and deletes the levels below it.
func (s *VisitorsStore) RaiseCounter(ctx context.Context, name string, v int64) (int64, error) {
	_, err := s.db.Collection(countersColl).InsertOne(ctx, levelDoc{ID: levelID(name, v), Name: name, Value: v})
	if err != nil && !mongo.IsDuplicateKeyError(err) {
		return 0, fmt.Errorf("mongostore: raise counter: %w", err)
	}
	top, err := s.Counter(ctx, name)
	if err != nil {
		return 0, err
	}
	if err := s.deleteLevels(ctx, name, bson.D{{Key: "$lt", Value: top}}); err != nil {
		return 0, fmt.Errorf("mongostore: raise counter: %w", err)
	}
	return top, nil
}

// SetCounter implements visitors.Store: it inserts the level v and deletes
// every other level. A raise racing with it may win; that is the override's
// contract.
func (s *VisitorsStore) SetCounter(ctx context.Context, name string, v int64) error {
	_, err := s.db.Collection(countersColl).InsertOne(ctx, levelDoc{ID: levelID(name, v), Name: name, Value: v})
	if err != nil && !mongo.IsDuplicateKeyError(err) {
		return fmt.Errorf("mongostore: set counter: %w", err)
	}
	if err := s.deleteLevels(ctx, name, bson.D{{Key: "$ne", Value: v}}); err != nil {
		return fmt.Errorf("mongostore: set counter: %w", err)
	}
	return nil
}

func (s *VisitorsStore) deleteLevels(ctx context.Context, name string, cond bson.D) error {
	_, err := s.db.Collection(countersColl).DeleteMany(ctx,
		bson.D{{Key: "name", Value: name}, {Key: "value", Value: cond}})
	return err
}

// upsert updates or inserts the document with id, retrying when a
// concurrent upsert of the same new _id made it fail.
func (s *VisitorsStore) upsert(ctx context.Context, coll, id string, update bson.D) error {
	var err error
	for range upsertTries {
		_, err = s.db.Collection(coll).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, update,
			options.UpdateOne().SetUpsert(true))
		if !mongo.IsDuplicateKeyError(err) {
			return err
		}
	}
	return err
}

type dayDoc struct {
	ID     string `bson:"_id"`
	Kind   string `bson:"kind"`
	Day    string `bson:"day"`
	Sketch []byte `bson:"sketch"`
}

func dayID(kind, day string) string { return kind + "/" + day }

// DaySketch implements visitors.Store.
func (s *VisitorsStore) DaySketch(ctx context.Context, kind, day string) ([]byte, error) {
	var d dayDoc
	err := s.db.Collection(visitorDaysColl).FindOne(ctx, bson.D{{Key: "_id", Value: dayID(kind, day)}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("mongostore: find day sketch: %w", err)
	}
	if d.Sketch == nil {
		d.Sketch = []byte{}
	}
	return d.Sketch, nil
}

// PutDaySketch implements visitors.Store.
func (s *VisitorsStore) PutDaySketch(ctx context.Context, kind, day string, sketch []byte) error {
	if sketch == nil {
		sketch = []byte{}
	}
	update := bson.D{{Key: "$set", Value: bson.D{
		{Key: "kind", Value: kind}, {Key: "day", Value: day}, {Key: "sketch", Value: sketch},
	}}}
	if err := s.upsert(ctx, visitorDaysColl, dayID(kind, day), update); err != nil {
		return fmt.Errorf("mongostore: put day sketch: %w", err)
	}
	return nil
}

// DeleteDaySketches implements visitors.Store. The collection holds a few
// documents per day and is pruned daily, so the scan is cheap.
func (s *VisitorsStore) DeleteDaySketches(ctx context.Context, before string) error {
	_, err := s.db.Collection(visitorDaysColl).DeleteMany(ctx,
		bson.D{{Key: "day", Value: bson.D{{Key: "$lt", Value: before}}}})
	if err != nil {
		return fmt.Errorf("mongostore: delete day sketches: %w", err)
	}
	return nil
}
