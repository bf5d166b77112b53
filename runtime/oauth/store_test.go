package oauth_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mwgen/mwgen/runtime/oauth"
)

// clearEnv unsets the MWGEN_* credential variables for the test.
func clearEnv(t *testing.T) {
	for _, k := range []string{oauth.EnvConsumerKey, oauth.EnvConsumerSecret, oauth.EnvAccessToken, oauth.EnvAccessSecret, oauth.EnvCredentialsFile, oauth.EnvOAuth2Token, oauth.EnvOAuth2ClientID, oauth.EnvOAuth2ClientSecret} {
		t.Setenv(k, "")
	}
}

func entry(n string) oauth.Entry {
	return oauth.Entry{ConsumerKey: "ck-" + n, ConsumerSecret: "cs-SECRET-" + n, AccessToken: "at-" + n, AccessSecret: "as-SECRET-" + n, Username: "User " + n}
}

func TestStoreWildcards(t *testing.T) {
	clearEnv(t)
	s := &oauth.Store{Path: filepath.Join(t.TempDir(), "mwgen", "credentials.json")}
	for p, n := range map[string]string{
		"*":                   "any",
		"*.wikipedia.org":     "wp",
		"*.en.wikipedia.org":  "enwp-sub",
		"en.wikipedia.org":    "enwp",
		"*.wikimedia.org":     "wm",
		"127.0.0.1:8080":      "local",
		"Test.Wikipedia.ORG":  "test", // patterns are case-insensitive
		"*.org":               "org",
		"meta.wikimedia.org.": "trailingdot",
	} {
		if err := s.Save(p, entry(n)); err != nil {
			t.Fatal(err)
		}
	}
	cases := map[string]string{
		"en.wikipedia.org":        "en.wikipedia.org",   // exact beats wildcards
		"de.wikipedia.org":        "*.wikipedia.org",    // wildcard
		"m.en.wikipedia.org":      "*.en.wikipedia.org", // longest wildcard wins
		"test.wikipedia.org":      "test.wikipedia.org",
		"commons.wikimedia.org":   "*.wikimedia.org",
		"www.mediawiki.org":       "*.org",
		"wikipedia.org":           "*.org", // *.wikipedia.org needs a subdomain
		"127.0.0.1:8080":          "127.0.0.1:8080",
		"127.0.0.1:8081":          "*",
		"example.com":             "*",
		"EN.WIKIPEDIA.ORG":        "en.wikipedia.org",
		"evil-en.wikipedia.org.x": "*",
	}
	for host, want := range cases {
		p, _, ok, err := s.Lookup(host)
		if err != nil || !ok || p != want {
			t.Errorf("Lookup(%q) = %q, %v, %v; want %q", host, p, ok, err, want)
		}
	}
	_, e, _, _ := s.Lookup("de.wikipedia.org")
	if e.Updated.IsZero() {
		t.Error("Save did not set Updated")
	}
	if e.Updated = (time.Time{}); e != entry("wp") {
		t.Errorf("entry %v", e)
	}
	if err := s.Delete("*"); err != nil {
		t.Fatal(err)
	}
	if _, _, ok, _ := s.Lookup("example.com"); ok {
		t.Error("deleted pattern still matches")
	}
	for _, tc := range []struct{ url, key string }{
		{"https://en.wikipedia.org/w/api.php", "en.wikipedia.org"},
		{"https://EN.wikipedia.org:443/w/api.php", "en.wikipedia.org"},
		{"http://127.0.0.1:8080/api.php", "127.0.0.1:8080"},
		{"http://localhost:80/api.php", "localhost"},
	} {
		if k, err := oauth.HostKey(tc.url); err != nil || k != tc.key {
			t.Errorf("HostKey(%q) = %q, %v", tc.url, k, err)
		}
	}
}

