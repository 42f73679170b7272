package polls

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/civichub/civichub/i18n"
)

// Export is a poll's results with its labels, as results.json and
// results.csv give them. Imported baseline counts are shown apart from the
// ballots cast here, so nobody mistakes them for votes on this site.
type Export struct {
	PollID     string         `json:"poll_id"`
	Question   i18n.Text      `json:"question"`
	Status     Status         `json:"status"`
	Total      int64          `json:"total"`
	Imported   int64          `json:"imported_ballots"`
	Options    []ExportOption `json:"options"`
	ExportedAt time.Time      `json:"exported_at"`
	Version    int64          `json:"version"`
}

// ExportOption is one option's line of an Export.
type ExportOption struct {
	ID string `json:"id"`
	i18n.Text
	Votes    int64 `json:"votes"`
	Imported int64 `json:"imported"`
	Cast     int64 `json:"cast"`
	Percent  int   `json:"percent"`
}

// NewExport joins a poll's labels to its results.
func NewExport(p *Poll, r *Results, now time.Time) *Export {
	e := &Export{PollID: p.ID, Question: p.Question, Status: r.Status, Total: r.Total, Imported: p.BaselineBallots,
		ExportedAt: now, Version: r.Version}
	for i, o := range r.Options {
		e.Options = append(e.Options, ExportOption{ID: o.ID, Text: p.Options[i].Text, Votes: o.Votes,
			Imported: o.Baseline, Cast: o.Votes - o.Baseline, Percent: o.Percent})
	}
	return e
}

// WriteCSV writes e as CSV for spreadsheet programs: UTF-8 with a byte
// order mark (so Vietnamese reads right), and every cell that a
// spreadsheet would run as a formula neutralised.
func (e *Export) WriteCSV(w io.Writer) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	c := csv.NewWriter(w)
	c.UseCRLF = true
	n := strconv.FormatInt
	rows := [][]string{
		{"poll_id", e.PollID},
		{"question_vi", e.Question.VI},
		{"question_en", e.Question.EN},
		{"status", string(e.Status)},
		{"exported_at", e.ExportedAt.Format(time.RFC3339)},
		{},
		{"option_id", "label_vi", "label_en", "votes", "imported_baseline", "cast_here", "percent"},
	}
	for _, o := range e.Options {
		rows = append(rows, []string{o.ID, o.VI, o.EN, n(o.Votes, 10), n(o.Imported, 10), n(o.Cast, 10), strconv.Itoa(o.Percent)})
	}
	rows = append(rows, []string{"total_ballots", "", "", n(e.Total, 10), n(e.Imported, 10), n(e.Total-e.Imported, 10), ""})
	for _, row := range rows {
		for i := range row {
			row[i] = SafeCell(row[i])
		}
		if err := c.Write(row); err != nil {
			return err
		}
	}
	c.Flush()
	return c.Error()
}

// SafeCell neutralises a cell that a spreadsheet would read as a formula
// (starting with = + - @, or a tab or carriage return that hides one) by
// prefixing an apostrophe, as OWASP advises against CSV injection.
func SafeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
