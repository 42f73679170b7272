package main

import (
	"net/http"

	"github.com/civichub/civichub/accounts"
	"github.com/civichub/civichub/frontend"
	"github.com/civichub/civichub/visitors"
)

// pages registers the server-rendered pages and static files.
func (a *app) pages(mux *http.ServeMux, cookies accounts.Cookies, board *visitors.Board) error {
	fe, err := frontend.New(frontend.Options{
		Accounts: a.accounts, Cookies: cookies, DefaultLang: a.cfg.Lang, Secure: a.cfg.Secure(), Logger: a.logger,
		Online: board.Online, Polls: a.polls, Forum: a.forum, QA: a.qa, Timezone: a.cfg.Timezone, AllowedOrigins: a.cfg.AllowedOrigins,
		Origin: a.cfg.Origin(),
	})
	if err != nil {
		return err
	}
	fe.Routes(mux)
	return nil
}
