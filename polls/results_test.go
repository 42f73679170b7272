package polls

import (
	"slices"
	"strings"
	"testing"
	"testing/quick"
	"time"

	"github.com/civichub/civichub/i18n"
)

func tr(vi string) i18n.Text { return i18n.Text{VI: vi} }

func TestLargestRemainder(t *testing.T) {
	tests := []struct {
		counts []int64
		want   []int
	}{
		{[]int64{1180, 107, 57}, []int{88, 8, 4}}, // the portal's poll
		{[]int64{0, 0, 0}, []int{0, 0, 0}},
		{[]int64{1, 1, 1}, []int{34, 33, 33}}, // ties go to the earlier option
		{[]int64{5}, []int{100}},
		{[]int64{1, 0}, []int{100, 0}},
		{[]int64{2, 1, 1, 1, 1, 1, 1}, []int{25, 13, 13, 13, 12, 12, 12}},
		{[]int64{}, []int{}},
	}
	for _, tc := range tests {
		if got := LargestRemainder(tc.counts); !slices.Equal(got, tc.want) {
			t.Errorf("LargestRemainder(%v) = %v, want %v", tc.counts, got, tc.want)
		}
	}
	// Any non-negative counts with a positive sum give percentages that add
	// up to 100, each within 1 of the exact share.
	f := func(raw []uint16) bool {
		counts := make([]int64, len(raw))
		var sum int64
		for i, r := range raw {
			counts[i] = int64(r)
			sum += int64(r)
		}
		got := LargestRemainder(counts)
		total := 0
		for i, p := range got {
			total += p
			if sum > 0 {
				exact := float64(counts[i]) * 100 / float64(sum)
				if float64(p) < exact-1 || float64(p) > exact+1 {
					return false
				}
			}
		}
		return sum == 0 && total == 0 || sum > 0 && total == 100
	}
	if err := quick.Check(f, nil); err != nil {
		t.Error(err)
	}
}

func TestStatusAt(t *testing.T) {
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	before, after := now.Add(-time.Hour), now.Add(time.Hour)
	tests := []struct {
		status        Status
		opens, closes *time.Time
		want          Status
	}{
		{Open, nil, nil, Open},
		{Open, &after, nil, Scheduled},
		{Open, &before, &after, Open},
		{Open, &before, &before, Closed},
		{Open, nil, &now, Closed}, // closing time itself is closed
		{Draft, &before, &after, Draft},
		{Closed, nil, &after, Closed},
		{Archived, nil, nil, Archived},
	}
	for _, tc := range tests {
		p := &Poll{Status: tc.status, OpensAt: tc.opens, ClosesAt: tc.closes}
		if got := p.StatusAt(now); got != tc.want {
			t.Errorf("%s opens %v closes %v: StatusAt = %s, want %s", tc.status, tc.opens, tc.closes, got, tc.want)
		}
	}
}

func TestSafeCell(t *testing.T) {
	for in, want := range map[string]string{
		"=1+1": "'=1+1", "+84 912": "'+84 912", "-5": "'-5", "@SUM(A1)": "'@SUM(A1)", "\t=x": "'\t=x",
		"Đạt yêu cầu": "Đạt yêu cầu", "": "", "1180": "1180",
	} {
		if got := SafeCell(in); got != want {
			t.Errorf("SafeCell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCheckChoice(t *testing.T) {
	p := &Poll{MaxChoices: 2, Options: []Option{{ID: "a"}, {ID: "b"}, {ID: "c"}}}
	for _, tc := range []struct {
		options []string
		key     string
	}{
		{nil, "choose_option"},
		{[]string{"a", "b", "c"}, "too_many_choices"},
		{[]string{"a", "x"}, "unknown_option"},
		{[]string{"b", "b"}, "duplicate_option"},
		{[]string{"a", "c"}, ""},
	} {
		err := checkChoice(p, tc.options)
		if tc.key == "" && err != nil || tc.key != "" && (err == nil || !strings.Contains(err.Error(), tc.key)) {
			t.Errorf("checkChoice(%v) = %v, want %q", tc.options, err, tc.key)
		}
	}
}

func TestCheckShapeDefaultsAndBaseline(t *testing.T) {
	n := 0
	newID := func() string { n++; return strings.Repeat("x", n) }
	now := time.Now()
	p := &Poll{Question: tr("  Câu hỏi  ")}
	fe := fieldErr{}
	checkShape(p, []i18n.Text{tr("Có"), tr("Không")}, []int64{3, 4}, nil, now, newID, fe)
	if len(fe) != 0 || p.Question.VI != "Câu hỏi" || p.MaxChoices != 1 || p.Audience != Everyone || p.Results != Always || p.BaselineBallots != 7 {
		t.Errorf("defaults: %+v %v", p, fe)
	}
	m := &Poll{Question: tr("Q"), Multiple: true}
	fe = fieldErr{}
	ballots := int64(5)
	checkShape(m, []i18n.Text{tr("A"), tr("B"), tr("C")}, []int64{3, 4, 2}, &ballots, now, newID, fe)
	if len(fe) != 0 || m.MaxChoices != 3 || m.BaselineBallots != 5 {
		t.Errorf("multiple: %+v %v", m, fe)
	}
	fe = fieldErr{}
	few := int64(2)
	checkShape(&Poll{Question: tr("Q"), Multiple: true}, []i18n.Text{tr("A"), tr("B")}, []int64{3, 4}, &few, now, newID, fe)
	if fe["baseline_ballots"] != "baseline_ballots_range" {
		t.Errorf("baseline ballots below the largest count: %v", fe)
	}
	fe = fieldErr{}
	checkShape(&Poll{Question: tr("Q")}, []i18n.Text{tr("A"), tr("a")}, nil, nil, now, newID, fe)
	if fe["options"] != "duplicate_label" {
		t.Errorf("duplicate labels: %v", fe)
	}
}
