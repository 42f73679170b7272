package frontend

import (
	"net/http"
	"strings"

	"github.com/civichub/civichub/accounts"
	"github.com/civichub/civichub/forum"
	"github.com/civichub/civichub/i18n"
)

// categoriesPage is the data of the admins' category page.
type categoriesPage struct {
	Categories []categoryRow
	Agencies   []agencyChoice
}

func (f *Frontend) adminCategories(w http.ResponseWriter, r *http.Request) {
	f.showAdminCategories(w, r, http.StatusOK, nil)
}

func (f *Frontend) showAdminCategories(w http.ResponseWriter, r *http.Request, status int, fm *form) {
	ctx, lang := r.Context(), i18n.FromContext(r.Context())
	rows, err := f.categoryRows(ctx, lang)
	if err != nil {
		f.fail(w, r, err)
		return
	}
	agencies, _, err := f.pollAgencies(r, accounts.UserFrom(ctx))
	if err != nil {
		f.fail(w, r, err)
		return
	}
	f.render(w, r, status, "admin_categories", view{Path: "/admin/categories", Form: fm,
		Data: categoriesPage{Categories: rows, Agencies: agencies}})
}

// categoryFields maps the service's field names to the category form's.
var categoryFields = map[string]string{"name": "name_vi", "description": "description_vi"}

func (f *Frontend) createCategory(w http.ResponseWriter, r *http.Request) {
	fm, ok := f.readForm(w, r, "name_vi", "name_en", "slug", "agency_id", "description_vi", "description_en")
	if !ok {
		return
	}
	in := forum.NewCategory{
		Name:        i18n.Text{VI: fm.Value("name_vi"), EN: fm.Value("name_en")},
		Description: i18n.Text{VI: fm.Value("description_vi"), EN: fm.Value("description_en")},
		Slug:        strings.TrimSpace(fm.Value("slug")),
	}
	if a := fm.Value("agency_id"); a != "" {
		in.AgencyID = &a
	}
	if _, err := f.opts.Forum.CreateCategory(r.Context(), accounts.UserFrom(r.Context()), in); err != nil {
		f.retry(w, r, fm, err, categoryFields, f.showAdminCategories)
		return
	}
	f.notify(w, "notice.category_created")
	redirect(w, r, "/admin/categories")
}
