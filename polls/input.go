package polls

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/civichub/civichub/apperr"
	"github.com/civichub/civichub/i18n"
)

// Limits of a poll's text and shape.
const (
	MaxQuestion = 300
	MaxLabel    = 200
	MinOptions  = 2
	MaxOptions  = 20
)

// NewPoll is the input of Service.Create (POST /api/v1/polls).
type NewPoll struct {
	Question   i18n.Text   `json:"question"`
	Options    []i18n.Text `json:"options"`
	Multiple   bool        `json:"multiple"`
	MaxChoices int         `json:"max_choices"`
	Audience   Audience    `json:"audience"`
	Results    Visibility  `json:"results"`
	Status     Status      `json:"status"`
	OpensAt    *time.Time  `json:"opens_at"`
	ClosesAt   *time.Time  `json:"closes_at"`
	AgencyID   *string     `json:"agency_id"`
	Baseline   []int64     `json:"baseline"`
	// BaselineBallots is how many ballots a multiple-choice baseline
	// stands for; a single-choice baseline stands for its sum.
	BaselineBallots *int64 `json:"baseline_ballots"`
}

// Patch is the input of Service.Update (PATCH /api/v1/polls/{id}); nil
// fields are left as they are. Question, options, choices, audience and
// baseline change only while the poll is a draft, so options never change
// once votes can exist.
type Patch struct {
	Question        *i18n.Text   `json:"question"`
	Options         *[]i18n.Text `json:"options"`
	Multiple        *bool        `json:"multiple"`
	MaxChoices      *int         `json:"max_choices"`
	Audience        *Audience    `json:"audience"`
	Results         *Visibility  `json:"results"`
	Status          *Status      `json:"status"`
	OpensAt         OptTime      `json:"opens_at"`
	ClosesAt        OptTime      `json:"closes_at"`
	Baseline        *[]int64     `json:"baseline"`
	BaselineBallots *int64       `json:"baseline_ballots"`
}

// OptTime is a Patch time: absent (Set false) leaves the time as it is,
// null (Set, not Valid) clears it, an RFC 3339 time sets it.
type OptTime struct {
	Set   bool
	Valid bool
	Time  time.Time
}

// UnmarshalJSON reads null or an RFC 3339 time. encoding/json calls it for
// a present field only, null included, which is how absent and null differ.
func (n *OptTime) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*n = OptTime{Set: true}
		return nil
	}
	var t time.Time
	if err := t.UnmarshalJSON(b); err != nil {
		return err
	}
	*n = OptTime{Set: true, Valid: true, Time: t}
	return nil
}

// NullTime returns a Patch time field that sets t, or clears the time when
// t is nil.
func NullTime(t *time.Time) OptTime {
	if t == nil {
		return OptTime{Set: true}
	}
	return OptTime{Set: true, Valid: true, Time: *t}
}

// cleanText trims t and checks both languages: Vietnamese required, English
// optional, each at most max characters with no control characters.
func cleanText(t i18n.Text, max int) (i18n.Text, string) {
	t.VI, t.EN = strings.TrimSpace(t.VI), strings.TrimSpace(t.EN)
	if t.VI == "" {
		return t, "required"
	}
	for _, s := range []string{t.VI, t.EN} {
		if !utf8.ValidString(s) || utf8.RuneCountInString(s) > max {
			return t, "too_long"
		}
		for _, r := range s {
			if unicode.IsControl(r) {
				return t, "invalid_text"
			}
		}
	}
	return t, ""
}

// fieldErr collects the first problem of each field.
type fieldErr map[string]string

func (f fieldErr) add(field, key string) {
	if _, ok := f[field]; !ok && key != "" {
		f[field] = key
	}
}

func (f fieldErr) err() error {
	if len(f) == 0 {
		return nil
	}
	return &apperr.Error{Code: apperr.Invalid, Key: "invalid_input", Fields: f}
}