func TestStorePermissions(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permissions")
	}
	clearEnv(t)
	dir := filepath.Join(t.TempDir(), "cfg", "mwgen")
	s := &oauth.Store{Path: filepath.Join(dir, "credentials.json")}
	if err := s.Save("en.wikipedia.org", entry("1")); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(s.Path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v, want 0600", fi.Mode().Perm())
	}
	if di, _ := os.Stat(dir); di.Mode().Perm() != 0o700 {
		t.Errorf("dir mode %v, want 0700", di.Mode().Perm())
	}
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604, 0o620, 0o660} {
		if err := os.Chmod(s.Path, mode); err != nil {
			t.Fatal(err)
		}
		_, _, _, err := s.Lookup("en.wikipedia.org")
		if !errors.Is(err, oauth.ErrInsecureStore) || !strings.Contains(err.Error(), "chmod 600") || !strings.Contains(err.Error(), s.Path) {
			t.Errorf("mode %04o: Lookup error %v", mode, err)
		}
		if err := s.Save("x.org", entry("2")); !errors.Is(err, oauth.ErrInsecureStore) {
			t.Errorf("mode %04o: Save error %v", mode, err)
		}
		if _, err := oauth.Lookup("en.wikipedia.org", s); !errors.Is(err, oauth.ErrInsecureStore) {
			t.Errorf("mode %04o: oauth.Lookup error %v", mode, err)
		}
	}
	if err := os.Chmod(s.Path, 0o400); err != nil {
		t.Fatal(err)
	}
	if _, _, ok, err := s.Lookup("en.wikipedia.org"); err != nil || !ok {
		t.Errorf("mode 0400: %v %v", ok, err)
	}
}

func TestStoreAtomicAndConcurrent(t *testing.T) {
	clearEnv(t)
	dir := t.TempDir()
	s := &oauth.Store{Path: filepath.Join(dir, "credentials.json")}
	if err := s.Save("a.example", entry("a")); err != nil {
		t.Fatal(err)
	}
	// A second Store on the same file (another handle) sees every write;
	// concurrent Saves through one Store all land.
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			if err := s.Save(fmt.Sprintf("h%d.example", i), entry(fmt.Sprint(i))); err != nil {
				t.Error(err)
			}
		}(i)
	}
	// Readers meanwhile always see a complete file.
	other := &oauth.Store{Path: s.Path}
	for i := 0; i < 50; i++ {
		if _, err := other.Patterns(); err != nil {
			t.Fatalf("reader saw a broken file: %v", err)
		}
	}
	wg.Wait()
	ps, err := other.Patterns()
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 21 {
		t.Errorf("%d patterns, want 21: %v", len(ps), ps)
	}
	// No temporary files are left behind.
	files, _ := os.ReadDir(dir)
	if len(files) != 1 {
		var names []string
		for _, f := range files {
			names = append(names, f.Name())
		}
		t.Errorf("files in the store's directory: %v", names)
	}
	data, _ := os.ReadFile(s.Path)
	var doc struct {
		Version int                        `json:"version"`
		Hosts   map[string]json.RawMessage `json:"hosts"`
	}
	if err := json.Unmarshal(data, &doc); err != nil || doc.Version != 1 || len(doc.Hosts) != 21 {
		t.Errorf("file: %v %s", err, data)
	}

	// A corrupt file is reported, without its content, and not overwritten.
	if err := os.WriteFile(s.Path, []byte(`{"hosts": {"x": {"consumer_secret": "cs-SECRET-x"`), 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, _, err = s.Lookup("x")
	if err == nil || strings.Contains(err.Error(), "SECRET") {
		t.Errorf("corrupt file: %v", err)
	}
	if err := s.Save("y", entry("y")); err == nil {
		t.Error("Save over a corrupt file succeeded")
	}
	if b, _ := os.ReadFile(s.Path); !strings.HasPrefix(string(b), `{"hosts": {"x"`) {
		t.Error("corrupt file was overwritten")
	}
}

