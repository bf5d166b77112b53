package runtime

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"github.com/mwgen/mwgen/internal/testwiki"
)

const fakePassword = "s3cret-Passw0rd-do-not-show"

// loginWiki answers login tokens, action=login with loginAnswer, csrf
// tokens, logout and anything else with an empty query.
func loginWiki(t *testing.T, opts Options, loginAnswer string) (*Client, *fakeWiki) {
	t.Helper()
	return newFake(t, opts, func(s seen, w http.ResponseWriter) {
		switch {
		case s.Params.Get("meta") == "tokens" && s.Params.Get("type") == "login":
			jsonAnswer(w, `{"batchcomplete":true,"query":{"tokens":{"logintoken":"lt123+\\"}}}`)
		case s.Params.Get("meta") == "tokens":
			jsonAnswer(w, fmt.Sprintf(`{"batchcomplete":true,"query":{"tokens":{"csrftoken":"csrf%d+\\"}}}`, time.Now().UnixNano()))
		case s.Params.Get("action") == "login":
			jsonAnswer(w, loginAnswer)
		case s.Params.Get("action") == "logout":
			jsonAnswer(w, `{}`)
		default:
			jsonAnswer(w, `{"batchcomplete":true}`)
		}
	})
}

func TestLoginSuccess(t *testing.T) {
	var logs syncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, f := loginWiki(t, Options{Logger: logger}, `{"login":{"result":"Success","lguserid":1,"lgusername":"Admin"}}`)
	if c.LoggedInAs() != "" {
		t.Fatalf("LoggedInAs before Login = %q", c.LoggedInAs())
	}
	// A token cached before the login must not survive it.
	if _, err := c.Do(ctx(t), &Request{Action: "edit", TokenType: "csrf"}); err != nil {
		t.Fatal(err)
	}
	if err := c.Login(ctx(t), "Admin@bot", fakePassword); err != nil {
		t.Fatal(err)
	}
	if got := c.LoggedInAs(); got != "Admin" {
		t.Errorf("LoggedInAs = %q, want Admin", got)
	}
	if _, err := c.Do(ctx(t), &Request{Action: "edit", TokenType: "csrf"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Do(ctx(t), &Request{Action: "query"}); err != nil {
		t.Fatal(err)
	}
	if err := c.Logout(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if c.LoggedInAs() != "" {
		t.Errorf("LoggedInAs after Logout = %q", c.LoggedInAs())
	}
	if _, err := c.Do(ctx(t), &Request{Action: "query"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Do(ctx(t), &Request{Action: "edit", TokenType: "csrf"}); err != nil {
		t.Fatal(err)
	}

	reqs := f.requests()
	type want struct {
		what   string
		assert bool
	}
	wants := []want{
		{"csrf token", false}, {"edit", false},
		{"login token", false}, {"login", false},
		{"csrf token", true}, {"edit", true}, {"query", true},
		{"logout", false}, // with the session's cached csrf token
		{"query", false}, {"csrf token", false}, {"edit", false},
	}
	if len(reqs) != len(wants) {
		t.Fatalf("%d requests, want %d", len(reqs), len(wants))
	}
	var csrf []string
	for i, r := range reqs {
		what := r.Params.Get("action")
		if r.Params.Get("meta") == "tokens" {
			what = r.Params.Get("type") + " token"
			if what == " token" {
				what = "csrf token"
			}
		}
		if what != wants[i].what {
			t.Errorf("request %d is %s, want %s", i, what, wants[i].what)
		}
		if got := r.Params.Get("assert") == "user"; got != wants[i].assert {
			t.Errorf("request %d (%s): assert=user is %v, want %v", i, what, got, wants[i].assert)
		}
		if tok := r.Form.Get("token"); tok != "" {
			csrf = append(csrf, tok)
		}
	}
	lr := reqs[3]
	if lr.Method != http.MethodPost || lr.Form.Get("lgname") != "Admin@bot" ||
		lr.Form.Get("lgpassword") != fakePassword || lr.Form.Get("lgtoken") != "lt123+\\" {
		t.Errorf("login request: %s %v", lr.Method, lr.Form)
	}
	if lr.Query.Has("lgpassword") || lr.Query.Has("lgtoken") {
		t.Errorf("secrets in the URL: %s", lr.RawQuery)
	}
	if len(csrf) != 4 || csrf[0] == csrf[1] || csrf[1] != csrf[2] || csrf[2] == csrf[3] {
		t.Errorf("csrf tokens sent %q: want a fresh one after login (reused by logout) and after logout", csrf)
	}
	if strings.Contains(logs.String(), fakePassword) {
		t.Errorf("the password is in the logs:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "lgpassword=***") {
		t.Errorf("the login request is not in the debug logs:\n%s", logs.String())
	}
}

func TestLoginRefused(t *testing.T) {
	for _, tc := range []struct {
		name, answer         string
		result, code, reason string
	}{
		{"failed plaintext", `{"login":{"result":"Failed","reason":{"code":"wrongpassword","text":"Incorrect username or password entered. Please try again."}}}`,
			"Failed", "wrongpassword", "Incorrect username or password entered. Please try again."},
		{"failed bc", `{"login":{"result":"Failed","reason":"Incorrect username or password entered. Please try again."}}`,
			"Failed", "", "Incorrect username or password entered. Please try again."},
		{"aborted", `{"login":{"result":"Aborted","reason":{"code":"api-login-fail-badsessionprovider","text":"Cannot log in when using MediaWiki\\Session\\BotPasswordSessionProvider sessions."}}}`,
			"Aborted", "api-login-fail-badsessionprovider", `Cannot log in when using MediaWiki\Session\BotPasswordSessionProvider sessions.`},
		{"wrong token", `{"login":{"result":"WrongToken"}}`, "WrongToken", "", ""},
		{"need token", `{"warnings":[{"code":"deprecation","text":"Fetching a token via action=login is deprecated.","module":"login"}],"login":{"result":"NeedToken","token":"abc+\\"}}`,
			"NeedToken", "", ""},
		{"unknown", `{"login":{"result":"Throttled","reason":{"code":"login-throttled","text":"You have made too many recent login attempts."}}}`,
			"Throttled", "login-throttled", "You have made too many recent login attempts."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs syncBuffer
			logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			c, f := loginWiki(t, Options{Logger: logger}, tc.answer)
			err := c.Login(ctx(t), "Admin@bot", fakePassword)
			var le *LoginError
			if !errors.As(err, &le) {
				t.Fatalf("Login: %v, want a *LoginError", err)
			}
			if le.User != "Admin@bot" || le.Result != tc.result || le.Code != tc.code || le.Reason != tc.reason {
				t.Errorf("LoginError = %+v", *le)
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.result) || !strings.Contains(msg, "Admin@bot") || (tc.reason != "" && !strings.Contains(msg, tc.reason)) {
				t.Errorf("error %q does not tell the result and reason", msg)
			}
			if (tc.result == "WrongToken" || tc.result == "NeedToken") && !strings.Contains(msg, "cookies") {
				t.Errorf("error %q gives no hint about cookies", msg)
			}
			if strings.Contains(msg, fakePassword) || strings.Contains(fmt.Sprintf("%#v", le), fakePassword) {
				t.Errorf("the password is in the error: %s", msg)
			}
			if strings.Contains(logs.String(), fakePassword) {
				t.Errorf("the password is in the logs:\n%s", logs.String())
			}
			if c.LoggedInAs() != "" {
				t.Errorf("LoggedInAs = %q after a refused login", c.LoggedInAs())
			}
			if _, err := c.Do(ctx(t), &Request{Action: "query"}); err != nil {
				t.Fatal(err)
			}
			reqs := f.requests()
			if last := reqs[len(reqs)-1]; last.Params.Has("assert") {
				t.Errorf("assert sent after a refused login: %v", last.Params)
			}
		})
	}
}

func TestLoginTransportErrorHidesPassword(t *testing.T) {
	var logs syncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, _ := newFake(t, Options{Logger: logger}, func(s seen, w http.ResponseWriter) {
		switch s.Params.Get("action") {
		case "login":
			panic(http.ErrAbortHandler) // drop the connection
		case "query":
			jsonAnswer(w, `{"query":{"tokens":{"logintoken":"lt+\\"}}}`)
		}
	})
	err := c.Login(ctx(t), "Admin@bot", fakePassword)
	if err == nil {
		t.Fatal("no error")
	}
	var le *LoginError
	if errors.As(err, &le) {
		t.Errorf("a transport error is a LoginError: %v", err)
	}
	if strings.Contains(err.Error(), fakePassword) || strings.Contains(logs.String(), fakePassword) {
		t.Errorf("the password leaks: %v\n%s", err, logs.String())
	}
}

func TestLoginAPIError(t *testing.T) {
	c, _ := newFake(t, Options{}, func(s seen, w http.ResponseWriter) {
		if s.Params.Get("action") == "login" {
			apiError(w, "permissiondenied", "You don't have permission to log in.", "main")
			return
		}
		jsonAnswer(w, `{"query":{"tokens":{"logintoken":"lt+\\"}}}`)
	})
	err := c.Login(ctx(t), "Admin@bot", fakePassword)
	var le *LoginError
	if !errors.Is(err, ErrPermissionDenied) || errors.As(err, &le) || strings.Contains(err.Error(), fakePassword) {
		t.Errorf("Login: %v, want ErrPermissionDenied", err)
	}
}

func TestLoginNeedsCookieJar(t *testing.T) {
	c, f := loginWiki(t, Options{HTTPClient: &http.Client{}}, `{"login":{"result":"Success","lgusername":"Admin"}}`)
	err := c.Login(ctx(t), "Admin@bot", fakePassword)
	if !errors.Is(err, ErrNoCookieJar) || !strings.Contains(err.Error(), "cookiejar") {
		t.Errorf("Login without a jar: %v, want ErrNoCookieJar", err)
	}
	if n := len(f.requests()); n != 0 {
		t.Errorf("%d requests sent without a jar", n)
	}
	// The default client has a jar.
	c, _ = loginWiki(t, Options{}, `{"login":{"result":"Success","lgusername":"Admin"}}`)
	if err := c.Login(ctx(t), "Admin@bot", fakePassword); err != nil {
		t.Errorf("Login with the default client: %v", err)
	}
}

func TestLogoutKeepsForcedAssert(t *testing.T) {
	c, f := loginWiki(t, Options{AssertUser: true}, `{"login":{"result":"Success","lgusername":"Admin"}}`)
	if err := c.Login(ctx(t), "Admin@bot", fakePassword); err != nil {
		t.Fatal(err)
	}
	if err := c.Logout(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Do(ctx(t), &Request{Action: "query"}); err != nil {
		t.Fatal(err)
	}
	reqs := f.requests()
	if last := reqs[len(reqs)-1]; last.Params.Get("assert") != "user" {
		t.Errorf("Options.AssertUser lost after Logout: %v", last.Params)
	}
}

func TestLogoutOfLostSession(t *testing.T) {
	c, _ := newFake(t, Options{AssertUser: true}, func(s seen, w http.ResponseWriter) {
		apiError(w, "assertuserfailed", "You are no longer logged in, so the action could not be completed.", "main")
	})
	if err := c.Logout(ctx(t)); err != nil {
		t.Errorf("Logout of a session the wiki already ended: %v", err)
	}
}

// The tests below run against the real wiki.

func TestWikiLogin(t *testing.T) { onEveryVersion(t, testWikiLogin) }

func testWikiLogin(t *testing.T, w *testwiki.Wiki) {
	var logs syncBuffer
	c := wikiClient(t, w, false, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err := c.Login(ctx(t), w.BotUser, w.BotPassword); err != nil {
		t.Fatal(err)
	}
	wantUser, _, _ := strings.Cut(w.BotUser, "@")
	if got := c.LoggedInAs(); got != wantUser {
		t.Errorf("LoggedInAs = %q, want %q", got, wantUser)
	}

	title := fmt.Sprintf("Mwgen login test %d", time.Now().UnixNano())
	p := new(Params)
	p.Text("title", title)
	p.OptText("text", Set("Edited after Client.Login."))
	p.Text("summary", "mwgen login test")
	resp, err := c.Do(ctx(t), &Request{Action: "edit", Params: p, Post: true, TokenType: "csrf"})
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Edit struct{ Result, Title string } `json:"edit"`
	}
	if err := resp.Decode(&out); err != nil || out.Edit.Result != "Success" {
		t.Fatalf("edit: %v %s", err, resp.Raw)
	}
	// The edit went out with assert=user.
	var editLine string
	for _, line := range strings.Split(logs.String(), "\n") {
		if strings.Contains(line, "action=edit") {
			editLine = line
		}
	}
	if !strings.Contains(editLine, "assert=user") {
		t.Errorf("the edit was sent without assert=user: %s", editLine)
	}
	if strings.Contains(logs.String(), w.BotPassword) {
		t.Error("the bot password is in the logs")
	}

	// Who the wiki thinks we are.
	p = new(Params)
	p.Text("meta", "userinfo")
	resp, err = c.Do(ctx(t), &Request{Action: "query", Params: p})
	if err != nil {
		t.Fatal(err)
	}
	var ui struct {
		Query struct {
			UserInfo struct {
				Name string `json:"name"`
				Anon bool   `json:"anon"`
			} `json:"userinfo"`
		} `json:"query"`
	}
	if err := resp.Decode(&ui); err != nil || ui.Query.UserInfo.Name != wantUser || ui.Query.UserInfo.Anon {
		t.Errorf("userinfo: %v %s", err, resp.Raw)
	}

	if err := c.Logout(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if c.LoggedInAs() != "" {
		t.Errorf("LoggedInAs after Logout = %q", c.LoggedInAs())
	}
	// Anonymous now, and no longer asserting: the query works and says so.
	resp, err = c.Do(ctx(t), &Request{Action: "query", Params: p})
	if err != nil {
		t.Fatalf("query after Logout: %v", err)
	}
	if err := resp.Decode(&ui); err != nil || !ui.Query.UserInfo.Anon {
		t.Errorf("userinfo after Logout: %v %s", err, resp.Raw)
	}
}

func TestWikiLoginBadPassword(t *testing.T) { onEveryVersion(t, testWikiLoginBadPassword) }

func testWikiLoginBadPassword(t *testing.T, w *testwiki.Wiki) {
	var logs syncBuffer
	c := wikiClient(t, w, false, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	bad := "not-the-password-" + w.BotPassword
	err := c.Login(ctx(t), w.BotUser, bad)
	var le *LoginError
	if !errors.As(err, &le) {
		t.Fatalf("Login with a bad password: %v, want a *LoginError", err)
	}
	t.Logf("bad password: %v", err)
	if le.Result != "Failed" || le.Code != "wrongpassword" || le.Reason == "" {
		t.Errorf("LoginError = %+v, want Failed/wrongpassword with a reason", *le)
	}
	if strings.Contains(err.Error(), bad) || strings.Contains(logs.String(), bad) {
		t.Error("the password is in the error or the logs")
	}
	if c.LoggedInAs() != "" {
		t.Errorf("LoggedInAs = %q", c.LoggedInAs())
	}
	// Still anonymous, and not asserting.
	if _, err := c.Do(ctx(t), &Request{Action: "query", Params: new(Params)}); err != nil {
		t.Errorf("query after a refused login: %v", err)
	}
}

// TestWikiSessionLost: after Login, a lost session makes the next request
// fail with ErrAssertFailed instead of acting anonymously.
func TestWikiSessionLost(t *testing.T) { onEveryVersion(t, testWikiSessionLost) }

func testWikiSessionLost(t *testing.T, w *testwiki.Wiki) {
	edit := func(c *Client, title string) error {
		p := new(Params)
		p.Text("title", title)
		p.OptText("text", Set("mwgen session test"))
		p.Text("summary", "mwgen session test")
		_, err := c.Do(ctx(t), &Request{Action: "edit", Params: p, Post: true, TokenType: "csrf"})
		return err
	}
	title := fmt.Sprintf("Mwgen session test %d", time.Now().UnixNano())
	anonEdits := func() int {
		p := new(Params)
		p.Text("prop", "revisions")
		p.Text("titles", title)
		p.Text("rvprop", "user")
		p.Limit("rvlimit", Max)
		resp, err := wikiClient(t, w, false).Do(ctx(t), &Request{Action: "query", Params: p})
		if err != nil {
			t.Fatal(err)
		}
		var out struct {
			Query struct {
				Pages []struct {
					Revisions []struct {
						User string `json:"user"`
						Anon bool   `json:"anon"`
					} `json:"revisions"`
				} `json:"pages"`
			} `json:"query"`
		}
		if err := resp.Decode(&out); err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, pg := range out.Query.Pages {
			for _, r := range pg.Revisions {
				if r.Anon || strings.Contains(r.User, ".") {
					n++
				}
			}
		}
		return n
	}

	t.Run("logout through another client", func(t *testing.T) {
		c := wikiClient(t, w, false)
		if err := c.Login(ctx(t), w.BotUser, w.BotPassword); err != nil {
			t.Fatal(err)
		}
		if err := edit(c, title); err != nil { // caches the csrf token
			t.Fatal(err)
		}
		// Another client on the same cookie jar ends the session.
		other, err := NewClient(w.API, Options{HTTPClient: c.hc, UserAgent: "mwgen-runtime-test/1.0"})
		if err != nil {
			t.Fatal(err)
		}
		if err := other.Logout(ctx(t)); err != nil {
			t.Fatal(err)
		}
		err = edit(c, title)
		if !errors.Is(err, ErrAssertFailed) {
			t.Fatalf("edit after the session ended: %v, want ErrAssertFailed", err)
		}
		t.Logf("edit after logout elsewhere: %v", err)
		_, err = c.Do(ctx(t), &Request{Action: "query", Params: new(Params)})
		if !errors.Is(err, ErrAssertFailed) {
			t.Errorf("query after the session ended: %v, want ErrAssertFailed", err)
		}
	})

	t.Run("cookies cleared", func(t *testing.T) {
		c := wikiClient(t, w, false)
		if err := c.Login(ctx(t), w.BotUser, w.BotPassword); err != nil {
			t.Fatal(err)
		}
		jar, err := cookiejar.New(nil)
		if err != nil {
			t.Fatal(err)
		}
		c.hc.Jar = jar // the session cookies are gone
		err = edit(c, title)
		if !errors.Is(err, ErrAssertFailed) {
			t.Fatalf("edit without the session cookies: %v, want ErrAssertFailed", err)
		}
		// Logging in again restores the session.
		if err := c.Login(ctx(t), w.BotUser, w.BotPassword); err != nil {
			t.Fatal(err)
		}
		if err := edit(c, title+" again"); err != nil {
			t.Errorf("edit after logging in again: %v", err)
		}
	})

	if n := anonEdits(); n != 0 {
		t.Errorf("%d anonymous edits of %s", n, title)
	}
}
