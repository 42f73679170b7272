package frontend

import "net/http"

// Routes registers the pages, the static files and a "/" catch-all that
// answers every other path with an HTML 404 page. The JSON API registers its
// own, more specific /api/ routes on the same mux.
func (f *Frontend) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /static/{path...}", f.static)

	mux.HandleFunc("GET /{$}", f.home)
	mux.HandleFunc("GET /register", f.registerForm)
	mux.HandleFunc("POST /register", f.register)
	mux.HandleFunc("GET /login", f.loginForm)
	mux.HandleFunc("POST /login", f.login)
	mux.HandleFunc("POST /logout", f.logout)
	mux.HandleFunc("POST /lang", f.setLang)
	mux.HandleFunc("GET /me", f.me)

	mux.HandleFunc("GET /admin/{$}", f.requireAdmin(f.adminHome))
	mux.HandleFunc("GET /admin/users", f.requireAdmin(f.users))
	mux.HandleFunc("POST /admin/users/{id}/role", f.requireAdmin(f.setRole))
	mux.HandleFunc("GET /admin/agencies", f.requireAdmin(f.agencies))
	mux.HandleFunc("POST /admin/agencies", f.requireAdmin(f.createAgency))
	mux.HandleFunc("GET /admin/agencies/{id}", f.requireAdmin(f.agency))
	mux.HandleFunc("POST /admin/agencies/{id}/staff", f.requireAdmin(f.addStaff))
	mux.HandleFunc("POST /admin/agencies/{id}/staff/{user_id}/delete", f.requireAdmin(f.removeStaff))

	if f.opts.Polls != nil {
		mux.HandleFunc("GET /polls", f.pollList)
		mux.HandleFunc("GET /polls/{id}", f.poll)
		mux.HandleFunc("POST /polls/{id}/vote", f.vote)
		mux.HandleFunc("GET /embed/poll/{id}", f.frameable(f.embedPoll))
		mux.HandleFunc("POST /embed/poll/{id}/vote", f.frameable(f.embedVote))

		mux.HandleFunc("GET /admin/polls", f.requirePollManager(f.adminPolls))
		mux.HandleFunc("GET /admin/polls/new", f.requirePollManager(f.newPollForm))
		mux.HandleFunc("POST /admin/polls", f.requirePollManager(f.createPoll))
		mux.HandleFunc("GET /admin/polls/{id}", f.requirePollManager(f.adminPoll))
		mux.HandleFunc("POST /admin/polls/{id}", f.requirePollManager(f.updatePoll))
		mux.HandleFunc("GET /admin/polls/{id}/edit", f.requirePollManager(f.editPollForm))
		mux.HandleFunc("POST /admin/polls/{id}/status", f.requirePollManager(f.setPollStatus))
	}

	mux.HandleFunc("/", f.notFound)
}
