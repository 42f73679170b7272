package sqlitestore

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/civichub/civichub/qa"
)

// Search is an inverted index like the forum's (forum_search.go):
// qa_search has one row (token, question_id) per distinct token of each
// listed question and no others, written in the transaction that lists,
// unlists or changes the question. A query walks the postings of its
// rarest token backwards from the cursor (newest question first) and keeps
// each question that the other tokens also index, one primary key lookup
// each, up to the page's limit.

// qaIndex adds a question's search rows.
func qaIndex(ctx context.Context, tx writeTx, questionID string, tokens []string) error {
	if len(tokens) == 0 {
		return nil
	}
	_, err := tx.exec(ctx, `INSERT OR IGNORE INTO qa_search (token, question_id) SELECT value, ? FROM json_each(?)`,
		questionID, tokensJSON(tokens))
	if err != nil {
		return fmt.Errorf("sqlitestore: index question: %w", err)
	}
	return nil
}

// qaUnindex removes a question's search rows, found by its tokens.
func qaUnindex(ctx context.Context, tx writeTx, questionID string, tokens []string) error {
	if len(tokens) == 0 {
		return nil
	}
	_, err := tx.exec(ctx, `DELETE FROM qa_search WHERE question_id = ? AND token IN (SELECT value FROM json_each(?))`,
		questionID, tokensJSON(tokens))
	if err != nil {
		return fmt.Errorf("sqlitestore: unindex question: %w", err)
	}
	return nil
}

// Search implements qa.Store. Its hits are read as the lists' are, without
// history, legs and tokens.
func (s *QAStore) Search(ctx context.Context, q qa.SearchQuery) ([]*qa.Question, error) {
	tokens := slices.Compact(slices.Sorted(slices.Values(q.Tokens)))
	tokens = slices.DeleteFunc(tokens, func(t string) bool { return t == "" })
	if len(tokens) == 0 {
		return nil, nil
	}
	tokens, err := rarestFirst(ctx, s.db, "qa_search", tokens)
	if err != nil {
		return nil, err
	}
	args := []any{tokens[0], before(q.AfterID), limitArg(q.Limit)}
	for _, tok := range tokens[1:] {
		args = append(args, tok)
	}
	st, err := s.db.readStmt(ctx, qaSearchSQL(len(tokens)))
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: search questions: %w", err)
	}
	ids, err := collect(rows, func(row scanner) (*string, error) {
		var id string
		return &id, row.Scan(&id)
	})
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	found, err := query(ctx, s.db, "search questions", scanQuestion,
		`SELECT `+summaryCols+` FROM qa_questions WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id DESC`,
		tokensJSON(derefStrings(ids)))
	if err != nil {
		return nil, err
	}
	return found, nil
}

func derefStrings(ps []*string) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = *p
	}
	return out
}

// qaSearchSQL is Search's query for n tokens: ?1 the walking token, ?2 the
// cursor, ?3 the limit, ?4... the other tokens.
func qaSearchSQL(n int) string {
	var b strings.Builder
	b.WriteString(`SELECT s0.question_id FROM qa_search s0 WHERE s0.token = ?1 AND s0.question_id < ?2`)
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, ` AND EXISTS (SELECT 1 FROM qa_search s WHERE s.token = ?%d AND s.question_id = s0.question_id)`, i+3)
	}
	b.WriteString(` ORDER BY s0.question_id DESC LIMIT ?3`)
	return b.String()
}
