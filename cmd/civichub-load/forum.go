package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/civichub/civichub/accounts"
	"github.com/civichub/civichub/fold"
	"github.com/civichub/civichub/forum"
	"github.com/civichub/civichub/i18n"
	"github.com/civichub/civichub/id"
	"github.com/civichub/civichub/markup"
	"github.com/civichub/civichub/sqlitestore"
)

// forumBench seeds an embedded store with a large forum (100,000 posts in
// 10,000 threads by default), starts the server on it, and measures what
// anonymous readers get: a 50-post thread page's latency (sequential
// requests, client-observed on loopback, so an upper bound of server time)
// and throughput with wrk -t1 -c32, a category's first and last page, and
// search.
func forumBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("forum", flag.ContinueOnError)
	fs.SetOutput(stderr)
	bin := fs.String("bin", "./civichub", "civichub binary")
	threads := fs.Int("threads", 10000, "threads to seed")
	posts := fs.Int("posts", 100000, "posts to seed (first posts included)")
	runs := fs.Int("runs", 3, "measurement runs on the one seeded store")
	wrkFor := fs.Duration("wrk", 10*time.Second, "duration of each wrk run")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if _, err := exec.LookPath("wrk"); err != nil {
		return fmt.Errorf("wrk is not installed (apt-get install wrk)")
	}
	dir, err := os.MkdirTemp("", "civichub-forum-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	t0 := time.Now()
	seed, err := seedForum(ctx, dir, *threads, *posts)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	fmt.Fprintf(stdout, "seeded %d posts in %d threads in %s\n", *posts, *threads, time.Since(t0).Round(time.Second))
	srv, err := startServer(*bin, dir, nil)
	if err != nil {
		return err
	}
	defer srv.stop()
	if _, err := srv.waitReady(ctx, 10*time.Millisecond, time.Minute); err != nil {
		return err
	}
	hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 4}}
	get := func(path string) (time.Duration, error) {
		start := time.Now()
		res, err := hc.Get(srv.url + path)
		if err != nil {
			return 0, err
		}
		_, err = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			return 0, fmt.Errorf("GET %s: %d", path, res.StatusCode)
		}
		return time.Since(start), err
	}
	// medianOf times n sequential GETs of the paths, in turn, after a
	// warm-up round.
	medianOf := func(paths []string, n int) (time.Duration, error) {
		for _, p := range paths {
			if _, err := get(p); err != nil {
				return 0, err
			}
		}
		var ds []time.Duration
		for i := range n {
			d, err := get(paths[i%len(paths)])
			if err != nil {
				return 0, err
			}
			ds = append(ds, d)
		}
		return median(ds), nil
	}
	var pages []string
	for p := 1; p <= 20; p++ {
		pages = append(pages, fmt.Sprintf("/forum/t/%s?page=%d", seed.big, p))
	}
	queries := []string{"so xay dung", "Sở Xây dựng", "giấy phép xây dựng", "ngap ung", "da nang", "thu tuc ho so",
		"bồi thường tái định cư", "cay xanh chieu sang", "kien nghi", "ubnd"}
	var searches []string
	for _, q := range queries {
		searches = append(searches, "/api/v1/search?q="+url.QueryEscape(q))
	}
	cat := "/api/v1/threads?category=" + seed.category
	var pageMed, firstMed, lastMed, searchMed []time.Duration
	var rps []float64
	for run := range *runs {
		pm, err := medianOf(pages, 400)
		if err != nil {
			return err
		}
		first, err := medianOf([]string{cat}, 200)
		if err != nil {
			return err
		}
		last, err := medianOf([]string{cat + "&page=last"}, 200)
		if err != nil {
			return err
		}
		sm, err := medianOf(searches, 200)
		if err != nil {
			return err
		}
		r, err := runWrk(ctx, srv.url+pages[9], *wrkFor)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "run %d: thread page (50 posts) median %s; wrk -t1 -c32: %.0f pages/s; category first page %s, last page %s; search median %s\n",
			run+1, msf(pm), r, msf(first), msf(last), msf(sm))
		pageMed, firstMed, lastMed, searchMed = append(pageMed, pm), append(firstMed, first), append(lastMed, last), append(searchMed, sm)
		rps = append(rps, r)
	}
	fmt.Fprintf(stdout, "median of %d runs: thread page %s, %.0f pages/s (wrk -t1 -c32, uncompressed, anonymous), category first %s / last %s, search %s\n",
		*runs, msf(median(pageMed)), median(rps), msf(median(firstMed)), msf(median(lastMed)), msf(median(searchMed)))
	return nil
}

func msf(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }

var wrkRate = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)

