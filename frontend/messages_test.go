package frontend_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/civichub/civichub/frontend"
	"github.com/civichub/civichub/i18n"
)

func TestTextsInBothLanguages(t *testing.T) {
	for key, m := range frontend.Texts {
		if strings.TrimSpace(m[0]) == "" || strings.TrimSpace(m[1]) == "" {
			t.Errorf("text %q = %q, want both languages", key, m)
		}
		if strings.Count(m[0], "%") != strings.Count(m[1], "%") {
			t.Errorf("text %q = %q: the languages take different arguments", key, m)
		}
	}
}

// keyRE finds message keys in templates ({{.T "home.title"}}) and Go code
// ("notice.registered").
var keyRE = regexp.MustCompile(`\.T "([a-z_.]+)"|"((?:notice|error|hint|role|field|title)\.[a-z_]+)"`)

func TestEveryKeyHasText(t *testing.T) {
	var files []string
	_ = filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err == nil && (strings.HasSuffix(path, ".html") || (strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go"))) {
			files = append(files, path)
		}
		return err
	})
	if len(files) < 5 {
		t.Fatalf("found only %v", files)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range keyRE.FindAllStringSubmatch(string(b), -1) {
			key := m[1] + m[2]
			if !frontend.HasText(key) && !i18n.Has(key) {
				t.Errorf("%s uses key %q, which has no text", name, key)
			}
		}
	}
	for _, role := range []string{"resident", "moderator", "admin"} {
		if !frontend.HasText("role." + role) {
			t.Errorf("role %s has no name", role)
		}
	}
}
