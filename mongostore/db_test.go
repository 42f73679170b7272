package mongostore_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/civichub/civichub/internal/ferrettest"
	"github.com/civichub/civichub/mongostore"
)

func TestOpenErrors(t *testing.T) {
	tests := []struct {
		name, uri, db string
	}{
		{"not a mongodb URI", "http://127.0.0.1:1", "x"},
		{"malformed URI", "mongodb://%zz", "x"},
		{"empty URI", "", "x"},
		{"nobody listening", "mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=300", "x"},
		{"empty database name", ferretURI, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			db, err := mongostore.Open(ctx, tc.uri, tc.db, nil)
			if err == nil {
				_ = db.Close(ctx)
				t.Fatalf("Open(%q, %q) = nil error, want an error", tc.uri, tc.db)
			}
		})
	}
}

func TestOpenCreatesIndexes(t *testing.T) {
	db, name := openDB(t)
	ctx := context.Background()
	if err := db.Ping(ctx); err != nil {
		t.Fatalf("Ping = %v", err)
	}
	// A second Open of the same database finds the indexes in place.
	again, err := mongostore.Open(ctx, ferretURI, name, nil)
	if err != nil {
		t.Fatalf("Open(again) = %v", err)
	}
	if err := again.Close(ctx); err != nil {
		t.Errorf("Close = %v", err)
	}

	want := map[string][]string{
		"users":       {"{_id:1}", "{email_key:1} unique", "{role:1}"},
		"sessions":    {"{_id:1}", "{expires_at:1}", "{user_id:1}"},
		"agencies":    {"{_id:1}", "{slug:1} unique"},
		"memberships": {"{_id:1}", "{agency_id:1,user_id:1}", "{user_id:1,agency_id:1}"},
	}
	for coll, wantIdx := range want {
		specs, err := admin.Database(name).Collection(coll).Indexes().ListSpecifications(ctx)
		if err != nil {
			t.Fatalf("ListSpecifications(%s) = %v", coll, err)
		}
		var got []string
		for _, s := range specs {
			var keys []string
			elems, err := s.KeysDocument.Elements()
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range elems {
				keys = append(keys, fmt.Sprintf("%s:%d", e.Key(), e.Value().AsInt64()))
			}
			desc := "{" + strings.Join(keys, ",") + "}"
			if s.Unique != nil && *s.Unique {
				desc += " unique"
			}
			got = append(got, desc)
		}
		slices.Sort(got)
		if !slices.Equal(got, wantIdx) {
			t.Errorf("indexes on %s = %q, want %q", coll, got, wantIdx)
		}
	}
}

func TestPingAfterClose(t *testing.T) {
	ctx := context.Background()
	name := ferrettest.NewDatabaseName(t)
	db, err := mongostore.Open(ctx, ferretURI, name, nil)
	if err != nil {
		t.Fatalf("Open = %v", err)
	}
	if err := db.Close(ctx); err != nil {
		t.Fatalf("Close = %v", err)
	}
	if err := db.Ping(ctx); err == nil {
		t.Errorf("Ping after Close = nil, want an error")
	}
	_ = admin.Database(name).Drop(ctx)
}
