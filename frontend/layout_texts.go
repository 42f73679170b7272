package frontend

import "github.com/civichub/civichub/i18n"

// layoutTexts are the layout's texts in one language. Every page shows
// them, so they are looked up once, when the Frontend is made: a template
// reads a field for a fraction of what a method call through reflection
// costs.
type layoutTexts struct {
	TitleError          string
	SiteName            string
	LayoutSkip          string
	SiteTagline         string
	LangLabel           string
	LangCurrent         string
	LayoutAccount       string
	NavNotifications    string
	NotificationsUnread string
	AccountLogout       string
	AccountLogin        string
	AccountRegister     string
	LayoutNav           string
	NavHome             string
	NavPolls            string
	NavForum            string
	NavSearch           string
	NavMod              string
	NavMe               string
	NavUsers            string
	NavAgencies         string
	NavCategories       string
	NavAdminPolls       string
	NavQuestions        string
	NavQueue            string
	OnlineHeading       string
	OnlineGuests        string
	OnlineMembers       string
	OnlineTotal         string
	OnlineToday         string
	OnlineVisits        string
	LayoutFooter        string
}

func newLayoutTexts(lang i18n.Lang) *layoutTexts {
	return &layoutTexts{
		TitleError:          text(lang, "title.error"),
		SiteName:            text(lang, "site.name"),
		LayoutSkip:          text(lang, "layout.skip"),
		SiteTagline:         text(lang, "site.tagline"),
		LangLabel:           text(lang, "lang.label"),
		LangCurrent:         text(lang, "lang.current"),
		LayoutAccount:       text(lang, "layout.account"),
		NavNotifications:    text(lang, "nav.notifications"),
		NotificationsUnread: text(lang, "notifications.unread"),
		AccountLogout:       text(lang, "account.logout"),
		AccountLogin:        text(lang, "account.login"),
		AccountRegister:     text(lang, "account.register"),
		LayoutNav:           text(lang, "layout.nav"),
		NavHome:             text(lang, "nav.home"),
		NavPolls:            text(lang, "nav.polls"),
		NavForum:            text(lang, "nav.forum"),
		NavSearch:           text(lang, "nav.search"),
		NavMod:              text(lang, "nav.mod"),
		NavMe:               text(lang, "nav.me"),
		NavUsers:            text(lang, "nav.users"),
		NavAgencies:         text(lang, "nav.agencies"),
		NavCategories:       text(lang, "nav.categories"),
		NavAdminPolls:       text(lang, "nav.admin_polls"),
		NavQuestions:        text(lang, "nav.questions"),
		NavQueue:            text(lang, "nav.queue"),
		OnlineHeading:       text(lang, "online.heading"),
		OnlineGuests:        text(lang, "online.guests"),
		OnlineMembers:       text(lang, "online.members"),
		OnlineTotal:         text(lang, "online.total"),
		OnlineToday:         text(lang, "online.today"),
		OnlineVisits:        text(lang, "online.visits"),
		LayoutFooter:        text(lang, "layout.footer"),
	}
}

// layoutTextsByLang returns the layout's texts in every language.
func layoutTextsByLang() map[i18n.Lang]*layoutTexts {
	m := map[i18n.Lang]*layoutTexts{}
	for _, l := range i18n.Langs {
		m[l] = newLayoutTexts(l)
	}
	return m
}
