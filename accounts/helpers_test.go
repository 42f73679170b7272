package accounts_test

import "github.com/civichub/civichub/i18n"

func accountsText(vi string) i18n.Text { return i18n.Text{VI: vi} }
