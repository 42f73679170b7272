package mongostore

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/civichub/civichub/accounts"
)

type revocationDoc struct {
	ID     string    `bson:"_id"`
	UserID string    `bson:"user_id"`
	At     time.Time `bson:"at"`
}

// AddRevocation implements accounts.Store.
func (s *AccountsStore) AddRevocation(ctx context.Context, r *accounts.Revocation) error {
	doc := revocationDoc{ID: r.ID, UserID: r.UserID, At: r.At.UTC()}
	if _, err := s.db.Collection(revocationsColl).InsertOne(ctx, doc); err != nil {
		return fmt.Errorf("mongostore: insert revocation: %w", err)
	}
	return nil
}

// Revocations implements accounts.Store.
func (s *AccountsStore) Revocations(ctx context.Context, since time.Time) ([]*accounts.Revocation, error) {
	opts := options.Find().SetSort(bson.D{{Key: "at", Value: 1}, {Key: "_id", Value: 1}})
	cur, err := s.db.Collection(revocationsColl).Find(ctx, bson.D{{Key: "at", Value: bson.D{{Key: "$gte", Value: since.UTC()}}}}, opts)
	if err != nil {
		return nil, fmt.Errorf("mongostore: list revocations: %w", err)
	}
	var docs []revocationDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("mongostore: list revocations: %w", err)
	}
	out := make([]*accounts.Revocation, len(docs))
	for i, d := range docs {
		out[i] = &accounts.Revocation{ID: d.ID, UserID: d.UserID, At: d.At.UTC()}
	}
	return out, nil
}

// DeleteRevocations implements accounts.Store.
func (s *AccountsStore) DeleteRevocations(ctx context.Context, before time.Time) error {
	_, err := s.db.Collection(revocationsColl).DeleteMany(ctx, bson.D{{Key: "at", Value: bson.D{{Key: "$lt", Value: before.UTC()}}}})
	if err != nil {
		return fmt.Errorf("mongostore: delete revocations: %w", err)
	}
	return nil
}