func TestLookupEnvOverride(t *testing.T) {
	clearEnv(t)
	s := &oauth.Store{Path: filepath.Join(t.TempDir(), "credentials.json")}
	if err := s.Save("*.wikipedia.org", entry("wp")); err != nil {
		t.Fatal(err)
	}
	r, err := oauth.Lookup("en.wikipedia.org", s)
	if err != nil || r.Credentials != entry("wp").Credentials() || r.Pattern != "*.wikipedia.org" || r.Username != "User wp" || len(r.FromEnv) != 0 {
		t.Errorf("store only: %+v %v", r, err)
	}

	// The access token from the environment, the consumer from the file.
	t.Setenv(oauth.EnvAccessToken, "env-token")
	t.Setenv(oauth.EnvAccessSecret, "env-SECRET")
	r, err = oauth.Lookup("en.wikipedia.org", s)
	if err != nil || r.Credentials.ConsumerKey != "ck-wp" || r.Credentials.ConsumerSecret != "cs-SECRET-wp" ||
		r.Credentials.Token != "env-token" || r.Credentials.TokenSecret != "env-SECRET" {
		t.Errorf("env token: %+v %v", r.Credentials, err)
	}

	// Another consumer key drops the stored entry (its token belongs to
	// the stored consumer).
	clearEnv(t)
	t.Setenv(oauth.EnvConsumerKey, "env-ck")
	t.Setenv(oauth.EnvConsumerSecret, "env-cs-SECRET")
	r, err = oauth.Lookup("en.wikipedia.org", s)
	if err != nil || r.Credentials != (oauth.Credentials{ConsumerKey: "env-ck", ConsumerSecret: "env-cs-SECRET"}) || r.Pattern != "" {
		t.Errorf("env consumer: %+v %v", r, err)
	}
	// The same consumer key keeps it.
	t.Setenv(oauth.EnvConsumerKey, "ck-wp")
	t.Setenv(oauth.EnvConsumerSecret, "")
	if r, err = oauth.Lookup("en.wikipedia.org", s); err != nil || r.Credentials.Token != "at-wp" {
		t.Errorf("same env consumer: %+v %v", r, err)
	}

	// Environment alone, no store.
	clearEnv(t)
	t.Setenv(oauth.EnvConsumerKey, "k")
	t.Setenv(oauth.EnvConsumerSecret, "s")
	t.Setenv(oauth.EnvAccessToken, "t")
	t.Setenv(oauth.EnvAccessSecret, "ts")
	if r, err = oauth.Lookup("example.org", nil); err != nil || r.Credentials != oauth.OwnerOnly("k", "s", "t", "ts") || len(r.FromEnv) != 4 {
		t.Errorf("env only: %+v %v", r, err)
	}
	clearEnv(t)
	if _, err := oauth.Lookup("example.org", s); !errors.Is(err, oauth.ErrNoCredentials) {
		t.Errorf("nothing: %v", err)
	}

	// OpenStore("") follows MWGEN_CREDENTIALS_FILE.
	t.Setenv(oauth.EnvCredentialsFile, s.Path)
	if o, err := oauth.OpenStore(""); err != nil || o.Path != s.Path {
		t.Errorf("OpenStore: %v %v", o, err)
	}
	t.Setenv(oauth.EnvCredentialsFile, "")
	if o, err := oauth.OpenStore(""); err != nil || !strings.HasSuffix(o.Path, filepath.Join("mwgen", "credentials.json")) {
		t.Errorf("OpenStore default: %v %v", o, err)
	}
}

func TestEntryRedacts(t *testing.T) {
	e := entry("1")
	for _, s := range []string{fmt.Sprint(e), fmt.Sprintf("%+v", e), fmt.Sprintf("%#v", e), fmt.Sprintf("%q", e), fmt.Sprintf("%v", []oauth.Entry{e}), fmt.Sprintf("%+v", struct{ E oauth.Entry }{e})} {
		if strings.Contains(s, "SECRET") {
			t.Errorf("Entry printed a secret: %s", s)
		}
		if !strings.Contains(s, "ck-1") {
			t.Errorf("Entry print lacks the consumer key: %s", s)
		}
	}
}
