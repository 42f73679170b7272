package frontend_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/civichub/civichub/accounts"
	"github.com/civichub/civichub/frontend"
	"github.com/civichub/civichub/i18n"
	"github.com/civichub/civichub/id"
)

func TestAdminPagesRefuseOthers(t *testing.T) {
	h := newHarness(t)
	a := h.agency("so-noi-vu", "Sở Nội vụ", "Department of Home Affairs")
	target := h.user(accounts.Resident, "target@example.vn", "Mục Tiêu")
	resident, _ := h.as(accounts.Resident)
	moderator, _ := h.as(accounts.Moderator)
	gets := []string{"/admin/", "/admin/users", "/admin/users?after=" + target.ID, "/admin/agencies", "/admin/agencies/" + a.ID}
	posts := []struct {
		path string
		form url.Values
	}{
		{"/admin/users/" + target.ID + "/role", url.Values{"role": {"admin"}}},
		{"/admin/agencies", url.Values{"name_vi": {"Sở Mới"}, "slug": {"so-moi"}}},
		{"/admin/agencies/" + a.ID + "/staff", url.Values{"email": {"target@example.vn"}, "title": {"Chuyên viên"}}},
		{"/admin/agencies/" + a.ID + "/staff/" + target.ID + "/delete", nil},
	}
	guest := h.client()
	for _, path := range gets {
		r := guest.get(path)
		if want := "/login?next=" + url.QueryEscape(path); r.status != http.StatusSeeOther || r.location() != want {
			t.Errorf("GET %s as guest = %d to %q, want 303 to %q", path, r.status, r.location(), want)
		}
		for name, c := range map[string]*client{"resident": resident, "moderator": moderator} {
			r := c.get(path)
			expect(t, "GET "+path+" as "+name, r, http.StatusForbidden, frontend.Text(i18n.VI, "error.forbidden"))
			checkPage(t, "GET "+path+" as "+name, r, i18n.VI)
		}
	}
	for _, p := range posts {
		if r := guest.post(p.path, p.form); r.status != http.StatusSeeOther || !strings.HasPrefix(r.location(), "/login") {
			t.Errorf("POST %s as guest = %d to %q, want 303 to the login page", p.path, r.status, r.location())
		}
		expect(t, "POST "+p.path+" as resident", resident.post(p.path, p.form), http.StatusForbidden)
	}
	if u, _ := h.svc.User(ctx, accounts.System, target.ID); u.Role != accounts.Resident {
		t.Errorf("role after refused posts = %s, want resident", u.Role)
	}
	if _, err := h.svc.Store().AgencyBySlug(ctx, "so-moi"); err == nil {
		t.Errorf("an agency was created by a refused post")
	}
	if staff, _ := h.svc.Staff(ctx, a.ID); len(staff) != 0 {
		t.Errorf("staff after refused posts = %v, want none", staff)
	}
}

