package polls

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/civichub/civichub/apperr"
)

// batcher writes ballots in groups (group commit). Votes that arrive while a
// commit is under way wait for the next one, which takes all of them at
// once: under load one durable commit stores hundreds of ballots, and a lone
// vote is written at once, with no timer. Every vote still waits for the
// commit that holds it, so its answer means the ballot is durable.
type batcher struct {
	store    Store
	maxBatch int
	logger   *slog.Logger
	in       chan *castReq
	stop     chan struct{}
	stopOnce sync.Once
}

type castReq struct {
	ballot *Ballot
	out    chan castOut // buffered: the writer never waits for a voter
}

type castOut struct {
	res CastResult
	err error
}

// commitTimeout bounds one commit; its votes then fail as unavailable.
const commitTimeout = 15 * time.Second

func newBatcher(store Store, maxBatch int, logger *slog.Logger) *batcher {
	return &batcher{store: store, maxBatch: maxBatch, logger: logger,
		in: make(chan *castReq, maxBatch), stop: make(chan struct{})}
}

// cast queues b for the next commit and waits for its outcome. A vote that
// was queued is waited for even if ctx ends, so that its outcome is known
// and logged; the wait is bounded by commitTimeout.
func (b *batcher) cast(ctx context.Context, ballot *Ballot) (CastResult, error) {
	r := &castReq{ballot: ballot, out: make(chan castOut, 1)}
	select {
	case b.in <- r:
	case <-ctx.Done():
		return CastResult{}, ErrUnavailable
	case <-b.stop:
		return CastResult{}, ErrUnavailable
	}
	o := <-r.out
	if o.err != nil {
		return CastResult{}, o.err
	}
	return o.res, o.res.Err
}

// run writes batches until ctx ends; writers of them may run at once.
// Votes still queued then are answered unavailable.
func (b *batcher) run(ctx context.Context, writers int) {
	var wg sync.WaitGroup
	for range writers {
		wg.Go(func() { b.loop(ctx) })
	}
	wg.Wait()
	b.stopOnce.Do(func() { close(b.stop) })
	for {
		select {
		case r := <-b.in:
			r.out <- castOut{err: ErrUnavailable}
		default:
			return
		}
	}
}

func (b *batcher) loop(ctx context.Context) {
	batch := make([]*castReq, 0, b.maxBatch)
	ballots := make([]*Ballot, 0, b.maxBatch)
	for {
		batch, ballots = batch[:0], ballots[:0]
		select {
		case <-ctx.Done():
			return
		case r := <-b.in:
			batch = append(batch, r)
		}
	fill:
		for len(batch) < b.maxBatch {
			select {
			case r := <-b.in:
				batch = append(batch, r)
			default:
				break fill
			}
		}
		for _, r := range batch {
			ballots = append(ballots, r.ballot)
		}
		b.commit(batch, ballots)
	}
}

func (b *batcher) commit(batch []*castReq, ballots []*Ballot) {
	// The commit is not tied to any one voter's request: it finishes even
	// if they leave, and its outcome decides every vote in it.
	ctx, cancel := context.WithTimeout(context.Background(), commitTimeout)
	defer cancel()
	res, err := b.store.CastBallots(ctx, ballots)
	if err == nil && len(res) != len(batch) {
		err = apperr.New(apperr.Internal, "internal")
	}
	if err != nil {
		b.logger.Error("polls: ballot commit failed", "ballots", len(batch), "err", err)
		for _, r := range batch {
			r.out <- castOut{err: apperr.Wrap(apperr.Unavailable, "unavailable", err)}
		}
		return
	}
	for i, r := range batch {
		r.out <- castOut{res: res[i]}
	}
}
