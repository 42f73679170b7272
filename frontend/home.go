package frontend

import (
	"net/http"

	"github.com/civichub/civichub/accounts"
)

// homeAgencies is how many agencies the home page lists.
const homeAgencies = 100

type homePage struct {
	Agencies []*accounts.Agency
}

// home welcomes visitors and lists the agencies. The online and poll boxes
// say honestly that they are empty until the live features fill them.
func (f *Frontend) home(w http.ResponseWriter, r *http.Request) {
	list, err := f.opts.Accounts.Agencies(r.Context(), accounts.ListParams{Limit: homeAgencies})
	if err != nil {
		f.fail(w, r, err)
		return
	}
	f.render(w, r, http.StatusOK, "home", view{Data: homePage{Agencies: list}})
}
