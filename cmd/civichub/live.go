package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/civichub/civichub/apperr"
	"github.com/civichub/civichub/forum"
	"github.com/civichub/civichub/hub"
	"github.com/civichub/civichub/polls"
	"github.com/civichub/civichub/qa"
	"github.com/civichub/civichub/visitors"
	"github.com/civichub/civichub/web"
	"github.com/civichub/civichub/workdays"
)

// newHub builds the real-time hub from the settings, with the topics this
// build serves: site:online for everyone and user:{id} for that user alone.
// Domains add theirs as they are wired.
func (a *app) newHub(reg prometheus.Registerer) (*hub.Hub, error) {
	cfg := a.cfg
	origins := append([]string{cfg.Origin()}, cfg.AllowedOrigins...)
	opts := hub.Options{
		Origins:             origins,
		MaxConnections:      cfg.WSMaxConnections,
		MaxConnectionsPerIP: cfg.WSMaxPerIP,
		MaxSubscriptions:    cfg.WSMaxSubscriptions,
		ReadLimit:           int64(cfg.WSReadLimit),
		MessageRate:         float64(cfg.WSMessageRate),
		MessageBurst:        2 * cfg.WSMessageRate,
		SendQueue:           cfg.WSSendQueue,
		Writers:             cfg.WSWriters,
		SnapshotIntervals:   map[string]time.Duration{"poll:": cfg.SnapshotPolls, "site:online": cfg.SnapshotOnline},
		HistorySize:         cfg.HistorySize,
		HistoryTTL:          cfg.HistoryTTL,
	}
	var broker hub.Broker = hub.NewMemoryBroker()
	if a.redis != nil {
		// Every node shares the bus, the event history, snapshot versions
		// and presence through Redis.
		broker = hub.NewRedisBroker(a.redis, a.logger)
		opts.History = hub.NewRedisHistory(a.redis, cfg.HistorySize, cfg.HistoryTTL)
		opts.Versions = hub.NewRedisVersions(a.redis)
		opts.Presence = hub.NewRedisPresence(a.redis, hub.RedisPresenceOptions{}, a.logger)
	}
	h, err := hub.New(opts, broker, a.logger, reg)
	if err != nil {
		return nil, err
	}
	h.Authorize("site:online", hub.AllowAll)
	// Newly answered public questions: public by definition.
	h.Authorize(qa.FeedTopic, hub.AllowAll)
	h.Authorize("user:", hub.AuthorizerFunc(func(_ context.Context, p hub.Principal, topic string) error {
		if p.Guest() {
			return apperr.New(apperr.Unauthorized, "unauthorized")
		}
		if topic != "user:"+p.UserID {
			return apperr.New(apperr.Forbidden, "forbidden")
		}
		return nil
	}))
	return h, nil
}

// liveOnline wires the "online now" figures: the site:online snapshot, its
// refresh when a visit is counted, and GET /api/v1/online.
func (a *app) liveOnline(h *hub.Hub, board *visitors.Board, mux *http.ServeMux) {
	h.Snapshot("site:online", func(ctx context.Context, _ string) (any, error) {
		return board.Online(ctx)
	})
	board.Routes(mux)
}

// livePolls wires polls: its service publishes to the hub, the hub asks it
// who may read poll topics and for their snapshots, and its API is served.
func (a *app) livePolls(h *hub.Hub, mux *http.ServeMux) {
	a.polls = polls.NewService(a.store.polls, a.store.accounts, h, a.limiter, polls.Options{
		VotePerIP: a.cfg.VotePerIP,
		Writers:   a.store.voteWriters,
	}, a.logger)
	h.Authorize(polls.TopicPrefix, hub.AuthorizerFunc(func(ctx context.Context, p hub.Principal, topic string) error {
		return a.polls.AuthorizeTopic(ctx, p.UserID, p.Role, p.VisitorID, topic)
	}))
	h.Snapshot(polls.TopicPrefix, a.polls.Snapshot)
	polls.NewHandler(a.polls, a.logger).Routes(mux)
}

