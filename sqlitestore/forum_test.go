package sqlitestore_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/civichub/civichub/forum"
	"github.com/civichub/civichub/forum/forumtest"
	"github.com/civichub/civichub/id"
	"github.com/civichub/civichub/sqlitestore"
)

func TestForumConformance(t *testing.T) {
	forumtest.Run(t, func(t *testing.T) forum.Store { return MustOpen(t).Forum() })
}

func TestForumAuditIsAppendOnly(t *testing.T) {
	db := MustOpen(t)
	ctx := context.Background()
	e := &forum.AuditEntry{ID: id.New(), ActorID: id.New(), Action: "thread.lock", TargetType: "thread", TargetID: id.New(), At: time.Now()}
	if err := db.Forum().AddAudit(ctx, e); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`UPDATE forum_audit SET reason = 'x'`, `DELETE FROM forum_audit`} {
		if err := db.ForumExecForTest(ctx, q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s = %v, want refused as append-only", q, err)
		}
	}
}

// TestForumQueryPlans checks that the hot reads use the indexes the
// benchmarks rely on, without a temporary sort.
func TestForumQueryPlans(t *testing.T) {
	db := MustOpen(t)
	ctx := context.Background()
	for _, tc := range sqlitestore.ForumPlansForTest() {
		plan, err := db.ForumPlanForTest(ctx, tc.Query, tc.Args...)
		if err != nil {
			t.Fatalf("%s: %v", tc.Name, err)
		}
		t.Logf("%s:\n%s", tc.Name, plan)
		if !strings.Contains(plan, tc.Index) || strings.Contains(plan, "TEMP B-TREE") || strings.Contains(plan, "SCAN forum_") {
			t.Errorf("%s: plan\n%s\nwant a search of %s without a scan or temporary b-tree", tc.Name, plan, tc.Index)
		}
	}
}

// The benchmarks below run on a forum of benchPosts posts in benchThreads
// threads of one category, seeded once per benchmark in one transaction.
// Run them with
//
//	go test -run '^$' -bench 'Search|ThreadPosts|Threads' -benchtime 2s ./sqlitestore/
const (
	benchThreads = 10_000
	benchPosts   = 100_000
)

// phrases is a small vocabulary of folded Vietnamese words (a word is one
// to four syllables, each syllable a token), used with a Zipf-like
// frequency: the first phrases are in many posts, the last in few.
var phrases = strings.Split(`ubnd|so xay dung|nguoi dan|doanh nghiep|thu tuc|ho so|tinh|thanh pho|quan|huyen|`+
	`xa|phuong|giay phep|xay dung|dat dai|nha o|cong trinh|hanh chinh|nop truc tuyen|cap doi|ban ve|`+
	`thiet ke|kiem tra|xu ly vi pham|moi truong|giao thong|duong bo|cau cong|nuoc sach|dien|chieu sang|`+
	`cay xanh|ngap ung|rac thai|tieng on|an ninh trat tu|y te|giao duc|truong hoc|benh vien|bao hiem|`+
	`thue|le phi|dang ky kinh doanh|dau tu|quy hoach|du an|giai phong mat bang|boi thuong|tai dinh cu|`+
	`da nang|ha noi|so tai nguyen va moi truong|so giao thong van tai|cong an|chu tich|phan anh|kien nghi`, "|")

type benchForum struct {
	db       *sqlitestore.DB
	category string
	big      string // a thread of 1,000 posts
}

