// Package frontend renders civichub's server-side pages (home, registration,
// login, the profile page, polls, the forum with its notifications, search
// and moderation dashboard, the Q&A section with its agency queues and
// scorecards, the admin pages and the embeddable poll and answers widgets)
// in Vietnamese and English.
//
// Templates and static files are embedded in the binary. Static files are
// served under names that carry a hash of their content, so browsers may cache
// them for a year. Every page works without JavaScript: a form is a plain POST
// answered with a redirect, or with the form shown again with each error next
// to its field; static/app.js only adds niceties on top.
//
// The server applies language negotiation, the session, the visitor cookie,
// security headers and cross-origin protection before these handlers run.
package frontend

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"time"

	"github.com/civichub/civichub/accounts"
	"github.com/civichub/civichub/forum"
	"github.com/civichub/civichub/i18n"
	"github.com/civichub/civichub/polls"
	"github.com/civichub/civichub/qa"
	"github.com/civichub/civichub/visitors"
)

// Options configure a Frontend.
type Options struct {
	// Accounts registers, logs in and authorizes users; it is required.
	Accounts *accounts.Service
	// Cookies names and writes the session cookie.
	Cookies accounts.Cookies
	// DefaultLang is the site's default language; the language switch lists
	// it first. Empty means Vietnamese.
	DefaultLang i18n.Lang
	// Secure marks the cookies the frontend sets (language, notices) Secure;
	// set it when the site is served over https.
	Secure bool
	// Logger receives internal errors; users only ever see a generic text.
	// Nil discards them.
	Logger *slog.Logger
	// Online returns the "online now" figures every page shows (and
	// static/app.js keeps live). Nil shows the box without figures.
	Online func(ctx context.Context) (visitors.Online, error)
	// Polls runs polls. Nil leaves out the poll pages and the home page's
	// poll box.
	Polls *polls.Service
	// Forum runs the forum. Nil leaves out the forum, notification, search
	// and moderation pages.
	Forum *forum.Service
	// QA runs the Q&A section. Nil leaves out the question, agency
	// dashboard and scorecard pages.
	QA *qa.Service
	// Timezone is the zone in which times are shown and in which the
	// forms' date-time inputs are read (CIVICHUB_TIMEZONE). Nil means UTC.
	Timezone *time.Location
	// AllowedOrigins are the portal origins (scheme://host[:port]) whose
	// pages may frame the embeddable widgets (CIVICHUB_ALLOWED_ORIGINS).
	// Every other page may be framed by no one.
	AllowedOrigins []string
	// Origin is the site's own public origin, for the embed code shown to
	// poll managers. Empty shows the code with a path only.
	Origin string
}

// Frontend serves the HTML pages and static files. It is safe for concurrent
// use.
type Frontend struct {
	opts   Options
	langs  []i18n.Lang
	assets *assets
	pages  map[string]*template.Template
	// layoutTexts are the layout's texts by language.
	layoutTexts map[i18n.Lang]*layoutTexts
}

// New parses the embedded templates and indexes the static files. It fails
// when Accounts is nil, DefaultLang is not a supported language, or an
// embedded file is broken (which tests catch before a release).
func New(opts Options) (*Frontend, error) {
	if opts.Accounts == nil {
		return nil, errors.New("frontend: Options.Accounts is nil")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Timezone == nil {
		opts.Timezone = time.UTC
	}
	if opts.DefaultLang == "" {
		opts.DefaultLang = i18n.VI
	}
	if _, ok := i18n.Parse(string(opts.DefaultLang)); !ok {
		return nil, fmt.Errorf("frontend: unsupported default language %q", opts.DefaultLang)
	}
	a, err := newAssets()
	if err != nil {
		return nil, err
	}
	pages, err := parsePages(a)
	if err != nil {
		return nil, err
	}
	langs := []i18n.Lang{opts.DefaultLang}
	for _, l := range i18n.Langs {
		if l != opts.DefaultLang {
			langs = append(langs, l)
		}
	}
	return &Frontend{opts: opts, langs: langs, assets: a, pages: pages, layoutTexts: layoutTextsByLang()}, nil
}
