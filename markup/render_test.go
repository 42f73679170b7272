package markup

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"golang.org/x/text/unicode/norm"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func TestRender(t *testing.T) {
	for _, tc := range []struct {
		name, src, want string
	}{
		{"empty", "", ""},
		{"blank", " \n\t\n", ""},
		{"only raw html", "<script>alert(1)</script>\n\n<!-- x -->", ""},
		{"vietnamese", "Xin chào, Sở Xây dựng tỉnh Đà Nẵng: ý kiến đóng góp về dự án.",
			"<p>Xin chào, Sở Xây dựng tỉnh Đà Nẵng: ý kiến đóng góp về dự án.</p>\n"},
		{"emphasis", "**Đạt yêu cầu** và *chưa đạt* ~~bỏ~~",
			"<p><strong>Đạt yêu cầu</strong> và <em>chưa đạt</em> <del>bỏ</del></p>\n"},
		{"headings move down", "# Một\n## Hai\n### Ba\n#### Bốn",
			"<h3>Một</h3>\n<h4>Hai</h4>\n<h5>Ba</h5>\n<h6>Bốn</h6>\n"},
		{"heading has no id", "# Tiêu đề {#location}", "<h3>Tiêu đề {#location}</h3>\n"},
		{"inline link", `[Cổng](https://danang.gov.vn/a?b=1&c=2 "Trang chủ")`,
			`<p><a href="https://danang.gov.vn/a?b=1&amp;c=2" title="Trang chủ" rel="nofollow ugc noopener">Cổng</a></p>` + "\n"},
		{"relative link", "[luồng](/threads/01J?page=2#p5)",
			`<p><a href="/threads/01J?page=2#p5" rel="nofollow ugc noopener">luồng</a></p>` + "\n"},
		{"autolink", "<https://x.vn>",
			`<p><a href="https://x.vn" rel="nofollow ugc noopener">https://x.vn</a></p>` + "\n"},
		{"bare url", "xem https://x.vn/a.",
			`<p>xem <a href="https://x.vn/a" rel="nofollow ugc noopener">https://x.vn/a</a>.</p>` + "\n"},
		{"bare www", "www.x.vn",
			`<p><a href="http://www.x.vn" rel="nofollow ugc noopener">www.x.vn</a></p>` + "\n"},
		{"bare email", "gửi a@x.vn",
			`<p>gửi <a href="mailto:a@x.vn" rel="nofollow ugc noopener">a@x.vn</a></p>` + "\n"},
		{"reference link", "[a][r]\n\n[r]: https://x.vn",
			`<p><a href="https://x.vn" rel="nofollow ugc noopener">a</a></p>` + "\n"},
		{"ftp is text", "ftp://x.vn/a", "<p>ftp://x.vn/a</p>\n"},
		{"javascript link is text", "[bấm](javascript:alert(1))", "<p>bấm</p>\n"},
		{"empty link is text", "[a]()", "<p>a</p>\n"},
		{"image becomes link", `![Bản đồ *mới*](https://maps.example/x.png "Bản đồ")`,
			`<p><a href="https://maps.example/x.png" title="Bản đồ" rel="nofollow ugc noopener">Bản đồ <em>mới</em></a></p>` + "\n"},
		{"image without alt", "![](https://maps.example/x.png)",
			`<p><a href="https://maps.example/x.png" rel="nofollow ugc noopener">https://maps.example/x.png</a></p>` + "\n"},
		{"image in link keeps alt", "[![logo](https://x/l.png)](https://x.vn)",
			`<p><a href="https://x.vn" rel="nofollow ugc noopener">logo</a></p>` + "\n"},
		{"same-site image is a link too", "![a](/static/a.png)",
			`<p><a href="/static/a.png" rel="nofollow ugc noopener">a</a></p>` + "\n"},
		{"raw html dropped", "a <b onclick=x>b</b> <!-- c -->\n\n<div>\nd\n</div>", "<p>a b </p>\n\n"},
		{"code span escapes", "`<script>&amp;`", "<p><code>&lt;script&gt;&amp;amp;</code></p>\n"},
		{"code block escapes", "```html\n<script>alert(\"x\")</script>\n```",
			`<pre><code class="language-html">&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;` + "\n</code></pre>\n"},
		{"indented code escapes", "    <b>&</b>", "<pre><code>&lt;b&gt;&amp;&lt;/b&gt;\n</code></pre>\n"},
		{"bad language class dropped", "```a\"b\nx\n```", "<pre><code>x\n</code></pre>\n"},
		{"lists", "3. ba\n4. bốn\n\n- a\n- b",
			"<ol start=\"3\">\n<li>ba</li>\n<li>bốn</li>\n</ol>\n<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n"},
		{"quote and rule", "> trích\n\n---", "<blockquote>\n<p>trích</p>\n</blockquote>\n<hr>\n"},
		{"table", "| Tên | Số |\n|:--|--:|\n| Hà | 1 |",
			"<table>\n<thead>\n<tr>\n<th align=\"left\">Tên</th>\n<th align=\"right\">Số</th>\n</tr>\n</thead>\n" +
				"<tbody>\n<tr>\n<td align=\"left\">Hà</td>\n<td align=\"right\">1</td>\n</tr>\n</tbody>\n</table>\n"},
		{"hard break", "a  \nb", "<p>a<br>\nb</p>\n"},
		{"invalid utf-8", "a\xffb", "<p>a\uFFFDb</p>\n"},
		{"nul", "a\x00b", "<p>a\uFFFDb</p>\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Render(tc.src)
			if err != nil {
				t.Fatalf("Render(%q) error = %v", tc.src, err)
			}
			if got != tc.want {
				t.Errorf("Render(%q)\n got %q\nwant %q", tc.src, got, tc.want)
			}
			checkHTML(t, tc.src, got)
		})
	}
}