func seedForum(b *testing.B) *benchForum {
	b.Helper()
	db := MustOpen(b)
	ctx := context.Background()
	s := db.Forum()
	c := &forum.Category{ID: id.New(), Slug: "gop-y", CreatedAt: time.Now()}
	if err := s.CreateCategory(ctx, c); err != nil {
		b.Fatal(err)
	}
	start := time.Now().Add(-benchPosts * time.Minute)
	var threads []*forum.Thread
	var posts []*forum.Post
	rnd := uint64(1)
	next := func(n int) int { // xorshift: the same forum every run
		rnd ^= rnd << 13
		rnd ^= rnd >> 7
		rnd ^= rnd << 17
		return int(rnd % uint64(n))
	}
	// phrase i with weight about 1/(i+1), as a product of two uniforms
	zipf := func() []string {
		return strings.Fields(phrases[next(len(phrases))*next(len(phrases))/len(phrases)])
	}
	text := func(n int) []string {
		var ts []string
		for range n {
			ts = append(ts, zipf()...)
		}
		return ts
	}
	big := ""
	for i := range benchPosts {
		when := start.Add(time.Duration(i) * time.Minute)
		tokens := text(8 + next(16))
		p := &forum.Post{ID: id.New(), AuthorID: id.New(), Body: strings.Join(tokens, " "),
			BodyHTML: "<p>" + strings.Join(tokens, " ") + "</p>", Sanitizer: 1, CreatedAt: when, Tokens: tokens}
		switch {
		case i < benchThreads:
			th := &forum.Thread{ID: id.New(), CategoryID: c.ID, Title: "t", AuthorID: id.New(), CreatedAt: when, TitleTokens: text(2 + next(4))}
			threads = append(threads, th)
			p.ThreadID = th.ID
		case i < benchThreads+1000:
			p.ThreadID = threads[0].ID
			big = threads[0].ID
		default:
			p.ThreadID = threads[next(len(threads))].ID
		}
		posts = append(posts, p)
	}
	t0 := time.Now()
	if err := s.Import(ctx, threads, posts); err != nil {
		b.Fatal(err)
	}
	// A server's database has long been checkpointed; a fresh seed would
	// leave every page in the write-ahead log.
	if err := db.ForumExecForTest(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d posts in %d threads in %v", len(posts), len(threads), time.Since(t0).Round(time.Millisecond))
	return &benchForum{db: db, category: c.ID, big: big}
}

// BenchmarkSearch reads the first page (20 hits) of searches of one to six
// tokens, of common and rare words, alone and together.
func BenchmarkSearch(b *testing.B) {
	f := seedForum(b)
	s := f.db.Forum()
	ctx := context.Background()
	for _, q := range []string{"ubnd", "so xay dung", "giay phep xay dung", "quy hoach du an", "tai dinh cu",
		"boi thuong giai phong mat bang", "chu tich ubnd", "so tai nguyen va moi truong", "kien nghi tai dinh cu"} {
		b.Run(strings.ReplaceAll(q, " ", "_"), func(b *testing.B) {
			sq := forum.SearchQuery{Tokens: strings.Fields(q), Limit: 20}
			var hits []*forum.SearchHit
			for b.Loop() {
				var err error
				if hits, err = s.Search(ctx, sq); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(hits)), "hits")
		})
	}
}

// BenchmarkThreadPosts reads pages of 50 posts of a thread of 1,000: the
// first, the last and one in the middle.
func BenchmarkThreadPosts(b *testing.B) {
	f := seedForum(b)
	s := f.db.Forum()
	ctx := context.Background()
	th, err := s.Thread(ctx, f.big)
	if err != nil {
		b.Fatal(err)
	}
	for _, from := range []int{1, th.PostCount / 2, th.PostCount - 49} {
		b.Run(fmt.Sprintf("from_%d", from), func(b *testing.B) {
			for b.Loop() {
				ps, err := s.Posts(ctx, f.big, from, from+49)
				if err != nil || len(ps) != 50 {
					b.Fatalf("Posts = %d, %v", len(ps), err)
				}
			}
		})
	}
}

// BenchmarkThreads reads the first and the last page (30 threads) of the
// category of 10,000 threads.
func BenchmarkThreads(b *testing.B) {
	f := seedForum(b)
	s := f.db.Forum()
	ctx := context.Background()
	for _, oldest := range []bool{false, true} {
		b.Run(map[bool]string{false: "first_page", true: "last_page"}[oldest], func(b *testing.B) {
			q := forum.ThreadPage{CategoryID: f.category, Oldest: oldest, Limit: 30}
			for b.Loop() {
				if ts, err := s.Threads(ctx, q); err != nil || len(ts) != 30 {
					b.Fatalf("Threads = %d, %v", len(ts), err)
				}
			}
		})
	}
}