func TestAdminSetsRoles(t *testing.T) {
	h := newHarness(t)
	admin, me := h.as(accounts.Admin)
	u := h.user(accounts.Resident, "hoa@example.vn", "Vũ Hoa")

	r := admin.post("/admin/users/"+u.ID+"/role", url.Values{"role": {"moderator"}})
	if r.status != http.StatusSeeOther || r.location() != "/admin/users" {
		t.Errorf("POST role = %d to %q, want 303 to /admin/users", r.status, r.location())
	}
	if got, _ := h.svc.User(ctx, accounts.System, u.ID); got.Role != accounts.Moderator {
		t.Errorf("role = %s, want moderator", got.Role)
	}
	expect(t, "users page after the change", admin.get("/admin/users"), http.StatusOK,
		frontend.Text(i18n.VI, "notice.role_saved"), `<option value="moderator" selected>`)

	r = admin.post("/admin/users/"+u.ID+"/role", url.Values{"role": {"king"}})
	expect(t, "POST role=king", r, http.StatusBadRequest, `id="role-`+u.ID+`-error"`, esc(i18n.T(i18n.VI, "role_invalid")),
		`href="#role-`+u.ID+`"`)
	checkPage(t, "POST role=king", r, i18n.VI)

	r = admin.post("/admin/users/"+me.ID+"/role", url.Values{"role": {"resident"}})
	expect(t, "demoting the last admin", r, http.StatusConflict, esc(i18n.T(i18n.VI, "last_admin")))
	if got, _ := h.svc.User(ctx, accounts.System, me.ID); got.Role != accounts.Admin {
		t.Errorf("the last admin's role = %s, want admin", got.Role)
	}
	expect(t, "POST role for a bad id", admin.post("/admin/users/nope/role", url.Values{"role": {"admin"}}), http.StatusNotFound)
	expect(t, "POST role for an unknown user", admin.post("/admin/users/"+id.New()+"/role", url.Values{"role": {"admin"}}),
		http.StatusNotFound, esc(i18n.T(i18n.VI, "user_not_found")))
}

func TestAdminUsersPages(t *testing.T) {
	h := newHarness(t)
	admin, _ := h.as(accounts.Admin)
	for i := range 55 {
		h.user(accounts.Resident, fmt.Sprintf("u%02d@example.vn", i), fmt.Sprintf("Người %02d", i))
	}
	r := admin.get("/admin/users")
	expect(t, "first page", r, http.StatusOK, "u00@example.vn", "u48@example.vn", `rel="next"`)
	if strings.Contains(r.body, "u49@example.vn") {
		t.Errorf("the first page shows more than 50 users")
	}
	users, _ := h.svc.Users(ctx, accounts.System, accounts.ListParams{Limit: 50})
	next := users[49].ID
	r = admin.get("/admin/users?after=" + next)
	expect(t, "second page", r, http.StatusOK, "u49@example.vn", "u54@example.vn", frontend.Text(i18n.VI, "pager.first"),
		`name="after" value="`+next+`"`)
	if strings.Contains(r.body, `rel="next"`) {
		t.Errorf("the last page links to a next page")
	}

	r = admin.post("/admin/users/"+users[49].ID+"/role", url.Values{"role": {"moderator"}, "after": {next}})
	if r.location() != "/admin/users?after="+next {
		t.Errorf("POST role from page 2 redirects to %q, want back to page 2", r.location())
	}
	expect(t, "GET with a bad cursor", admin.get("/admin/users?after=..%2F"), http.StatusBadRequest)
}

