package sqlitestore

import (
	"context"

	"github.com/civichub/civichub/forum"
)

// Import stores threads (each with posts[i] of the same index as its first
// post) and then the remaining posts, in order, through the same code as
// CreateThread and AddPost but in one transaction: a forum moved from a
// legacy portal, or the benchmarks' 100,000 posts, arrive in seconds
// instead of one durable commit per post. Nothing is published.
func (s *ForumStore) Import(ctx context.Context, threads []*forum.Thread, posts []*forum.Post) error {
	// A larger page cache on the write connection only: the search index
	// is written in token order, far from insertion order.
	if _, err := s.db.write.ExecContext(ctx, `PRAGMA cache_size = -262144`); err != nil {
		return err
	}
	return s.inTx(ctx, "seed", func(tx writeTx) error {
		for i, t := range threads {
			if err := s.createThread(ctx, tx, t, posts[i]); err != nil {
				return err
			}
		}
		for _, p := range posts[len(threads):] {
			if err := s.addPost(ctx, tx, p); err != nil {
				return err
			}
		}
		return nil
	})
}
