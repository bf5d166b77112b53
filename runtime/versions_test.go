package runtime

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

// clientOfVersion is a Client whose wiki's version is already known, so
// that the needs are judged without a request (nothing listens at its
// address: a request would fail the test).
func clientOfVersion(t *testing.T, version string, logs *bytes.Buffer) *Client {
	t.Helper()
	c, err := NewClient("http://127.0.0.1:1/api.php", Options{UserAgent: "test/1.0 (test@example.org)", Retry: RetryPolicy{MaxAttempts: 1},
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		t.Fatal(err)
	}
	c.mwVersion.version = version
	return c
}

func TestCheckNeeds(t *testing.T) {
	chk := NewChecker("query")
	sub := chk.For("query+linterstats")
	sub.InVersions("1.43")
	chk.For("oathvalidate").ParamIn("totp", true, "1.39")
	chk.For("oathvalidate").ParamIn("unset", false, "1.39")
	chk.For("visualeditor").ValueIn("paction", "parsedoc", []string{"other", "1.43", "parsedoc", "1.39"})
	chk.For("visualeditor").ValuesIn("prop", []string{"a", "b"}, []string{"b", "1.40 1.42"})
	needs := chk.Needs("1.39 1.40 1.42 1.43")
	if needs == nil || len(needs.List) != 4 {
		t.Fatalf("needs = %+v, want 4", needs)
	}
	if NewChecker("x").Needs("1.39 1.43") != nil {
		t.Error("a checker without needs gives non-nil Needs")
	}
	if got := (*Needs)(nil).Add(needs); got != needs {
		t.Error("nil.Add(n) is not n")
	}
	if got := needs.Add(needs); len(got.List) != 8 || len(needs.List) != 4 {
		t.Errorf("Add: %d and %d needs, want 8 and 4", len(got.List), len(needs.List))
	}

	for _, c := range []struct {
		wiki, want string
		warn       string
	}{
		{"1.39.17", `query+linterstats: module exists from MediaWiki 1.43; this wiki runs 1.39.17; ` +
			`visualeditor: value "b" of parameter "prop" exists only in MediaWiki 1.40, 1.42; this wiki runs 1.39.17`, ""},
		{"1.41.2", `query+linterstats: module exists from MediaWiki 1.43; this wiki runs 1.41.2; ` +
			`oathvalidate: parameter "totp" was removed in MediaWiki 1.40 (present in 1.39); this wiki runs 1.41.2; ` +
			`visualeditor: value "parsedoc" of parameter "paction" was removed in MediaWiki 1.40 (present in 1.39); this wiki runs 1.41.2`, ""},
		{"1.45.0-wmf.3", `oathvalidate: parameter "totp" was removed in MediaWiki 1.40 (present in 1.39); this wiki runs 1.45.0-wmf.3; ` +
			`visualeditor: value "parsedoc" of parameter "paction" was removed in MediaWiki 1.40 (present in 1.39); this wiki runs 1.45.0-wmf.3; ` +
			`visualeditor: value "b" of parameter "prop" exists only in MediaWiki 1.40, 1.42; this wiki runs 1.45.0-wmf.3`, "newer than every"},
		{"1.35.1", `query+linterstats: module exists from MediaWiki 1.43; this wiki runs 1.35.1; ` +
			`visualeditor: value "b" of parameter "prop" exists only in MediaWiki 1.40, 1.42; this wiki runs 1.35.1`, "older than every"},
	} {
		var logs bytes.Buffer
		cl := clientOfVersion(t, c.wiki, &logs)
		for range 3 {
			_, err := cl.Do(context.Background(), &Request{Action: "query", Needs: needs})
			var ve *VersionError
			if !errors.As(err, &ve) || ve.Wiki != c.wiki {
				t.Fatalf("%s: got %v, want a *VersionError", c.wiki, err)
			}
			if err.Error() != c.want {
				t.Errorf("%s:\n got %s\nwant %s", c.wiki, err, c.want)
			}
		}
		n := strings.Count(logs.String(), "level=WARN")
		switch {
		case c.warn == "" && n != 0:
			t.Errorf("%s: warned %q", c.wiki, logs.String())
		case c.warn != "" && (n != 1 || !strings.Contains(logs.String(), c.warn)):
			t.Errorf("%s: want one warning %q in three calls, logged %q", c.wiki, c.warn, logs.String())
		}
	}

	// A request the wiki's version fully has goes on (and here fails to
	// connect: it was sent).
	var logs bytes.Buffer
	cl := clientOfVersion(t, "1.43.9", &logs)
	ok := NewChecker("query")
	ok.For("query+linterstats").InVersions("1.43")
	_, err := cl.Do(context.Background(), &Request{Action: "query", Needs: ok.Needs("1.39 1.43")})
	var ve *VersionError
	if err == nil || errors.As(err, &ve) {
		t.Errorf("a request 1.43 has: got %v, want a transport error", err)
	}
}
