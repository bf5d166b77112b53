package weblogin

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"testing"
	"time"
)

func testSession(now time.Time) *Session {
	return &Session{
		AccessToken: "tok", AccessSecret: "sec",
		User:    &User{Name: "Alice", Groups: []string{"user"}},
		Pending: []PendingLogin{{Token: "rt", Secret: "rs", Next: "/", Started: now}},
		Created: now, Expires: now.Add(time.Hour),
	}
}

// storeContract checks what every SessionStore must do.
func storeContract(t *testing.T, s SessionStore, setNow func(time.Time)) {
	ctx := context.Background()
	now := time.Now()
	setNow(now)
	id := newSecret()
	if _, err := s.Get(ctx, id); !errors.Is(err, ErrNoSession) {
		t.Fatalf("Get of a missing session: %v", err)
	}
	sess := testSession(now)
	if err := s.Put(ctx, id, sess); err != nil {
		t.Fatal(err)
	}
	// A copy is stored.
	sess.User.Groups[0] = "changed"
	sess.AccessSecret = "changed"
	got, err := s.Get(ctx, id)
	if err != nil || got.AccessSecret != "sec" || got.User.Groups[0] != "user" || got.Pending[0].Secret != "rs" {
		t.Fatalf("Get: %+v %v", got, err)
	}
	got.AccessToken = "mutated"
	if again, _ := s.Get(ctx, id); again.AccessToken != "tok" {
		t.Error("a change to a returned session changed the store")
	}
	// Invalid ids.
	for _, bad := range []string{"", "../../etc/passwd", "ABCDEF" + strings.Repeat("0", 58), strings.Repeat("0", 31), strings.Repeat("0", 129), id + "/x", "g" + id[1:]} {
		if _, err := s.Get(ctx, bad); err == nil {
			t.Errorf("Get(%q) accepted", bad)
		}
		if err := s.Put(ctx, bad, sess); err == nil {
			t.Errorf("Put(%q) accepted", bad)
		}
		if err := s.Delete(ctx, bad); err == nil {
			t.Errorf("Delete(%q) accepted", bad)
		}
	}
	// Expiry.
	setNow(now.Add(2 * time.Hour))
	if _, err := s.Get(ctx, id); !errors.Is(err, ErrNoSession) {
		t.Errorf("Get of an expired session: %v", err)
	}
	setNow(now)
	// Delete, twice.
	if err := s.Put(ctx, id, testSession(now)); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, id); err != nil {
		t.Errorf("second Delete: %v", err)
	}
	if _, err := s.Get(ctx, id); !errors.Is(err, ErrNoSession) {
		t.Errorf("Get after Delete: %v", err)
	}
}

func TestMemoryStore(t *testing.T) {
	m := NewMemoryStore()
	storeContract(t, m, func(now time.Time) { m.now = func() time.Time { return now } })

	// Expired sessions are swept at a Put.
	now := time.Now()
	m.now = func() time.Time { return now }
	for range 10 {
		s := testSession(now)
		s.Expires = now.Add(time.Minute)
		m.Put(context.Background(), newSecret(), s)
	}
	now = now.Add(time.Hour)
	m.Put(context.Background(), newSecret(), testSession(now))
	if m.Len() != 1 {
		t.Errorf("%d sessions after the sweep, want 1", m.Len())
	}
}

