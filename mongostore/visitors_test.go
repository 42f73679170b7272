package mongostore_test

import (
	"context"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/civichub/civichub/visitors"
	"github.com/civichub/civichub/visitors/visitorstest"
)

func TestVisitorsStore(t *testing.T) {
	visitorstest.Run(t, func(t *testing.T) visitors.Store {
		db, _ := openDB(t)
		return db.Visitors()
	})
}

// TestCounterDocument checks what the conformance suite cannot see: the
// stored documents.

func TestCounterDocument(t *testing.T) {
	db, name := openDB(t)
	ctx := context.Background()
	for _, v := range []int64{5, 20100646, 7} {
		if _, err := db.Visitors().RaiseCounter(ctx, visitors.VisitsTotal, v); err != nil {
			t.Fatalf("RaiseCounter(%d) = %v", v, err)
		}
	}
	coll := admin.Database(name).Collection("counters")
	if n, err := coll.CountDocuments(ctx, bson.D{}); err != nil || n != 1 {
		t.Errorf("counters holds %d documents, %v, want 1 (lower levels deleted)", n, err)
	}
	raw, err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: "visits_total/20100646"}}).Raw()
	if err != nil {
		t.Fatalf("FindOne(raw) = %v", err)
	}
	if got := raw.Lookup("value"); got.Type != bson.TypeInt64 || got.Int64() != 20100646 {
		t.Errorf("value = %v (BSON type %v), want int64 20100646", got, got.Type)
	}
	if err := db.Visitors().PutDaySketch(ctx, "redis", "2025-03-01", []byte("HYLL")); err != nil {
		t.Fatal(err)
	}
	raw, err = admin.Database(name).Collection("visitor_days").
		FindOne(ctx, bson.D{{Key: "_id", Value: "redis/2025-03-01"}}).Raw()
	if err != nil {
		t.Fatalf("FindOne(day) = %v", err)
	}
	if got := raw.Lookup("sketch").Type; got != bson.TypeBinary {
		t.Errorf("sketch has BSON type %v, want binary", got)
	}
}
