package frontend

// Exported for the tests in frontend_test.
var (
	Text       = text
	HasText    = hasText
	LocalPath  = localPath
	Texts      = texts
	PageTexts  = pageTexts
	ForumTexts = forumTexts
	QATexts    = qaTexts
)
