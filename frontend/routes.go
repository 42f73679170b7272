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

	if f.opts.Forum != nil {
		f.forumRoutes(mux)
	}

	if f.opts.QA != nil {
		f.qaRoutes(mux)
	}

	mux.HandleFunc("/", f.notFound)
}

// forumRoutes registers the forum's pages: reading, the residents' forms,
// notifications, search, the moderation dashboard and the admins' category
// page.
func (f *Frontend) forumRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /forum", f.forumHome)
	mux.HandleFunc("GET /forum/c/{ref}", f.categoryPage)
	mux.HandleFunc("GET /forum/c/{ref}/new", f.requireUser(f.newThreadForm))
	mux.HandleFunc("POST /forum/c/{ref}/new", f.requireUser(f.createThread))
	mux.HandleFunc("GET /forum/t/{id}", f.thread)
	mux.HandleFunc("POST /forum/t/{id}/reply", f.requireUser(f.reply))
	mux.HandleFunc("POST /forum/t/{id}/follow", f.requireUser(f.follow))
	mux.HandleFunc("GET /forum/p/{id}", f.postRedirect)
	mux.HandleFunc("GET /forum/p/{id}/edit", f.requireUser(f.editPostForm))
	mux.HandleFunc("POST /forum/p/{id}/edit", f.requireUser(f.editPost))
	mux.HandleFunc("GET /forum/p/{id}/flag", f.requireUser(f.flagForm))
	mux.HandleFunc("POST /forum/p/{id}/flag", f.requireUser(f.flag))
	mux.HandleFunc("GET /notifications", f.requireUser(f.notifications))
	mux.HandleFunc("POST /notifications/read", f.requireUser(f.markRead))
	mux.HandleFunc("GET /search", f.search)

	mux.HandleFunc("GET /mod", f.requireModerator(f.modQueue))
	mux.HandleFunc("GET /mod/queue/items/{id}", f.requireModerator(f.queueItemPart))
	mux.HandleFunc("GET /mod/p/{id}", f.requireModerator(f.modPost))
	mux.HandleFunc("POST /mod/p/{id}/{action}", f.requireModerator(f.moderatePost))
	mux.HandleFunc("POST /mod/t/{id}", f.requireModerator(f.changeThread))
	mux.HandleFunc("GET /mod/users/{id}", f.requireModerator(f.modUser))
	mux.HandleFunc("POST /mod/users/{id}/suspension", f.requireModerator(f.suspend))
	mux.HandleFunc("GET /mod/words", f.requireModerator(f.modWords))
	mux.HandleFunc("POST /mod/words", f.requireModerator(f.putWord))
	mux.HandleFunc("POST /mod/words/{id}/delete", f.requireModerator(f.deleteWord))
	mux.HandleFunc("GET /mod/audit", f.requireModerator(f.modAudit))

	mux.HandleFunc("GET /admin/categories", f.requireAdmin(f.adminCategories))
	mux.HandleFunc("POST /admin/categories", f.requireAdmin(f.createCategory))
}

// qaRoutes registers the Q&A section's pages: the questions and their
// forms, each agency's queue for its staff, the public scorecards and list
// of agencies, the admins' answer time setting and the answers widget.
func (f *Frontend) qaRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /questions", f.questionList)
	mux.HandleFunc("GET /questions/new", f.requireUser(f.askForm))
	mux.HandleFunc("POST /questions/new", f.requireUser(f.ask))
	mux.HandleFunc("GET /questions/{id}", f.question)
	mux.HandleFunc("GET /questions/{id}/parts", f.questionParts)
	mux.HandleFunc("POST /questions/{id}/status", f.requireUser(f.changeStatus))
	mux.HandleFunc("POST /questions/{id}/forward", f.requireUser(f.forwardQuestion))
	mux.HandleFunc("POST /questions/{id}/answer", f.requireUser(f.answer))
	mux.HandleFunc("POST /questions/{id}/revise", f.requireUser(f.revise))
	mux.HandleFunc("POST /questions/{id}/comments", f.requireUser(f.comment))
	mux.HandleFunc("POST /questions/{id}/comments/{cid}/hidden", f.requireModerator(f.hideComment))
	mux.HandleFunc("POST /questions/{id}/upvote", f.requireUser(f.upvote))
	mux.HandleFunc("POST /questions/{id}/follow", f.requireUser(f.followQuestion))

	mux.HandleFunc("GET /agencies", f.agencyDirectory)
	mux.HandleFunc("GET /agencies/{id}/scorecard", f.scorecard)
	mux.HandleFunc("GET /agencies/{id}/questions", f.requireUser(f.agencyQueue))
	mux.HandleFunc("GET /agencies/{id}/questions/parts", f.agencyQueueParts)
	mux.HandleFunc("POST /admin/agencies/{id}/answer-days", f.requireAdmin(f.setAnswerDays))

	mux.HandleFunc("GET /embed/answers", f.frameable(f.embedAnswers))
}
