package id

import "testing"

func TestNewIsOrderedAndValid(t *testing.T) {
	prev := ""
	for range 10000 {
		s := New()
		if !Valid(s) {
			t.Fatalf("Valid(%q) = false, want true", s)
		}
		if s <= prev {
			t.Fatalf("New() = %q after %q, want increasing", s, prev)
		}
		prev = s
	}
}

func TestValidRejects(t *testing.T) {
	for _, s := range []string{"", "abc", "01M8GT3VZ0GP4KKA2JBJH4PMYS", "01m8gt3vz0gp4kka2jbjh4pmy!", "../../../../etc/passwd0000", "81m8gt3vz0gp4kka2jbjh4pmys"} {
		if Valid(s) {
			t.Errorf("Valid(%q) = true, want false", s)
		}
	}
}
