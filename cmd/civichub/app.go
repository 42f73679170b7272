package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/civichub/civichub/accounts"
	"github.com/civichub/civichub/config"
	"github.com/civichub/civichub/forum"
	"github.com/civichub/civichub/mongostore"
	"github.com/civichub/civichub/polls"
	"github.com/civichub/civichub/qa"
	"github.com/civichub/civichub/ratelimit"
	"github.com/civichub/civichub/sqlitestore"
	"github.com/civichub/civichub/visitors"
)

// app is everything built from the configuration that both the server and
// the admin commands use: the store, Redis when configured, and the domain
// services.
type app struct {
	cfg      *config.Config
	logger   *slog.Logger
	store    storage
	redis    *redis.Client // nil without CIVICHUB_REDIS_URL
	limiter  ratelimit.Limiter
	accounts *accounts.Service
	visits   visitors.Counter
	// polls is made with the hub it publishes to (app.handler); admin
	// commands use the store directly.
	polls *polls.Service
	forum *forum.Service
	qa    *qa.Service
}

// storage is the part of a store implementation the process needs.
type storage struct {
	name     string
	accounts accounts.Store
	visitors visitors.Store
	polls    polls.Store
	forum    forum.Store
	qa       qa.Store
	// voteWriters is how many ballot batches may be written at once: one
	// for SQLite's single writer, more for a database server.
	voteWriters int
	ping        func(context.Context) error
	close       func() error
}

func openStorage(ctx context.Context, cfg *config.Config, logger *slog.Logger) (storage, error) {
	if cfg.MongoURI == "" {
		db, err := sqlitestore.Open(ctx, cfg.DataDir, logger)
		if err != nil {
			return storage{}, err
		}
		return storage{name: "sqlite " + db.Path(), accounts: db.Accounts(), visitors: db.Visitors(), polls: db.Polls(),
			forum: db.Forum(), qa: db.QA(), voteWriters: 1, ping: db.Ping, close: db.Close}, nil
	}
	db, err := mongostore.Open(ctx, cfg.MongoURI, cfg.MongoDatabase, logger)
	if err != nil {
		return storage{}, err
	}
	closeDB := func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return db.Close(ctx)
	}
	return storage{name: "mongodb " + cfg.MongoDatabase, accounts: db.Accounts(), visitors: db.Visitors(), polls: db.Polls(),
		forum: db.Forum(), qa: db.QA(), voteWriters: 4, ping: db.Ping, close: closeDB}, nil
}

func newApp(ctx context.Context, cfg *config.Config, logger *slog.Logger) (*app, error) {
	st, err := openStorage(ctx, cfg, logger)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	a := &app{cfg: cfg, logger: logger, store: st}
	if cfg.RedisURL != "" {
		opts, err := redis.ParseURL(cfg.RedisURL)
		if err != nil {
			st.close()
			return nil, fmt.Errorf("invalid setting CIVICHUB_REDIS_URL: %w", err)
		}
		a.redis = redis.NewClient(opts)
		a.limiter = ratelimit.NewRedis(a.redis)
		a.visits = visitors.NewRedisCounter(a.redis, cfg.Timezone, visitors.Options{})
	} else {
		a.limiter = ratelimit.NewMemory()
		a.visits = visitors.NewMemoryCounter(cfg.Timezone, visitors.Options{})
	}
	a.accounts = accounts.NewService(st.accounts, accounts.NewHasher(cfg.HashConcurrency, accounts.HashParams), a.limiter, accounts.Options{
		SessionTTL: cfg.SessionTTL,
		Limits: accounts.Limits{
			LoginPerIP: cfg.LoginPerIP, LoginPerAccount: cfg.LoginPerAccount, RegisterPerIP: cfg.RegisterPerIP,
		},
	}, logger)
	return a, nil
}

// brokerName says which broker is in use, for the first log lines.
func (a *app) brokerName() string {
	if a.redis == nil {
		return "in-process"
	}
	return "redis " + a.redis.Options().Addr
}

// ready checks every dependency, for /readyz.
func (a *app) ready(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	var errs []error
	if err := a.store.ping(ctx); err != nil {
		errs = append(errs, fmt.Errorf("store: %w", err))
	}
	if a.redis != nil {
		if err := a.redis.Ping(ctx).Err(); err != nil {
			errs = append(errs, fmt.Errorf("redis: %w", err))
		}
	}
	return errors.Join(errs...)
}

func (a *app) close() error {
	var errs []error
	if a.redis != nil {
		errs = append(errs, a.redis.Close())
	}
	errs = append(errs, a.store.close())
	return errors.Join(errs...)
}
