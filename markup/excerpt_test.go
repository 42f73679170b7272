package markup

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestExcerpt(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		n         int
		want      string
	}{
		{"short", "Xin **chào** Đà Nẵng", 50, "Xin chào Đà Nẵng"},
		{"blocks are separated", "# Góp ý\n\nĐoạn một.\n\n- a\n- b", 50, "Góp ý Đoạn một. a b"},
		{"entities decoded", "a & b < c \"d\"", 50, `a & b < c "d"`},
		{"links keep their text", "xem [cổng](https://x.vn) và ![ảnh](https://x/a.png)", 50, "xem cổng và ảnh"},
		{"code kept", "```\nx := <y>\n```", 50, "x := <y>"},
		{"cut after a word", "Sở Xây dựng tỉnh Đà Nẵng trả lời", 15, "Sở Xây dựng…"},
		{"cut inside a long word", "Tổngsốphiếubầuchọn", 6, "Tổngs…"},
		{"punctuation before the cut dropped", "Xin chào, Đà Nẵng", 11, "Xin chào…"},
		{"exactly n", "abcde", 5, "abcde"},
		{"one", "abc", 1, "…"},
		{"zero", "abc", 0, ""},
		{"empty", "", 10, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			html, err := Render(tc.src)
			if err != nil {
				t.Fatal(err)
			}
			got := Excerpt(html, tc.n)
			if got != tc.want {
				t.Errorf("Excerpt(%q, %d) = %q, want %q", html, tc.n, got, tc.want)
			}
			if utf8.RuneCountInString(got) > max(tc.n, 0) {
				t.Errorf("Excerpt(%q, %d) = %q, longer than %d", html, tc.n, got, tc.n)
			}
		})
	}
}

func TestExcerptLongInputStopsEarly(t *testing.T) {
	html, err := Render(strings.Repeat("Ý kiến người dân. ", 500))
	if err != nil {
		t.Fatal(err)
	}
	got := Excerpt(html, 30)
	if utf8.RuneCountInString(got) > 30 || !strings.HasSuffix(got, "…") {
		t.Errorf("Excerpt(long, 30) = %q", got)
	}
}