// checkShape validates the parts of p that only drafts may change, and
// its schedule, filling defaults. newIDs makes option ids.
func checkShape(p *Poll, labels []i18n.Text, baseline []int64, baselineBallots *int64, now time.Time, newID func() string, fe fieldErr) {
	var key string
	p.Question, key = cleanText(p.Question, MaxQuestion)
	fe.add("question", key)
	if labels != nil {
		switch {
		case len(labels) < MinOptions:
			fe.add("options", "too_few_options")
		case len(labels) > MaxOptions:
			fe.add("options", "too_many_options")
		}
		opts := make([]Option, len(labels))
		seen := map[string]bool{}
		for i, l := range labels {
			l, key = cleanText(l, MaxLabel)
			fe.add("options", key)
			if seen[strings.ToLower(l.VI)] {
				fe.add("options", "duplicate_label")
			}
			seen[strings.ToLower(l.VI)] = true
			opts[i] = Option{ID: newID(), Text: l}
			if i < len(p.Options) {
				// An edited draft keeps its options' ids and baselines.
				opts[i].ID, opts[i].Baseline = p.Options[i].ID, p.Options[i].Baseline
			}
		}
		p.Options = opts
	}
	if baseline != nil {
		if len(baseline) != len(p.Options) {
			fe.add("baseline", "baseline_length")
		} else {
			for i, b := range baseline {
				if b < 0 || b > 1e12 {
					fe.add("baseline", "baseline_range")
				}
				p.Options[i].Baseline = b
			}
		}
	}
	if !p.Multiple {
		if p.MaxChoices == 0 {
			p.MaxChoices = 1
		}
		if p.MaxChoices != 1 {
			fe.add("max_choices", "max_choices_single")
		}
	} else {
		if p.MaxChoices == 0 {
			p.MaxChoices = len(p.Options)
		}
		if p.MaxChoices < 1 || p.MaxChoices > len(p.Options) {
			fe.add("max_choices", "max_choices_range")
		}
	}
	var sum, most int64
	for _, o := range p.Options {
		sum += o.Baseline
		most = max(most, o.Baseline)
	}
	switch {
	case baselineBallots != nil && !p.Multiple && *baselineBallots != sum:
		fe.add("baseline_ballots", "baseline_ballots_single")
	case baselineBallots != nil && (*baselineBallots < most || *baselineBallots > sum):
		fe.add("baseline_ballots", "baseline_ballots_range")
	case baselineBallots != nil:
		p.BaselineBallots = *baselineBallots
	case !p.Multiple || p.BaselineBallots < most || p.BaselineBallots > sum:
		p.BaselineBallots = sum
	}
	switch p.Audience {
	case "":
		p.Audience = Everyone
	case Everyone, Members:
	default:
		fe.add("audience", "invalid_choice")
	}
	checkSchedule(p, now, fe)
}

// checkSchedule validates results visibility and the opening and closing
// times, which may change until the poll is closed.
func checkSchedule(p *Poll, now time.Time, fe fieldErr) {
	switch p.Results {
	case "":
		p.Results = Always
	case Always, AfterVote, AfterClose, StaffOnly:
	default:
		fe.add("results", "invalid_choice")
	}
	for _, t := range []**time.Time{&p.OpensAt, &p.ClosesAt} {
		if *t != nil {
			v := (*t).UTC().Truncate(time.Millisecond)
			*t = &v
		}
	}
	if p.OpensAt != nil && p.ClosesAt != nil && !p.ClosesAt.After(*p.OpensAt) {
		fe.add("closes_at", "closes_before_opens")
	}
	if p.Status == Open && p.ClosesAt != nil && !p.ClosesAt.After(now) {
		fe.add("closes_at", "closes_in_past")
	}
}

// checkChoice validates a ballot's option ids against the poll.
func checkChoice(p *Poll, options []string) error {
	switch {
	case len(options) == 0:
		return apperr.Field("options", "choose_option")
	case len(options) > p.MaxChoices:
		return apperr.Field("options", "too_many_choices")
	}
	seen := make(map[string]bool, len(options))
	for _, o := range options {
		if _, ok := p.option(o); !ok {
			return apperr.Field("options", "unknown_option")
		}
		if seen[o] {
			return apperr.Field("options", "duplicate_option")
		}
		seen[o] = true
	}
	return nil
}
