package frontend

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/civichub/civichub/i18n"
	"github.com/civichub/civichub/polls"
)

// pollFields are the poll form's fields in page order.
var pollFields = []string{"question_vi", "question_en", "options_vi", "options_en", "baseline", "multiple",
	"max_choices", "audience", "results", "status", "opens_at", "closes_at", "agency_id"}

// pollFieldAlias maps the polls service's field names to the form's.
var pollFieldAlias = map[string]string{"question": "question_vi", "options": "options_vi", "baseline_ballots": "baseline"}

// localLayouts are the values a datetime-local input sends.
var localLayouts = []string{"2006-01-02T15:04", "2006-01-02T15:04:05"}

// localInput is the datetime-local value of t in tz, or "".
func localInput(t *time.Time, tz *time.Location) string {
	if t == nil {
		return ""
	}
	return t.In(tz).Format(localLayouts[0])
}

// pollForm reads the poll form: fm's values into a NewPoll, with the form's
// own errors (numbers, times, the English options' count) recorded on fm in
// lang. The service checks everything else.
type pollForm struct {
	fm   *form
	lang i18n.Lang
	tz   *time.Location
}

func (p pollForm) fail(field, key string) {
	if _, ok := p.fm.Errors[field]; !ok {
		p.fm.Errors[field] = text(p.lang, key)
	}
}

// lines returns the non-blank lines of field, trimmed.
func (p pollForm) lines(field string) []string {
	var out []string
	for _, l := range strings.Split(p.fm.Value(field), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// time reads a datetime-local field in the site's zone; "" is no time.
func (p pollForm) time(field string) *time.Time {
	v := strings.TrimSpace(p.fm.Value(field))
	if v == "" {
		return nil
	}
	for _, layout := range localLayouts {
		if t, err := time.ParseInLocation(layout, v, p.tz); err == nil {
			return &t
		}
	}
	p.fail(field, "error.poll_time")
	return nil
}

// options reads the options, one per line in each language.
func (p pollForm) options() []i18n.Text {
	vi, en := p.lines("options_vi"), p.lines("options_en")
	if len(en) > 0 && len(en) != len(vi) {
		p.fail("options_en", "error.poll_options_en")
	}
	out := make([]i18n.Text, len(vi))
	for i, l := range vi {
		out[i].VI = l
		if i < len(en) {
			out[i].EN = en[i]
		}
	}
	return out
}

// baseline reads the imported counts: whole numbers separated by lines,
// commas or spaces, one per option; nil when there are none.
func (p pollForm) baseline() []int64 {
	fields := strings.FieldsFunc(p.fm.Value("baseline"), func(r rune) bool {
		return r == ',' || r == ';' || r == ' ' || r == '\t' || r == '\n' || r == '\r'
	})
	if len(fields) == 0 {
		return nil
	}
	out := make([]int64, len(fields))
	for i, s := range fields {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			p.fail("baseline", "error.poll_baseline")
			return nil
		}
		out[i] = n
	}
	return out
}

// maxChoices reads the most options a voter may choose, 0 for "all" or a
// single-choice poll.
func (p pollForm) maxChoices(multiple bool) int {
	v := strings.TrimSpace(p.fm.Value("max_choices"))
	if !multiple || v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		p.fail("max_choices", "error.poll_max_choices")
	}
	return n
}

// newPoll reads the whole form, as the create page sends it.
func (p pollForm) newPoll() polls.NewPoll {
	in := polls.NewPoll{
		Question: i18n.Text{VI: p.fm.Value("question_vi"), EN: p.fm.Value("question_en")},
		Options:  p.options(),
		Multiple: p.fm.Value("multiple") != "",
		Audience: polls.Audience(p.fm.Value("audience")),
		Results:  polls.Visibility(p.fm.Value("results")),
		Status:   polls.Status(p.fm.Value("status")),
		OpensAt:  p.time("opens_at"),
		ClosesAt: p.time("closes_at"),
		Baseline: p.baseline(),
	}
	in.MaxChoices = p.maxChoices(in.Multiple)
	if a := p.fm.Value("agency_id"); a != "" {
		in.AgencyID = &a
	}
	return in
}

// patch reads the form as the edit page sends it: every field of a draft,
// or only the schedule and results visibility once the poll is open.
func (p pollForm) patch(draft bool) polls.Patch {
	results := polls.Visibility(p.fm.Value("results"))
	out := polls.Patch{Results: &results, OpensAt: polls.NullTime(p.time("opens_at")), ClosesAt: polls.NullTime(p.time("closes_at"))}
	if !draft {
		return out
	}
	in := p.newPoll()
	baseline := in.Baseline
	if baseline == nil {
		// Cleared: the options' imported counts go back to zero.
		baseline = make([]int64, len(in.Options))
	}
	out.Question, out.Options, out.Multiple, out.MaxChoices = &in.Question, &in.Options, &in.Multiple, &in.MaxChoices
	out.Audience, out.Baseline = &in.Audience, &baseline
	return out
}

// pollValues fills the edit form with the poll as it is.
func pollValues(p *polls.Poll, tz *time.Location) url.Values {
	v := url.Values{}
	v.Set("question_vi", p.Question.VI)
	v.Set("question_en", p.Question.EN)
	var vi, en, base []string
	imported := false
	for _, o := range p.Options {
		vi, en = append(vi, o.VI), append(en, o.EN)
		base = append(base, strconv.FormatInt(o.Baseline, 10))
		imported = imported || o.Baseline != 0
	}
	v.Set("options_vi", strings.Join(vi, "\n"))
	if strings.Join(en, "") != "" {
		v.Set("options_en", strings.Join(en, "\n"))
	}
	if imported {
		v.Set("baseline", strings.Join(base, "\n"))
	}
	if p.Multiple {
		v.Set("multiple", "on")
		v.Set("max_choices", strconv.Itoa(p.MaxChoices))
	}
	v.Set("audience", string(p.Audience))
	v.Set("results", string(p.Results))
	v.Set("status", string(p.Status))
	v.Set("opens_at", localInput(p.OpensAt, tz))
	v.Set("closes_at", localInput(p.ClosesAt, tz))
	v.Set("agency_id", p.AgencyID)
	return v
}

// newPollValues are the create form's defaults.
func newPollValues(agencyID string) url.Values {
	return url.Values{"audience": {string(polls.Everyone)}, "results": {string(polls.Always)},
		"status": {string(polls.Draft)}, "agency_id": {agencyID}}
}

// radios is a group of radio buttons for the "radios" template.
type radios struct {
	field
	Choices []choice
}

// choice is one radio button.
type choice struct {
	ID, Value, Label string
	Checked          bool
}

// Radios describes a radio group for field name with the given values;
// each value's label is the text "choice.<name>.<value>". The first button
// has the field's ID, the target of the error summary's link.
func (v *view) Radios(name, hint string, values ...string) radios {
	rs := radios{field: v.Field(name, "radio", "off", hint)}
	for i, val := range values {
		c := choice{ID: rs.ID + "-" + val, Value: val, Label: v.T("choice." + name + "." + val), Checked: rs.Value == val}
		if i == 0 {
			c.ID = rs.ID
		}
		rs.Choices = append(rs.Choices, c)
	}
	return rs
}
