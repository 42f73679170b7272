package mongostore

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// findOne decodes the one document filter selects in coll and converts it
// with conv. No document is notFound; another error is wrapped with what.
func findOne[D, T any](ctx context.Context, coll *mongo.Collection, filter bson.D, notFound error, what string, conv func(*D) *T) (*T, error) {
	var d D
	err := coll.FindOne(ctx, filter).Decode(&d)
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return nil, notFound
	case err != nil:
		return nil, fmt.Errorf("mongostore: find %s: %w", what, err)
	}
	return conv(&d), nil
}

// listPage returns at most limit documents of coll with IDs after after,
// ordered by ID (all of them when limit is zero or less), converted with conv.
func listPage[D, T any](ctx context.Context, coll *mongo.Collection, after string, limit int, what string, conv func(*D) *T) ([]*T, error) {
	filter, opts := page(after, limit)
	var docs []D
	if err := findAll(ctx, coll, filter, opts, &docs); err != nil {
		return nil, fmt.Errorf("mongostore: list %s: %w", what, err)
	}
	out := make([]*T, len(docs))
	for i := range docs {
		out[i] = conv(&docs[i])
	}
	return out, nil
}
