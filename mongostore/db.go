// Package mongostore keeps civichub's data in MongoDB, for real deployments
// and clusters. Each domain has its own file and store type (AccountsStore in
// accounts.go, and so on), all sharing one DB.
//
// The stores keep to the part of MongoDB that FerretDB v1 also runs
// correctly, because that is what the tests run against (see DESIGN.md,
// "Storage"): plain CRUD, upserts, FindOneAndUpdate and unique indexes; no
// transactions, $lookup, TTL or partial indexes, collation or Decimal128.
// Uniqueness (of emails, slugs) is enforced by unique indexes, never by
// reading first, so it holds across nodes. Documents use the application's ID
// as _id, store times as BSON datetimes (millisecond precision) and counters
// as int64.
package mongostore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
)

// DB is a connection to one MongoDB database. It is safe for concurrent use;
// the stores it returns share its connection pool.
type DB struct {
	client *mongo.Client
	db     *mongo.Database
	logger *slog.Logger
}

// collectionIndexes lists the indexes one collection needs.
type collectionIndexes struct {
	collection string
	indexes    []mongo.IndexModel
}

// Open connects to the MongoDB server at uri, checks that it answers, and
// makes sure every collection of database dbName has the indexes the stores
// rely on (creating an index that exists is a no-op). A nil logger discards.
//
// It returns an error, and leaves nothing open, if uri cannot be parsed, the
// server cannot be reached before ctx is done, or an index cannot be made;
// for example when existing data violates a unique index. Bound the time
// Open may take with ctx: an unreachable server is retried until ctx ends or
// the driver's server selection timeout (30 s by default) passes.
func Open(ctx context.Context, uri, dbName string, logger *slog.Logger) (*DB, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if dbName == "" {
		return nil, errors.New("mongostore: open: empty database name")
	}
	client, err := mongo.Connect(options.Client().ApplyURI(uri))
	if err != nil {
		return nil, fmt.Errorf("mongostore: connect: %w", err)
	}
	db := &DB{client: client, db: client.Database(dbName), logger: logger}
	if err := db.Ping(ctx); err != nil {
		_ = client.Disconnect(context.WithoutCancel(ctx))
		return nil, err
	}
	if err := db.createIndexes(ctx); err != nil {
		_ = client.Disconnect(context.WithoutCancel(ctx))
		return nil, err
	}
	logger.Debug("mongodb ready", "database", dbName)
	return db, nil
}

// createIndexes makes the indexes of every domain. A domain store adds its
// list here when it is added to the package.
//
// Indexes are created one per command: FerretDB v1.24 panics, and drops the
// connection, when one createIndexes command names two or more indexes that
// already exist, which is the case on every start after the first.
func (db *DB) createIndexes(ctx context.Context) error {
	for _, ci := range slices.Concat(accountsIndexes(), pollsIndexes(), forumIndexes(), qaIndexes()) {
		iv := db.db.Collection(ci.collection).Indexes()
		for _, m := range ci.indexes {
			if _, err := iv.CreateOne(ctx, m); err != nil {
				return fmt.Errorf("mongostore: create index on %s: %w", ci.collection, err)
			}
		}
	}
	return nil
}

// Ping reports whether the primary answers, for /readyz. It returns a
// wrapped driver error if it does not before ctx is done. It is safe for
// concurrent use.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.client.Ping(ctx, readpref.Primary()); err != nil {
		return fmt.Errorf("mongostore: ping: %w", err)
	}
	return nil
}

// Close waits for operations in progress to finish, until ctx is done, and
// closes every connection. Stores from db must not be used afterwards. It
// returns a wrapped driver error if the connections do not close cleanly.
func (db *DB) Close(ctx context.Context) error {
	if err := db.client.Disconnect(ctx); err != nil {
		return fmt.Errorf("mongostore: close: %w", err)
	}
	return nil
}

// Accounts returns the accounts store, which uses db's connection. It is
// cheap; the store is safe for concurrent use.
func (db *DB) Accounts() *AccountsStore { return &AccountsStore{db: db.db} }

// page returns the filter and options for one page of a list ordered by _id:
// the documents whose _id is greater than after, at most limit of them (all
// of them when limit is zero or less). Paging by _id rather than with $skip
// keeps a page stable while documents are added, and uses the _id index.
func page(after string, limit int) (filter bson.D, opts *options.FindOptionsBuilder) {
	filter = bson.D{}
	if after != "" {
		filter = bson.D{{Key: "_id", Value: bson.D{{Key: "$gt", Value: after}}}}
	}
	opts = options.Find().SetSort(bson.D{{Key: "_id", Value: 1}})
	if limit > 0 {
		opts.SetLimit(int64(limit))
	}
	return filter, opts
}

// findAll decodes every document that filter and opts select into docs, a
// pointer to a slice.
func findAll(ctx context.Context, c *mongo.Collection, filter bson.D, opts *options.FindOptionsBuilder, docs any) error {
	cur, err := c.Find(ctx, filter, opts)
	if err != nil {
		return err
	}
	return cur.All(ctx, docs) // All closes the cursor
}