// liveForum wires the forum: its service publishes thread, queue and user
// events to the hub, the hub asks it who may read them, and its API is
// served.
func (a *app) liveForum(h *hub.Hub, mux *http.ServeMux) {
	a.forum = forum.NewService(a.store.forum, a.store.accounts, a.accounts, h, a.limiter, forum.Options{
		PostRate: a.cfg.PostRate, NewAccountPostRate: a.cfg.PostRateNew, FlagThreshold: a.cfg.FlagThreshold,
	}, a.logger)
	h.Authorize(forum.ThreadTopicPrefix, hub.AuthorizerFunc(func(ctx context.Context, p hub.Principal, topic string) error {
		return a.forum.AuthorizeThread(ctx, p.UserID, p.Role, topic)
	}))
	h.Authorize(forum.QueueTopic, hub.AuthorizerFunc(func(_ context.Context, p hub.Principal, _ string) error {
		return forum.AuthorizeQueue(p.Role, p.Guest())
	}))
	forum.NewHandler(a.forum, a.logger).Routes(mux)
}

// liveQA wires the Q&A section: its service publishes question, agency and
// feed events to the hub, the hub asks it who may read them, forum search
// finds its public questions, and its API is served.
func (a *app) liveQA(h *hub.Hub, mux *http.ServeMux) error {
	cal, err := workdays.New(a.cfg.Timezone, a.cfg.Holidays, a.cfg.MakeupDays)
	if err != nil {
		return fmt.Errorf("CIVICHUB_HOLIDAYS (--holidays) and CIVICHUB_MAKEUP_DAYS (--makeup-days): %w", err)
	}
	a.qa = qa.NewService(a.store.qa, a.store.accounts, a.forum, h, a.limiter, qa.Options{
		Calendar: cal, AnswerDays: a.cfg.AnswerDays, QuestionRate: a.cfg.QuestionRate, CommentRate: a.cfg.PostRate,
	}, a.logger)
	authorize := hub.AuthorizerFunc(func(ctx context.Context, p hub.Principal, topic string) error {
		return a.qa.AuthorizeTopic(ctx, p.UserID, p.Role, topic)
	})
	h.Authorize(qa.QuestionTopicPrefix, authorize)
	h.Authorize(qa.AgencyTopicPrefix, authorize)
	a.forum.SetMoreSearch(func(ctx context.Context, tokens []string, after string, limit int) ([]*forum.SearchHit, error) {
		hits, err := a.qa.Search(ctx, tokens, after, limit)
		if err != nil {
			return nil, err
		}
		out := make([]*forum.SearchHit, 0, len(hits))
		for _, x := range hits {
			out = append(out, &forum.SearchHit{Tier: 2, Kind: "question", QuestionID: x.QuestionID, Title: x.Title, Excerpt: x.Excerpt, At: x.At})
		}
		return out, nil
	})
	qa.NewHandler(a.qa, a.logger).Routes(mux)
	return nil
}

// benchPublish serves POST /debug/publish?topic=T&type=E for the load tool
// when CIVICHUB_BENCH_PUBLISH=on: it publishes the request body (JSON) as an
// event, or marks a latest-state topic changed. Only loopback clients are
// answered; everyone else gets not_found, as when the setting is off.
func (a *app) benchPublish(h *hub.Hub) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !web.ClientIP(r).IsLoopback() {
			web.Error(w, r, a.logger, apperr.New(apperr.NotFound, "route_not_found"))
			return
		}
		topic, typ := r.URL.Query().Get("topic"), r.URL.Query().Get("type")
		if typ == "" {
			h.Changed(topic)
			w.WriteHeader(http.StatusAccepted)
			return
		}
		var data json.RawMessage
		if err := web.Decode(r, &data); err != nil {
			web.Error(w, r, a.logger, err)
			return
		}
		if err := h.Publish(r.Context(), topic, typ, data); err != nil {
			web.Error(w, r, a.logger, apperr.Wrap(apperr.Invalid, "invalid_input", err))
			return
		}
		w.WriteHeader(http.StatusAccepted)
	})
}