// TestRenderDecomposedVietnamese checks that text typed in decomposed form
// (NFD, as some keyboards and macOS produce) comes out as written.
func TestRenderDecomposedVietnamese(t *testing.T) {
	src := norm.NFD.String("Ý kiến về Trang thông tin điện tử")
	got, err := Render(src)
	if err != nil {
		t.Fatalf("Render(%q) error = %v", src, err)
	}
	if want := "<p>" + src + "</p>\n"; got != want {
		t.Errorf("Render(%q) = %q, want %q", src, got, want)
	}
}

// TestGolden renders testdata/*.md and compares with testdata/*.html. Run
// with -update to rewrite them; if that changes any, bump Version.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.md"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden inputs: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Render(string(src))
			if err != nil {
				t.Fatalf("Render(%s) error = %v", file, err)
			}
			checkHTML(t, string(src), got)
			golden := strings.TrimSuffix(file, ".md") + ".html"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("Render(%s) differs from %s (run with -update and bump Version if intended):\n%s", file, golden, got)
			}
		})
	}
}

func TestRenderConcurrent(t *testing.T) {
	const src = "# Góp ý\n\n[a](https://x.vn) ![b](/c.png) | a |\n|---|\n| b |"
	want, err := Render(src)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				if got, err := Render(src); err != nil || got != want {
					t.Errorf("concurrent Render(%q) = %q, %v, want %q", src, got, err, want)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestRenderErrorsAreDistinct(t *testing.T) {
	errs := []error{ErrTooLong, ErrTooDeep, ErrTooComplex}
	for i, a := range errs {
		for j, b := range errs {
			if (i == j) != errors.Is(a, b) {
				t.Errorf("errors.Is(%v, %v) = %v", a, b, errors.Is(a, b))
			}
		}
	}
}

// BenchmarkRenderPost renders an ordinary post (testdata/post.md, about
// 1 kB), for comparison with BenchmarkRenderWorstCase.
func BenchmarkRenderPost(b *testing.B) {
	src, err := os.ReadFile(filepath.Join("testdata", "post.md"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, err := Render(string(src)); err != nil {
			b.Fatal(err)
		}
	}
}