// runWrk runs wrk -t1 -c32 against u and returns requests per second. A
// run with any non-2xx answer or socket error is refused.
func runWrk(ctx context.Context, u string, d time.Duration) (float64, error) {
	out, err := exec.CommandContext(ctx, "wrk", "-t1", "-c32", "-d"+d.String(), u).CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("wrk: %v\n%s", err, out)
	}
	if strings.Contains(string(out), "Non-2xx") || strings.Contains(string(out), "Socket errors") {
		return 0, fmt.Errorf("wrk saw errors:\n%s", out)
	}
	m := wrkRate.FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("wrk output without Requests/sec:\n%s", out)
	}
	return strconv.ParseFloat(string(m[1]), 64)
}

type seededForum struct {
	category string
	big      string // a thread of 1,000 posts (20 pages)
}

// vocabulary is Vietnamese phrases that posts are made of, the first ones
// more often than the last.
var vocabulary = strings.Split("Ủy ban nhân dân|Sở Xây dựng|người dân|doanh nghiệp|thủ tục|hồ sơ|tỉnh|thành phố|quận|huyện|"+
	"xã|phường|giấy phép xây dựng|đất đai|nhà ở|công trình|hành chính|nộp trực tuyến|cấp đổi|bản vẽ|"+
	"thiết kế|kiểm tra|xử lý vi phạm|môi trường|giao thông|đường bộ|cầu cống|nước sạch|điện|chiếu sáng|"+
	"cây xanh|ngập úng|rác thải|tiếng ồn|an ninh trật tự|y tế|giáo dục|trường học|bệnh viện|bảo hiểm|"+
	"thuế|lệ phí|đăng ký kinh doanh|đầu tư|quy hoạch|dự án|giải phóng mặt bằng|bồi thường|tái định cư|"+
	"Đà Nẵng|Hà Nội|Sở Tài nguyên và Môi trường|Sở Giao thông vận tải|công an|chủ tịch|phản ánh|kiến nghị", "|")

// seedForum fills dir's embedded store: 100 authors, one category, the
// threads and posts. Every post is real Markdown rendered by markup, as
// posting would.
func seedForum(ctx context.Context, dir string, nThreads, nPosts int) (*seededForum, error) {
	db, err := sqlitestore.Open(ctx, dir, slog.New(slog.DiscardHandler))
	if err != nil {
		return nil, err
	}
	defer db.Close()
	now := time.Now().UTC().Truncate(time.Millisecond)
	var authors []string
	for i := range 100 {
		u := &accounts.User{ID: id.New(), Email: fmt.Sprintf("dan%d@example.vn", i), Name: fmt.Sprintf("Người dân %d", i),
			Role: accounts.Resident, PasswordHash: "!", AuthVersion: 1, CreatedAt: now}
		if err := db.Accounts().CreateUser(ctx, u); err != nil {
			return nil, err
		}
		authors = append(authors, u.ID)
	}
	c := &forum.Category{ID: id.New(), Slug: "gop-y", Name: i18n.Text{VI: "Góp ý", EN: "Feedback"}, CreatedAt: now}
	if err := db.Forum().CreateCategory(ctx, c); err != nil {
		return nil, err
	}
	rnd := uint64(88172645463325252)
	next := func(n int) int {
		rnd ^= rnd << 13
		rnd ^= rnd >> 7
		rnd ^= rnd << 17
		return int(rnd % uint64(n))
	}
	phrase := func() string { return vocabulary[next(len(vocabulary))*next(len(vocabulary))/len(vocabulary)] }
	sentence := func(n int) string {
		var ws []string
		for range n {
			ws = append(ws, phrase())
		}
		return strings.Join(ws, " ")
	}
	start := now.Add(-time.Duration(nPosts) * time.Minute)
	threads := make([]*forum.Thread, 0, nThreads)
	posts := make([]*forum.Post, 0, nPosts)
	out := &seededForum{category: c.ID}
	for i := range nPosts {
		when := start.Add(time.Duration(i) * time.Minute)
		body := fmt.Sprintf("Kính gửi **%s**,\n\n%s.\n\n- %s\n- %s\n\nXin cảm ơn.", phrase(), sentence(12+next(20)), sentence(5), sentence(5))
		html, err := markup.Render(body)
		if err != nil {
			return nil, err
		}
		p := &forum.Post{ID: id.New(), AuthorID: authors[next(len(authors))], Body: body, BodyHTML: html,
			Sanitizer: markup.Version, CreatedAt: when, Tokens: fold.Tokens(body)}
		switch {
		case i < nThreads:
			title := sentence(2 + next(3))
			t := &forum.Thread{ID: id.New(), CategoryID: c.ID, Title: title, AuthorID: p.AuthorID, CreatedAt: when, TitleTokens: fold.Tokens(title)}
			threads = append(threads, t)
			p.ThreadID = t.ID
		case i < nThreads+999:
			p.ThreadID = threads[0].ID
			out.big = threads[0].ID
		default:
			p.ThreadID = threads[next(len(threads))].ID
		}
		posts = append(posts, p)
	}
	if err := db.Forum().Import(ctx, threads, posts); err != nil {
		return nil, err
	}
	return out, nil
}
