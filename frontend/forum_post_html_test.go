package frontend

import (
	"html/template"
	"strings"
	"testing"

	"github.com/civichub/civichub/i18n"
)

// TestWritePostMatchesTemplate checks that the thread page's posts, written
// in Go, are exactly what the "post" template makes of them.
func TestWritePostMatchesTemplate(t *testing.T) {
	a, err := newAssets()
	if err != nil {
		t.Fatal(err)
	}
	pages, err := parsePages(a)
	if err != nil {
		t.Fatal(err)
	}
	body := template.HTML(`<p>Hello <a href="https://example.org/" rel="nofollow ugc noopener">there</a></p>`)
	base := postRow{ID: "01m8h7seve6tv5f8vcwfabhkkq", Number: 7, Name: `Nguyễn "Văn" <A> & 'B' +1`,
		URL: "/forum/t/01m8h7seve6tv5f8vcwfabhkkq?page=2#post-7", ISO: "2026-11-28T14:08:55Z", At: "21:08 28/11/2026",
		HTML: body}
	official := base
	official.Official, official.Agency, official.StaffTitle = true, "Sở Xây dựng & <Co>", "Chuyên viên"
	officialNoTitle := official
	officialNoTitle.StaffTitle = ""
	edited := base
	edited.Edited, edited.CanEdit = true, true
	hidden := base
	hidden.Hidden, hidden.Reason = true, "Spam"
	deleted := base
	deleted.Deleted, deleted.Name = true, "Unknown"
	flaggable := base
	flaggable.CanFlag = true
	for _, lang := range []i18n.Lang{i18n.VI, i18n.EN} {
		l := newPostLabels(lang)
		for _, row := range []postRow{base, official, officialNoTitle, edited, hidden, deleted, flaggable, {Name: l.UnknownAuthor, URL: "/forum/t/#post-0"}} {
			for _, who := range []struct{ loggedIn, mod, skeleton bool }{
				{false, false, false}, {true, false, false}, {true, true, false}, {true, true, true}, {false, false, true}, {true, false, true},
			} {
				d := postData{P: &row, L: l, LoggedIn: who.loggedIn, Mod: who.mod, Skeleton: who.skeleton}
				var want strings.Builder
				if err := pages["forum_thread"].ExecuteTemplate(&want, "post", d); err != nil {
					t.Fatal(err)
				}
				if got := string(postHTML(&d)); got != want.String() {
					t.Errorf("postHTML(%+v, %+v, %+v) =\n%s\nwant\n%s", lang, row, who, got, want.String())
				}
			}
		}
	}
}
