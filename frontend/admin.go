package frontend

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/civichub/civichub/accounts"
	"github.com/civichub/civichub/apperr"
	"github.com/civichub/civichub/i18n"
	"github.com/civichub/civichub/id"
)

// adminPageSize is how many rows an admin list shows per page.
const adminPageSize = 50

// requireAdmin lets admins through to next; a guest is sent to the login
// page and anyone else gets the 403 page. The service checks the role again
// on every change.
func (f *Frontend) requireAdmin(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		switch u := accounts.UserFrom(r.Context()); {
		case u == nil:
			back := "/admin/"
			if r.Method == http.MethodGet {
				back = r.URL.RequestURI()
			}
			redirect(w, r, loginURL(back))
		case u.Role != accounts.Admin:
			f.fail(w, r, accounts.ErrForbidden)
		default:
			next(w, r)
		}
	}
}

func (f *Frontend) adminHome(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/admin/users", http.StatusFound)
}

// listPage is one page of an admin list at Base: After is the cursor of this
// page ("" on the first), Next that of the following one ("" on the last).
type listPage[T any] struct {
	Items             []T
	Base, After, Next string
}

// URL is the address of this page.
func (p listPage[T]) URL() string { return withAfter(p.Base, p.After) }

// NextURL is the address of the following page.
func (p listPage[T]) NextURL() string { return withAfter(p.Base, p.Next) }

// pageOf fetches the page of a list that starts after the ?after= cursor (or
// the posted one, when a form on the page is shown again).
func pageOf[T any](r *http.Request, base string, fetch func(accounts.ListParams) ([]T, error), key func(T) string) (listPage[T], error) {
	after := r.FormValue("after")
	if after != "" && !id.Valid(after) {
		return listPage[T]{}, apperr.Field("after", "invalid_cursor")
	}
	items, err := fetch(accounts.ListParams{After: after, Limit: adminPageSize + 1})
	if err != nil {
		return listPage[T]{}, err
	}
	p := listPage[T]{Items: items, Base: base, After: after}
	if len(items) > adminPageSize {
		p.Items = items[:adminPageSize]
		p.Next = key(items[adminPageSize-1])
	}
	return p, nil
}

// withAfter returns path on the list page with cursor after.
func withAfter(path, after string) string {
	if after == "" || !id.Valid(after) {
		return path
	}
	return path + "?after=" + url.QueryEscape(after)
}

type usersPage struct {
	listPage[*accounts.User]
	Roles []accounts.Role
}

func (f *Frontend) users(w http.ResponseWriter, r *http.Request) {
	f.showUsers(w, r, http.StatusOK, nil)
}

func (f *Frontend) showUsers(w http.ResponseWriter, r *http.Request, status int, fm *form) {
	actor := accounts.UserFrom(r.Context())
	p, err := pageOf(r, "/admin/users", func(lp accounts.ListParams) ([]*accounts.User, error) {
		return f.opts.Accounts.Users(r.Context(), actor, lp)
	}, func(u *accounts.User) string { return u.ID })
	if err != nil {
		f.fail(w, r, err)
		return
	}
	roles := []accounts.Role{accounts.Resident, accounts.Moderator, accounts.Admin}
	f.render(w, r, status, "users", view{Path: p.URL(), Form: fm, Data: usersPage{listPage: p, Roles: roles}})
}

func (f *Frontend) setRole(w http.ResponseWriter, r *http.Request) {
	fm, ok := f.readForm(w, r, "role")
	if !ok {
		return
	}
	userID := r.PathValue("id")
	if !id.Valid(userID) {
		f.fail(w, r, accounts.ErrUserNotFound)
		return
	}
	fm.Row = userID
	role := accounts.Role(fm.Value("role"))
	if _, err := f.opts.Accounts.SetRole(r.Context(), accounts.UserFrom(r.Context()), userID, role); err != nil {
		f.retry(w, r, fm, err, nil, f.showUsers)
		return
	}
	f.notify(w, "notice.role_saved")
	redirect(w, r, withAfter("/admin/users", fm.Value("after")))
}

type agencyRow struct {
	*accounts.Agency
	Name string // in the page's language
}

func (f *Frontend) agencies(w http.ResponseWriter, r *http.Request) {
	f.showAgencies(w, r, http.StatusOK, nil)
}

