package testwiki

import (
	"context"
	"encoding/json"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// siteinfo is what the version tests read of meta=siteinfo.
type siteinfo struct {
	Generator  string
	Extensions map[string]string // name → type ("skin", "parserhook", ...)
}

func getSiteinfo(t *testing.T, w *Wiki) siteinfo {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	body, err := w.Get(ctx, url.Values{"action": {"query"}, "meta": {"siteinfo"}, "siprop": {"general|extensions"}})
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Query struct {
			General struct {
				Generator string `json:"generator"`
			} `json:"general"`
			Extensions []struct {
				Name string `json:"name"`
				Type string `json:"type"`
			} `json:"extensions"`
		} `json:"query"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("decoding siteinfo: %v\n%s", err, body)
	}
	si := siteinfo{Generator: r.Query.General.Generator, Extensions: map[string]string{}}
	for _, e := range r.Query.Extensions {
		si.Extensions[e.Name] = e.Type
	}
	return si
}

// TestSiteinfo143 checks that RequireVersion(V143) runs MediaWiki 1.43.9
// from the unpacked trixie package with every bundled extension and skin.
func TestSiteinfo143(t *testing.T) {
	w := RequireVersion(t, V143)
	if w.Version != V143 {
		t.Errorf("Version = %q, want %q", w.Version, V143)
	}
	si := getSiteinfo(t, w)
	if si.Generator != "MediaWiki 1.43.9" {
		t.Errorf("generator = %q, want MediaWiki 1.43.9", si.Generator)
	}
	var skins, exts int
	for _, typ := range si.Extensions {
		if typ == "skin" {
			skins++
		} else {
			exts++
		}
	}
	// Every directory of the package's extensions-core and skins is loaded.
	bundled := func(sub string) int {
		entries, err := os.ReadDir(filepath.Join(w.Root, sub))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range entries {
			if e.IsDir() {
				n++
			}
		}
		return n
	}
	if want := bundled("extensions-core"); exts != want || want != 33 {
		t.Errorf("%d extensions loaded, %d bundled (want all 33): %v", exts, want, si.Extensions)
	}
	if want := bundled("skins"); skins != want {
		t.Errorf("%d skins loaded, %d bundled", skins, want)
	}
	t.Logf("%s at %s from %s, %d extensions, %d skins", si.Generator, w.API, w.Root, exts, skins)
}

// TestTreeSelfContained143 checks that no symlink of the unpacked 1.43
// tree resolves outside it (the package's absolute links would reach the
// system's 1.39 under /usr/share/mediawiki).
func TestTreeSelfContained143(t *testing.T) {
	w := RequireVersion(t, V143)
	// w.Root is TREE/usr/share/mediawiki.
	tree := filepath.Dir(filepath.Dir(filepath.Dir(w.Root)))
	if !strings.HasPrefix(w.Root, "/") || tree == "/" {
		t.Fatalf("1.43 runs from %q, want a private tree", w.Root)
	}
	links := 0
	err := filepath.WalkDir(tree, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.Type()&fs.ModeSymlink == 0 {
			return err
		}
		links++
		target, err := os.Readlink(p)
		if err != nil {
			return err
		}
		if filepath.IsAbs(target) {
			t.Errorf("%s -> %s: absolute link left", p, target)
		}
		if real := filepath.Clean(filepath.Join(filepath.Dir(p), target)); !strings.HasPrefix(real, tree+"/") {
			t.Errorf("%s -> %s resolves outside %s", p, target, tree)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if links < 30 {
		t.Errorf("only %d symlinks in %s; is it the unpacked package?", links, tree)
	}
}

func TestBotPasswordLogin143(t *testing.T) { testBotPasswordLogin(t, RequireVersion(t, V143)) }

// TestTraceHook143 checks that the response-shape trace hook works on 1.43.
func TestTraceHook143(t *testing.T) {
	w := RequireVersion(t, V143)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet,
		w.API+"?action=query&meta=userinfo&format=json&formatversion=2", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Mwgen-Trace", "1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r struct {
		Trace string `json:"mwgentrace"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	var tr struct {
		V    int             `json:"v"`
		Root json.RawMessage `json:"root"`
	}
	if err := json.Unmarshal([]byte(r.Trace), &tr); err != nil || tr.V != 1 || len(tr.Root) == 0 {
		t.Fatalf("no trace v1 in the answer (err %v): %q", err, r.Trace)
	}
}

// TestBothVersions checks that the two wikis run side by side, each its
// own version.
func TestBothVersions(t *testing.T) {
	w39, w43 := Require(t), RequireVersion(t, V143)
	if w39.API == w43.API {
		t.Fatalf("both versions at %s", w39.API)
	}
	if g := getSiteinfo(t, w39).Generator; !strings.HasPrefix(g, "MediaWiki 1.39.") {
		t.Errorf("Require: generator %q, want MediaWiki 1.39.x", g)
	}
	if g := getSiteinfo(t, w43).Generator; !strings.HasPrefix(g, "MediaWiki 1.43.") {
		t.Errorf("RequireVersion(V143): generator %q, want MediaWiki 1.43.x", g)
	}
	if w39.BotUser != w43.BotUser || w39.BotPassword != w43.BotPassword || w39.AdminUser != w43.AdminUser {
		t.Error("the two wikis have different credentials")
	}
}

// TestReuseWrongVersion checks that a wiki of another version is not
// reused.
func TestReuseWrongVersion(t *testing.T) {
	w := RequireVersion(t, V143)
	if _, err := reuse(w.DataDir, V139); err == nil || !strings.Contains(err.Error(), "not MediaWiki 1.39") {
		t.Errorf("reusing the 1.43 wiki as 1.39: err = %v, want a version mismatch", err)
	}
	if _, err := reuse(w.DataDir, V143); err != nil {
		t.Errorf("reusing the 1.43 wiki as 1.43: %v", err)
	}
}
