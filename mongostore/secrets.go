package mongostore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Site secrets, part of AccountsStore.

type secretDoc struct {
	Name      string    `bson:"_id"`
	Value     []byte    `bson:"value"`
	CreatedAt time.Time `bson:"created_at"`
}

// Secret returns the named site secret. The first caller's gen makes it;
// every later call, on any node and after any restart, gets the same bytes,
// and gen is called only when the secret looks absent. Concurrent first
// calls race through one upsert with $setOnInsert, so one value wins and all
// of them return it. Errors are wrapped driver errors; Secret is safe for
// concurrent use.
func (s *AccountsStore) Secret(ctx context.Context, name string, gen func() []byte) ([]byte, error) {
	c := s.db.Collection(secretsColl)
	filter := bson.D{{Key: "_id", Value: name}}
	var d secretDoc
	err := c.FindOne(ctx, filter).Decode(&d)
	if err == nil {
		return d.Value, nil
	}
	if !errors.Is(err, mongo.ErrNoDocuments) {
		return nil, fmt.Errorf("mongostore: find secret: %w", err)
	}
	update := bson.D{{Key: "$setOnInsert", Value: bson.D{
		{Key: "value", Value: gen()},
		{Key: "created_at", Value: time.Now()},
	}}}
	// MongoDB may fail one of two concurrent upserts of a new _id with a
	// duplicate key error; the other inserted the secret, so read it.
	_, err = c.UpdateOne(ctx, filter, update, options.UpdateOne().SetUpsert(true))
	if err != nil && !mongo.IsDuplicateKeyError(err) {
		return nil, fmt.Errorf("mongostore: upsert secret: %w", err)
	}
	if err := c.FindOne(ctx, filter).Decode(&d); err != nil {
		return nil, fmt.Errorf("mongostore: read secret: %w", err)
	}
	return d.Value, nil
}
