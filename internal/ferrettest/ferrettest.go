// Package ferrettest runs an embedded FerretDB (a MongoDB wire-protocol server
// with an SQLite backend) inside a test binary, so the MongoDB store can be
// tested on machines where no MongoDB server can be installed.
//
// Starting FerretDB takes a moment, so a package normally starts one server
// for its whole test binary (NewServer from TestMain, or Start from a single
// test) and gives each test its own database with NewDatabaseName.
package ferrettest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
)

// readyTimeout bounds how long NewServer waits for FerretDB to answer a ping.
const readyTimeout = 10 * time.Second

// Server is a running embedded FerretDB, stopped by Close. Its methods are
// safe for concurrent use, and Close may be called more than once.
type Server struct {
	uri    string
	cancel context.CancelFunc
	done   chan struct{}
}

// NewServer starts FerretDB v1 on a free loopback port, storing its SQLite
// files in dir, and returns once it answers a ping. It returns an error if
// FerretDB cannot be built or does not become ready within a few seconds; in
// that case nothing is left running. FerretDB logs only errors, to stderr:
// its warnings (such as "no such command: endSessions" each time a client
// disconnects) are noise, but its errors include its own panics, which it
// recovers from by dropping the client's connection, and those are worth
// seeing next to the driver's "connection closed" error they cause.
func NewServer(dir string) (*Server, error) {
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: "127.0.0.1:0"},
		Logger:    slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})),
		Handler:   "sqlite",
		SQLiteURL: "file:" + dir + "/",
	})
	if err != nil {
		return nil, fmt.Errorf("ferrettest: new ferretdb: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		_ = f.Run(ctx) // always nil; it returns once ctx is canceled
	}()
	// The listener is bound by ferretdb.New, so MongoDBURI does not block.
	s.uri = f.MongoDBURI()
	if err := waitReady(s.uri, readyTimeout); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// waitReady pings uri until it answers or timeout passes.
func waitReady(uri string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	c, err := mongo.Connect(options.Client().ApplyURI(uri))
	if err != nil {
		return fmt.Errorf("ferrettest: connect: %w", err)
	}
	defer func() { _ = c.Disconnect(context.Background()) }()
	for {
		pingCtx, pingCancel := context.WithTimeout(ctx, time.Second)
		err = c.Ping(pingCtx, readpref.Primary())
		pingCancel()
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("ferrettest: not ready after %v: %w", timeout, errors.Join(err, ctx.Err()))
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// URI returns the server's mongodb:// connection string.
func (s *Server) URI() string { return s.uri }

// Close stops the server and waits until its listener, connections and
// backend are closed. Clients still connected see their connections drop.
func (s *Server) Close() {
	s.cancel()
	<-s.done
}

// Start starts a FerretDB for tb in tb.TempDir and returns its mongodb://
// URI. The server is stopped by tb.Cleanup, before the temp dir is removed.
// Start calls tb.Fatal if the server does not start.
func Start(tb testing.TB) string {
	tb.Helper()
	dir := tb.TempDir() // registered first, so removed after Close
	s, err := NewServer(dir)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Close)
	return s.URI()
}

var unsafeName = regexp.MustCompile(`[^a-zA-Z0-9_-]+`)

// NewDatabaseName returns a database name no other call returns, derived
// from tb.Name() so that a leftover database can be traced to its test. It
// fits FerretDB's rule for names (^[a-zA-Z0-9_-]{1,63}$). It is safe for
// concurrent use.
func NewDatabaseName(tb testing.TB) string {
	var b [6]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	name := strings.Trim(unsafeName.ReplaceAllString(tb.Name(), "_"), "_")
	if max := 63 - 1 - 2*len(b); len(name) > max {
		name = name[len(name)-max:] // the end of a subtest name says most
	}
	return name + "_" + hex.EncodeToString(b[:])
}