func TestFileStore(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sessions")
	f, err := NewFileStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	storeContract(t, f, func(now time.Time) { f.now = func() time.Time { return now } })

	ctx := context.Background()
	id := newSecret()
	if err := f.Put(ctx, id, testSession(time.Now())); err != nil {
		t.Fatal(err)
	}
	if goruntime.GOOS != "windows" {
		if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o700 {
			t.Errorf("dir mode %v, want 0700", fi.Mode().Perm())
		}
		fi, err := os.Stat(filepath.Join(dir, id+".json"))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("file mode %v (%v), want 0600", fi.Mode().Perm(), err)
		}
		// A file others can read is refused.
		os.Chmod(filepath.Join(dir, id+".json"), 0o644)
		if _, err := f.Get(ctx, id); !errors.Is(err, ErrInsecureDir) {
			t.Errorf("Get of a 0644 file: %v", err)
		}
		os.Chmod(filepath.Join(dir, id+".json"), 0o600)
		// A symbolic link is refused.
		target := filepath.Join(t.TempDir(), "elsewhere.json")
		os.WriteFile(target, []byte(`{"access_token":"x"}`), 0o600)
		link := newSecret()
		if err := os.Symlink(target, filepath.Join(dir, link+".json")); err == nil {
			if _, err := f.Get(ctx, link); err == nil {
				t.Error("Get followed a symbolic link")
			}
		}
		// A directory others can access is refused.
		open := filepath.Join(t.TempDir(), "open")
		os.Mkdir(open, 0o755)
		os.Chmod(open, 0o755)
		if _, err := NewFileStore(open); !errors.Is(err, ErrInsecureDir) {
			t.Errorf("NewFileStore of a 0755 dir: %v", err)
		}
	}
	// No temporary files are left behind.
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
	// A file is not a directory.
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o600)
	if _, err := NewFileStore(file); err == nil {
		t.Error("NewFileStore of a file accepted")
	}

	// Sweep drops expired sessions and old temporary files, keeps the rest.
	now := time.Now()
	f.now = func() time.Time { return now }
	expiredID := newSecret()
	s := testSession(now)
	s.Expires = now.Add(-time.Minute)
	f.Put(ctx, expiredID, s)
	tmp := filepath.Join(dir, "."+newSecret()+".json.tmp-123")
	os.WriteFile(tmp, []byte("x"), 0o600)
	old := now.Add(-2 * time.Hour)
	os.Chtimes(tmp, old, old)
	if err := f.Sweep(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, expiredID+".json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("expired session not swept: %v", err)
	}
	if _, err := os.Stat(tmp); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stale temporary file not swept: %v", err)
	}
	if _, err := f.Get(ctx, id); err != nil {
		t.Errorf("a live session was swept: %v", err)
	}
}

// TestFileStoreSurvivesRestart: a login stored by one Handler is seen by a
// new Handler (a restarted process) on the same directory.
func TestFileStoreSurvivesRestart(t *testing.T) {
	fw := newFakeWiki(t)
	dir := filepath.Join(t.TempDir(), "sessions")
	open := func() *Handler {
		fs, err := NewFileStore(dir)
		if err != nil {
			t.Fatal(err)
		}
		return newTestHandler(t, fw, func(c *Config) { c.Store = fs })
	}
	h1 := open()
	b := newBrowser(t, h1)
	if resp := b.loginFake(fw, "/"); resp.StatusCode != 303 {
		t.Fatalf("login: %d %s", resp.StatusCode, body(resp))
	}
	cookie := b.session()
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != storeKey(cookie)+".json" {
		t.Fatalf("session files %v, want one named by the hashed id", entries)
	}
	data, _ := os.ReadFile(filepath.Join(dir, entries[0].Name()))
	if strings.Contains(string(data), cookie) {
		t.Error("the session file holds the cookie value")
	}

	// "Restart": a new store and Handler on the same directory.
	h2 := open()
	b2 := newBrowser(t, h2)
	b2.cookies[DefaultCookieName] = cookie
	u, err := h2.CurrentUser(b2.request(), false)
	if err != nil || u.Name != "Alice" {
		t.Fatalf("CurrentUser after restart: %v %v", u, err)
	}
	c, err := h2.Client(b2.request())
	if err != nil {
		t.Fatal(err)
	}
	if name, err := userinfoName(t, c); err != nil || name != "Alice" {
		t.Fatalf("userinfo after restart: %q %v", name, err)
	}
	// A pending login also survives: start with h2, finish with a third.
	b3 := newBrowser(t, h2)
	cb, _ := b3.startLogin(fw, "/after")
	h3 := open()
	b3.h = h3
	if resp := b3.get(cb); resp.StatusCode != 303 || resp.Header.Get("Location") != "/after" {
		t.Fatalf("callback after restart: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	// Logout through h3 deletes the file.
	b2.h = h3
	b2.logout("")
	if _, err := os.Stat(filepath.Join(dir, storeKey(cookie)+".json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("session file kept after logout: %v", err)
	}
}