func (f *Frontend) showAgencies(w http.ResponseWriter, r *http.Request, status int, fm *form) {
	lang := i18n.FromContext(r.Context())
	p, err := pageOf(r, "/admin/agencies", func(lp accounts.ListParams) ([]agencyRow, error) {
		list, err := f.opts.Accounts.Agencies(r.Context(), lp)
		rows := make([]agencyRow, len(list))
		for i, a := range list {
			rows[i] = agencyRow{Agency: a, Name: a.Name.In(lang)}
		}
		return rows, err
	}, func(a agencyRow) string { return a.ID })
	if err != nil {
		f.fail(w, r, err)
		return
	}
	f.render(w, r, status, "agencies", view{Path: p.URL(), Form: fm, Data: p})
}

// agencyFields maps the service's field names to the agency form's.
var agencyFields = map[string]string{"name": "name_vi"}

func (f *Frontend) createAgency(w http.ResponseWriter, r *http.Request) {
	fm, ok := f.readForm(w, r, "name_vi", "name_en", "slug")
	if !ok {
		return
	}
	in := accounts.NewAgency{
		Name: i18n.Text{VI: fm.Value("name_vi"), EN: fm.Value("name_en")},
		Slug: strings.TrimSpace(fm.Value("slug")),
	}
	a, err := f.opts.Accounts.CreateAgency(r.Context(), accounts.UserFrom(r.Context()), in)
	if err != nil {
		f.retry(w, r, fm, err, agencyFields, f.showAgencies)
		return
	}
	f.notify(w, "notice.agency_created")
	redirect(w, r, "/admin/agencies/"+a.ID)
}

type agencyPage struct {
	Agency agencyRow
	Staff  []accounts.StaffMember
	// HasQA is true when the Q&A section runs: the page then has the
	// agency's answer time form.
	HasQA bool
}

func (f *Frontend) agency(w http.ResponseWriter, r *http.Request) {
	f.showAgency(w, r, http.StatusOK, nil)
}

func (f *Frontend) showAgency(w http.ResponseWriter, r *http.Request, status int, fm *form) {
	a, err := f.opts.Accounts.Agency(r.Context(), r.PathValue("id"))
	if err != nil {
		f.fail(w, r, err)
		return
	}
	staff, err := f.opts.Accounts.Staff(r.Context(), a.ID)
	if err != nil {
		f.fail(w, r, err)
		return
	}
	row := agencyRow{Agency: a, Name: a.Name.In(i18n.FromContext(r.Context()))}
	if f.opts.QA != nil && (fm == nil || !fm.values.Has("answer_days")) {
		days, err := f.opts.QA.AnswerDays(r.Context(), a.ID)
		if err != nil {
			f.fail(w, r, err)
			return
		}
		// The answer time form starts with the agency's setting.
		if fm == nil {
			fm = &form{values: url.Values{}, Errors: map[string]string{}}
		}
		fm.values.Set("answer_days", strconv.Itoa(days))
	}
	v := view{Path: "/admin/agencies/" + a.ID, Form: fm, Data: agencyPage{Agency: row, Staff: staff, HasQA: f.opts.QA != nil}}
	f.render(w, r, status, "agency", v)
}

// addStaff makes the user with the given email staff of the agency.
func (f *Frontend) addStaff(w http.ResponseWriter, r *http.Request) {
	fm, ok := f.readForm(w, r, "email", "title")
	if !ok {
		return
	}
	ctx, actor, agencyID := r.Context(), accounts.UserFrom(r.Context()), r.PathValue("id")
	u, err := f.opts.Accounts.UserByEmail(ctx, actor, fm.Value("email"))
	if err == nil {
		_, err = f.opts.Accounts.AddStaff(ctx, actor, agencyID, u.ID, fm.Value("title"))
	} else if errors.Is(err, accounts.ErrUserNotFound) {
		err = apperr.Field("email", "user_not_found")
	}
	if err != nil {
		f.retry(w, r, fm, err, nil, f.showAgency)
		return
	}
	f.notify(w, "notice.staff_added")
	redirect(w, r, "/admin/agencies/"+agencyID)
}

func (f *Frontend) removeStaff(w http.ResponseWriter, r *http.Request) {
	agencyID := r.PathValue("id")
	err := f.opts.Accounts.RemoveStaff(r.Context(), accounts.UserFrom(r.Context()), agencyID, r.PathValue("user_id"))
	if err != nil {
		f.fail(w, r, err)
		return
	}
	f.notify(w, "notice.staff_removed")
	redirect(w, r, "/admin/agencies/"+agencyID)
}
