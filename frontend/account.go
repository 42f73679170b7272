package frontend

import (
	"net/http"

	"github.com/civichub/civichub/accounts"
	"github.com/civichub/civichub/web"
)

func (f *Frontend) registerForm(w http.ResponseWriter, r *http.Request) {
	if accounts.UserFrom(r.Context()) != nil {
		redirect(w, r, "/")
		return
	}
	f.showRegister(w, r, http.StatusOK, nil)
}

func (f *Frontend) showRegister(w http.ResponseWriter, r *http.Request, status int, fm *form) {
	f.render(w, r, status, "register", view{Form: fm})
}

func (f *Frontend) register(w http.ResponseWriter, r *http.Request) {
	fm, ok := f.readForm(w, r, "email", "name", "password")
	if !ok {
		return
	}
	in := accounts.NewUser{Email: fm.Value("email"), Name: fm.Value("name"), Password: r.PostFormValue("password")}
	_, token, err := f.opts.Accounts.Register(r.Context(), in, web.ClientIP(r))
	if err != nil {
		f.retry(w, r, fm, err, nil, f.showRegister)
		return
	}
	f.endSession(r)
	f.opts.Cookies.Set(w, token)
	f.notify(w, "notice.registered")
	redirect(w, r, "/")
}

type loginPage struct {
	Next string
}

func (f *Frontend) loginForm(w http.ResponseWriter, r *http.Request) {
	if accounts.UserFrom(r.Context()) != nil {
		redirect(w, r, localPath(r.URL.Query().Get("next")))
		return
	}
	f.showLogin(w, r, http.StatusOK, nil)
}

func (f *Frontend) showLogin(w http.ResponseWriter, r *http.Request, status int, fm *form) {
	next := r.FormValue("next")
	f.render(w, r, status, "login", view{Form: fm, Data: loginPage{Next: localPath(next)}})
}

// login starts a session. Every failure shows the same message, so the page
// does not tell whether an email is registered.
func (f *Frontend) login(w http.ResponseWriter, r *http.Request) {
	fm, ok := f.readForm(w, r, "email", "password")
	if !ok {
		return
	}
	_, token, err := f.opts.Accounts.Login(r.Context(), fm.Value("email"), r.PostFormValue("password"), web.ClientIP(r))
	if err != nil {
		f.retry(w, r, fm, err, nil, f.showLogin)
		return
	}
	f.endSession(r)
	f.opts.Cookies.Set(w, token)
	f.notify(w, "notice.logged_in")
	redirect(w, r, localPath(fm.Value("next")))
}

// endSession ends the session the browser held before a login or
// registration, so that the new one replaces it rather than joins it.
func (f *Frontend) endSession(r *http.Request) {
	if old := accounts.SessionToken(r.Context()); old != "" {
		if err := f.opts.Accounts.Logout(r.Context(), old); err != nil {
			f.opts.Logger.Warn("end previous session", "err", err)
		}
	}
}

func (f *Frontend) logout(w http.ResponseWriter, r *http.Request) {
	if token := accounts.SessionToken(r.Context()); token != "" {
		if err := f.opts.Accounts.Logout(r.Context(), token); err != nil {
			f.fail(w, r, err)
			return
		}
	}
	f.opts.Cookies.Clear(w)
	f.notify(w, "notice.logged_out")
	redirect(w, r, "/")
}

type mePage struct {
	Staff []accounts.StaffMembership
}

func (f *Frontend) me(w http.ResponseWriter, r *http.Request) {
	u := accounts.UserFrom(r.Context())
	if u == nil {
		redirect(w, r, loginURL(r.URL.RequestURI()))
		return
	}
	staff, err := f.opts.Accounts.Memberships(r.Context(), u.ID)
	if err != nil {
		f.fail(w, r, err)
		return
	}
	f.render(w, r, http.StatusOK, "me", view{Data: mePage{Staff: staff}})
}