func TestAdminAgencies(t *testing.T) {
	h := newHarness(t)
	admin, _ := h.as(accounts.Admin)
	expect(t, "empty list", admin.get("/admin/agencies"), http.StatusOK, frontend.Text(i18n.VI, "agencies.none"))

	r := admin.post("/admin/agencies", url.Values{"name_vi": {"Sở Giáo dục và Đào tạo"}, "name_en": {"Department of Education and Training"}, "slug": {"so-gd-dt"}})
	a, err := h.svc.Store().AgencyBySlug(ctx, "so-gd-dt")
	if err != nil {
		t.Fatalf("agency after POST /admin/agencies: %v", err)
	}
	if r.status != http.StatusSeeOther || r.location() != "/admin/agencies/"+a.ID {
		t.Errorf("POST /admin/agencies = %d to %q, want 303 to the agency", r.status, r.location())
	}
	expect(t, "agency page", admin.get(r.location()), http.StatusOK, "Sở Giáo dục và Đào tạo",
		frontend.Text(i18n.VI, "notice.agency_created"), frontend.Text(i18n.VI, "agency.no_staff"))
	expect(t, "list", admin.get("/admin/agencies"), http.StatusOK, `href="/admin/agencies/`+a.ID+`"`, "so-gd-dt")

	tests := []struct {
		name           string
		vi, en, slug   string
		status         int
		field, message string
	}{
		{"bad slug", "Sở Tài chính", "", "Sở TC", http.StatusBadRequest, "slug", "slug_invalid"},
		{"no name", "", "Finance", "so-tai-chinh", http.StatusBadRequest, "name_vi", "agency_name_invalid"},
		{"slug taken", "Sở Giáo dục", "", "so-gd-dt", http.StatusConflict, "slug", "slug_taken"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := admin.post("/admin/agencies", url.Values{"name_vi": {tc.vi}, "name_en": {tc.en}, "slug": {tc.slug}})
			expect(t, "POST /admin/agencies", r, tc.status, `id="f-`+tc.field+`-error"`, esc(i18n.T(i18n.VI, tc.message)),
				`value="`+esc(tc.slug)+`"`, `value="`+esc(tc.en)+`"`)
			checkPage(t, "POST /admin/agencies", r, i18n.VI)
		})
	}
	if list, _ := h.svc.Agencies(ctx, accounts.ListParams{Limit: 10}); len(list) != 1 {
		t.Errorf("%d agencies after refused posts, want 1", len(list))
	}
	expect(t, "unknown agency", admin.get("/admin/agencies/"+id.New()), http.StatusNotFound, frontend.Text(i18n.VI, "error.not_found"))
	expect(t, "malformed agency id", admin.get("/admin/agencies/x"), http.StatusNotFound)
}

func TestAdminStaff(t *testing.T) {
	h := newHarness(t)
	admin, _ := h.as(accounts.Admin)
	a := h.agency("so-cong-thuong", "Sở Công Thương", "Department of Industry and Trade")
	u := h.user(accounts.Resident, "giang@example.vn", "Hồ Giang")
	page := "/admin/agencies/" + a.ID

	r := admin.post(page+"/staff", url.Values{"email": {"GIANG@example.vn"}, "title": {"Phó Chánh Thanh tra"}})
	if r.status != http.StatusSeeOther || r.location() != page {
		t.Errorf("POST staff = %d to %q, want 303 to %s", r.status, r.location(), page)
	}
	expect(t, "agency page with staff", admin.get(page), http.StatusOK, "Hồ Giang", "Phó Chánh Thanh tra",
		`action="`+page+`/staff/`+u.ID+`/delete"`, `data-confirm=`)

	for _, tc := range []struct {
		name, email, title, field, message string
	}{
		{"unknown email", "nobody@example.vn", "Chuyên viên", "email", "user_not_found"},
		{"empty email", "", "Chuyên viên", "email", "user_not_found"},
		{"empty title", "giang@example.vn", " ", "title", "title_invalid"},
	} {
		r := admin.post(page+"/staff", url.Values{"email": {tc.email}, "title": {tc.title}})
		expect(t, "POST staff "+tc.name, r, http.StatusBadRequest, `id="f-`+tc.field+`-error"`, esc(i18n.T(i18n.VI, tc.message)),
			`value="`+esc(tc.email)+`"`)
		checkPage(t, "POST staff "+tc.name, r, i18n.VI)
	}
	expect(t, "POST staff to an unknown agency", admin.post("/admin/agencies/"+id.New()+"/staff",
		url.Values{"email": {"giang@example.vn"}, "title": {"Chuyên viên"}}), http.StatusNotFound)

	r = admin.post(page+"/staff/"+u.ID+"/delete", nil)
	if r.status != http.StatusSeeOther || r.location() != page {
		t.Errorf("POST delete = %d to %q, want 303 to %s", r.status, r.location(), page)
	}
	if staff, _ := h.svc.Staff(ctx, a.ID); len(staff) != 0 {
		t.Errorf("staff after removal = %v, want none", staff)
	}
	expect(t, "removing again", admin.post(page+"/staff/"+u.ID+"/delete", nil), http.StatusNotFound,
		esc(i18n.T(i18n.VI, "staff_not_found")))
}
