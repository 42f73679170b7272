package frontend

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed static
var staticFiles embed.FS

// assets are the embedded static files, each served under a name that
// carries a hash of its content (app.css is /static/app.3f2a1b9c04d5.css).
// A changed file gets a new name, so a response can be cached for a year and
// a browser never runs a stale script against a new page.
type assets struct {
	urls  map[string]string // file name -> URL path
	files map[string]asset  // hashed name -> file
}

type asset struct {
	data  []byte
	ctype string
	etag  string
}

func newAssets() (*assets, error) {
	fsys, err := fs.Sub(staticFiles, "static")
	if err != nil {
		return nil, fmt.Errorf("frontend: static files: %w", err)
	}
	a := &assets{urls: map[string]string{}, files: map[string]asset{}}
	err = fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		hash := hex.EncodeToString(sum[:6])
		ext := path.Ext(name)
		hashed := strings.TrimSuffix(name, ext) + "." + hash + ext
		ctype := mime.TypeByExtension(ext)
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		a.urls[name] = "/static/" + hashed
		a.files[hashed] = asset{data: data, ctype: ctype, etag: `"` + hash + `"`}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("frontend: static files: %w", err)
	}
	return a, nil
}

// url returns the hashed URL of a static file; templates call it as
// {{static "app.css"}}. An unknown name is an error, so a typo fails the
// page render (and the tests) instead of shipping a broken link.
func (a *assets) url(name string) (string, error) {
	u, ok := a.urls[name]
	if !ok {
		return "", fmt.Errorf("frontend: no static file %q", name)
	}
	return u, nil
}

// static serves a static file by its hashed name. Names without the current
// hash are not found: serving new content under an old name would let it be
// cached forever under the wrong name.
func (f *Frontend) static(w http.ResponseWriter, r *http.Request) {
	a, ok := f.assets.files[r.PathValue("path")]
	if !ok {
		f.notFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.ctype)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("ETag", a.etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.data))
}
