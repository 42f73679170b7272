package visitors

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/civichub/civichub/web"
)

// Online is the "online now" box's figures, the data of the site:online topic
// and of GET /api/v1/online. Field names are part of the protocol.
type Online struct {
	Guests        int64 `json:"guests"`
	Members       int64 `json:"members"`
	Total         int64 `json:"total"`
	VisitsTotal   int64 `json:"visits_total"`
	VisitorsToday int64 `json:"visitors_today"`
}

// Presence counts who is online now: a visitor is online while at least one
// of its sockets is open, guests by visitor cookie and members by user ID,
// each counted once however many tabs it has. The hub implements it.
type Presence interface {
	Online(ctx context.Context) (guests, members int64, err error)
}

// Board puts presence and visit counts together. It is safe for concurrent
// use.
type Board struct {
	presence Presence
	counter  Counter
	now      func() time.Time
	logger   *slog.Logger
}

// NewBoard returns a Board. A nil presence counts nobody online (a process
// that serves no sockets, such as an admin command).
func NewBoard(presence Presence, counter Counter, logger *slog.Logger) *Board {
	return &Board{presence: presence, counter: counter, now: time.Now, logger: logger}
}

// Online returns the current figures.
func (b *Board) Online(ctx context.Context) (Online, error) {
	var o Online
	if b.presence != nil {
		g, m, err := b.presence.Online(ctx)
		if err != nil {
			return Online{}, fmt.Errorf("visitors: presence: %w", err)
		}
		o.Guests, o.Members = g, m
	}
	o.Total = o.Guests + o.Members
	v, today, err := b.counter.Totals(ctx, b.now())
	if err != nil {
		return Online{}, fmt.Errorf("visitors: totals: %w", err)
	}
	o.VisitsTotal, o.VisitorsToday = v, today
	return o, nil
}

// Routes registers GET /api/v1/online.
func (b *Board) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/online", func(w http.ResponseWriter, r *http.Request) {
		o, err := b.Online(r.Context())
		if err != nil {
			web.Error(w, r, b.logger, err)
			return
		}
		web.JSON(w, http.StatusOK, o)
	})
}
