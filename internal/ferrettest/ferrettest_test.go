package ferrettest

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

func TestStart(t *testing.T) {
	uri := Start(t)
	if !strings.HasPrefix(uri, "mongodb://127.0.0.1:") {
		t.Fatalf("Start() = %q, want a mongodb://127.0.0.1 URI", uri)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := mongo.Connect(options.Client().ApplyURI(uri))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.Disconnect(context.Background()) }()

	// Two databases on one server are independent.
	a := c.Database(NewDatabaseName(t)).Collection("c")
	b := c.Database(NewDatabaseName(t)).Collection("c")
	if _, err := a.InsertOne(ctx, bson.D{{Key: "_id", Value: "x"}}); err != nil {
		t.Fatalf("InsertOne = %v", err)
	}
	if n, err := b.CountDocuments(ctx, bson.D{}); err != nil || n != 0 {
		t.Errorf("CountDocuments(other database) = %d, %v, want 0", n, err)
	}

	// The unique indexes the stores rely on are enforced.
	_, err = a.Indexes().CreateOne(ctx, mongo.IndexModel{Keys: bson.D{{Key: "k", Value: 1}}, Options: options.Index().SetUnique(true)})
	if err != nil {
		t.Fatalf("CreateOne(unique index) = %v", err)
	}
	if _, err := a.InsertOne(ctx, bson.D{{Key: "_id", Value: "y"}, {Key: "k", Value: 1}}); err != nil {
		t.Fatalf("InsertOne = %v", err)
	}
	_, err = a.InsertOne(ctx, bson.D{{Key: "_id", Value: "z"}, {Key: "k", Value: 1}})
	if !mongo.IsDuplicateKeyError(err) {
		t.Errorf("InsertOne(duplicate k) = %v, want a duplicate key error", err)
	}
}

func TestNewDatabaseName(t *testing.T) {
	valid := regexp.MustCompile(`^[a-zA-Z0-9_-]{1,63}$`)
	long := strings.Repeat("Sở Xây dựng ", 8)
	t.Run(long, func(t *testing.T) {
		a, b := NewDatabaseName(t), NewDatabaseName(t)
		for _, name := range []string{a, b} {
			if !valid.MatchString(name) {
				t.Errorf("NewDatabaseName() = %q, not a valid FerretDB database name", name)
			}
		}
		if a == b {
			t.Errorf("NewDatabaseName() twice = %q, want different names", a)
		}
	})
}
