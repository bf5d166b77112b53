package testwiki

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestMain(m *testing.M) { Main(m) }

func TestSiteinfo(t *testing.T) {
	w := Require(t)
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
				Server    string `json:"server"`
			} `json:"general"`
			Extensions []struct {
				Name string `json:"name"`
			} `json:"extensions"`
		} `json:"query"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("decoding siteinfo: %v\n%s", err, body)
	}
	if g := r.Query.General.Generator; !strings.HasPrefix(g, "MediaWiki 1.39") {
		t.Errorf("generator = %q, want MediaWiki 1.39.x", g)
	}
	if r.Query.General.Server != w.Server {
		t.Errorf("server = %q, want %q", r.Query.General.Server, w.Server)
	}
	// --with-extensions enables the bundled extensions (29 in 1.39).
	if n := len(r.Query.Extensions); n < 25 {
		t.Errorf("only %d extensions loaded, want all bundled ones", n)
	}
	t.Logf("%s at %s, %d extensions", r.Query.General.Generator, w.API, len(r.Query.Extensions))
}

func TestBotPasswordLogin(t *testing.T) { testBotPasswordLogin(t, Require(t)) }

// testBotPasswordLogin logs in to w with its bot password and checks the
// session.
func testBotPasswordLogin(t *testing.T, w *Wiki) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Jar: jar}
	call := func(method string, params url.Values) map[string]any {
		t.Helper()
		params.Set("format", "json")
		params.Set("formatversion", "2")
		var req *http.Request
		var err error
		if method == http.MethodPost {
			req, err = http.NewRequestWithContext(ctx, method, w.API, strings.NewReader(params.Encode()))
			if err == nil {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
		} else {
			req, err = http.NewRequestWithContext(ctx, method, w.API+"?"+params.Encode(), nil)
		}
		if err != nil {
			t.Fatal(err)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatalf("%s %v: %v\n%s", method, params, err, body)
		}
		if e, ok := m["error"]; ok {
			t.Fatalf("%s %v: API error %v", method, params, e)
		}
		return m
	}
	dig := func(m map[string]any, path ...string) any {
		var v any = m
		for _, k := range path {
			mm, _ := v.(map[string]any)
			v = mm[k]
		}
		return v
	}

	r := call(http.MethodGet, url.Values{"action": {"query"}, "meta": {"tokens"}, "type": {"login"}})
	token, _ := dig(r, "query", "tokens", "logintoken").(string)
	if len(token) < 3 {
		t.Fatalf("no login token: %v", r)
	}
	r = call(http.MethodPost, url.Values{
		"action":     {"login"},
		"lgname":     {w.BotUser},
		"lgpassword": {w.BotPassword},
		"lgtoken":    {token},
	})
	if res := dig(r, "login", "result"); res != "Success" {
		t.Fatalf("login as %s: result %v, want Success: %v", w.BotUser, res, r)
	}
	if name := dig(r, "login", "lgusername"); name != w.AdminUser {
		t.Errorf("lgusername = %v, want %s", name, w.AdminUser)
	}

	// The session must persist across requests (and server workers).
	for i := 0; i < 4; i++ {
		r = call(http.MethodGet, url.Values{"action": {"query"}, "meta": {"userinfo"}, "uiprop": {"groups|rights"}})
		if name := dig(r, "query", "userinfo", "name"); name != w.AdminUser {
			t.Fatalf("after login, userinfo name = %v, want %s", name, w.AdminUser)
		}
	}
	rights, _ := dig(r, "query", "userinfo", "rights").([]any)
	for _, want := range []string{"edit", "upload", "delete", "apihighlimits", "editinterface"} {
		found := false
		for _, got := range rights {
			found = found || got == want
		}
		if !found {
			t.Errorf("bot session lacks right %q", want)
		}
	}
	r = call(http.MethodGet, url.Values{"action": {"query"}, "meta": {"tokens"}})
	if tok, _ := dig(r, "query", "tokens", "csrftoken").(string); tok == "" || tok == `+\` {
		t.Errorf("csrftoken after login = %q, want a user token", tok)
	}
}

func TestParseEnv(t *testing.T) {
	env, err := parseEnv([]byte("# comment\n\nexport A='x y'\nB=\"z\"\nC=plain\nD=\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"A": "x y", "B": "z", "C": "plain", "D": ""}
	for k, v := range want {
		if env[k] != v {
			t.Errorf("%s = %q, want %q", k, env[k], v)
		}
	}
	if len(env) != len(want) {
		t.Errorf("got %v, want %v", env, want)
	}
	if _, err := parseEnv([]byte("A='x\n")); err == nil {
		t.Error("unterminated quote: no error")
	}
	if _, err := parseEnv([]byte("no equals sign\n")); err == nil {
		t.Error("no '=': no error")
	}
}
