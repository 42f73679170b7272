package main

import (
	"net/http"

	"github.com/civichub/civichub/accounts"
)

// pages registers the server-rendered pages.
func (a *app) pages(mux *http.ServeMux, cookies accounts.Cookies) error {
	return nil
}
