package sqlitestore

import (
	"context"
	"fmt"
	"strings"
)

// ForumExecForTest runs a statement on the write connection.
func (db *DB) ForumExecForTest(ctx context.Context, q string, args ...any) error {
	_, err := db.write.ExecContext(ctx, q, args...)
	return err
}

// ForumPlanForTest returns SQLite's query plan for q, one step a line.
func (db *DB) ForumPlanForTest(ctx context.Context, q string, args ...any) (string, error) {
	rows, err := db.read.QueryContext(ctx, "EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			return "", err
		}
		fmt.Fprintln(&b, detail)
	}
	return b.String(), rows.Err()
}

// PlanCase is a hot query and the index its plan must search.
type PlanCase struct {
	Name, Query, Index string
	Args               []any
}

// ForumPlansForTest lists the forum's hot queries.
func ForumPlansForTest() []PlanCase {
	return []PlanCase{
		{"threads first page", threadsQueries[0][0], "forum_threads_list", []any{"c", 0, 30}},
		{"threads next page", threadsQueries[0][1], "forum_threads_list", []any{"c", 0, 1, "x", 30}},
		{"threads oldest next page", threadsQueries[1][1], "forum_threads_list", []any{"c", 0, 1, "x", 30}},
		{"thread posts", `SELECT ` + postCols + ` FROM forum_posts WHERE thread_id = ? AND number BETWEEN ? AND ? ORDER BY number`,
			"forum_posts_number", []any{"t", 1, 50}},
		{"review queue", `SELECT ` + postCols + ` FROM forum_posts WHERE review = 'pending' AND id > ? ORDER BY id LIMIT ?`,
			"forum_posts_review", []any{"", 20}},
		{"unread", `SELECT count(*) FROM forum_notifications WHERE user_id = ? AND read = 0`, "forum_notifications_unread", []any{"u"}},
		{"unindex", `DELETE FROM forum_search WHERE kind = ? AND doc_id = ?
			AND token IN (SELECT value FROM json_each(?))`, "PRIMARY KEY", []any{1, "p", `["a","b"]`}},
		{"postings", `SELECT count(*) FROM (SELECT 1 FROM forum_search WHERE token = ? LIMIT ?)`, "PRIMARY KEY", []any{"a", 10}},
		{"search", searchSQL(3), "PRIMARY KEY", []any{"a", 1, "~", 20, "b", "c"}},
	}
}
