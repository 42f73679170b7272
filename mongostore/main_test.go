package mongostore_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/civichub/civichub/internal/ferrettest"
	"github.com/civichub/civichub/mongostore"
)

// One FerretDB serves every test in the package; each test opens its own
// database on it. admin is a plain driver client for checks and clean-up
// that the stores do not offer.
var (
	ferretURI string
	admin     *mongo.Client
)

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "mongostore-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	srv, err := ferrettest.NewServer(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer srv.Close()
	ferretURI = srv.URI()
	admin, err = mongo.Connect(options.Client().ApplyURI(ferretURI))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer admin.Disconnect(context.Background())
	return m.Run()
}

// openDB opens a fresh database on the shared FerretDB and returns it with
// its name. The database is closed and dropped when tb ends.
func openDB(tb testing.TB) (*mongostore.DB, string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	name := ferrettest.NewDatabaseName(tb)
	db, err := mongostore.Open(ctx, ferretURI, name, nil)
	if err != nil {
		tb.Fatalf("Open = %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := db.Close(ctx); err != nil {
			tb.Errorf("Close = %v", err)
		}
		if err := admin.Database(name).Drop(ctx); err != nil {
			tb.Errorf("Drop(%s) = %v", name, err)
		}
	})
	return db, name
}
