package runtime

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
)

// ErrNoCookieJar is returned by [Client.Login] when the client's
// http.Client has no cookie jar: MediaWiki keeps a login in session
// cookies, so without a jar every request after the login would be
// anonymous again.
var ErrNoCookieJar = errors.New("mediawiki: Login needs a cookie jar: pass an Options.HTTPClient whose Jar is set (e.g. from net/http/cookiejar.New), or leave Options.HTTPClient nil for a default client that has one")

// LoginError is a refused [Client.Login]: action=login answered a result
// other than "Success". It never holds the password.
type LoginError struct {
	// User is the login name that was tried, e.g. "Admin@mybot".
	User string
	// Result is MediaWiki's result: "Failed" (e.g. a wrong password),
	// "Aborted" (e.g. a main-account password given to action=login, or a
	// login over a bot-password session), "WrongToken", "NeedToken", or
	// whatever a newer MediaWiki may answer.
	Result string
	// Code is the machine-readable reason, e.g. "wrongpassword", when the
	// wiki gives one.
	Code string
	// Reason is MediaWiki's explanation, e.g. "Incorrect username or
	// password entered. Please try again.".
	Reason string
}

// Error returns e.g. `mediawiki: login as "Admin@mybot": Failed: Incorrect
// username or password entered. Please try again. (wrongpassword)`.
func (e *LoginError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "mediawiki: login as %q: %s", e.User, e.Result)
	reason := e.Reason
	if reason == "" {
		switch e.Result {
		case "WrongToken", "NeedToken":
			reason = "the login token did not belong to the session; are cookies kept between requests?"
		}
	}
	if reason != "" {
		b.WriteString(": ")
		b.WriteString(reason)
	}
	if e.Code != "" {
		fmt.Fprintf(&b, " (%s)", e.Code)
	}
	return b.String()
}

// session is what the client knows of its own login (see [Client.Login]).
type session struct {
	mu       sync.Mutex
	loggedIn bool
	user     string
}

func (s *session) set(user string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.loggedIn, s.user = true, user
}

func (s *session) clear() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.loggedIn, s.user = false, ""
}

func (s *session) get() (user string, loggedIn bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.user, s.loggedIn
}

// asserting reports whether requests carry assert=user (logins and login
// tokens excepted): when Options.AssertUser is set, and after a successful
// [Client.Login] until [Client.Logout].
func (c *Client) asserting() bool {
	if c.assertUser {
		return true
	}
	_, in := c.session.get()
	return in
}

// Login logs in with a bot password (Special:BotPasswords; user is then
// "Name@appid") through action=login: it fetches a fresh login token
// (meta=tokens&type=login, never cached), then POSTs lgname, lgpassword
// and lgtoken. The password is sent only in that POST body and appears in
// no log or error.
//
// On success the session lives in the HTTP client's cookie jar (without
// one Login returns [ErrNoCookieJar]), cached tokens are dropped, and from
// then on every request but logins carries assert=user, so that a lost
// session fails with [ErrAssertFailed] instead of editing anonymously.
// [Client.LoggedInAs] tells the account's name.
//
// A refusal is a [*LoginError] with MediaWiki's result and reason:
//
//	err := c.Login(ctx, "MyBot@mytool", os.Getenv("BOT_PASSWORD"))
//	var le *mw.LoginError
//	if errors.As(err, &le) && le.Result == "Failed" { ... wrong password ... }
//
// Logging in again over a live bot-password session is refused by the
// wiki ("Aborted"); call [Client.Logout] first to switch accounts.
func (c *Client) Login(ctx context.Context, user, password string) error {
	if c.hc.Jar == nil {
		return ErrNoCookieJar
	}
	if user == "" {
		return errors.New("mediawiki: Login: empty user name")
	}
	p := new(Params)
	p.Set("lgname", user)
	p.Sensitive("lgpassword")
	p.Set("lgpassword", password)
	resp, err := c.Do(ctx, &Request{Action: "login", Params: p, Post: true, TokenType: "login", TokenParam: "lgtoken"})
	if err != nil {
		return fmt.Errorf("mediawiki: login as %q: %w", user, err)
	}
	var out struct {
		Login struct {
			Result     string          `json:"result"`
			Reason     json.RawMessage `json:"reason"`
			LgUserName string          `json:"lgusername"`
		} `json:"login"`
	}
	if err := resp.Decode(&out); err != nil {
		return fmt.Errorf("mediawiki: login as %q: %w", user, err)
	}
	switch out.Login.Result {
	case "Success":
		name := out.Login.LgUserName
		if name == "" {
			name, _, _ = strings.Cut(user, "@")
		}
		c.session.set(name)
		c.ClearTokens()
		c.log.DebugContext(ctx, "mediawiki: logged in", "user", name)
		return nil
	case "":
		return &LoginError{User: user, Result: "(none)", Reason: "action=login answered no result: " + excerpt(resp.Raw)}
	}
	le := &LoginError{User: user, Result: out.Login.Result}
	le.Code, le.Reason = loginReason(out.Login.Reason)
	return le
}

// loginReason reads action=login's reason: {"code", "text"} with
// errorformat=plaintext, a bare string with the legacy format.
func loginReason(raw json.RawMessage) (code, text string) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "", ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return "", s
	}
	var m struct {
		Code string `json:"code"`
		Text string `json:"text"`
		Key  string `json:"key"`
	}
	if json.Unmarshal(raw, &m) == nil && (m.Code != "" || m.Text != "" || m.Key != "") {
		if m.Code == "" {
			m.Code = m.Key
		}
		return m.Code, m.Text
	}
	return "", excerpt(raw)
}

// Logout ends the session with action=logout (which needs a csrf token),
// stops the automatic assert=user that [Client.Login] turned on (a forced
// Options.AssertUser stays), and drops cached tokens. Logging out of a
// session the wiki had already ended is not an error.
func (c *Client) Logout(ctx context.Context) error {
	c.session.clear()
	defer c.ClearTokens()
	_, err := c.Do(ctx, &Request{Action: "logout", Post: true, TokenType: "csrf"})
	if err != nil && !errors.Is(err, ErrAssertFailed) {
		return fmt.Errorf("mediawiki: logout: %w", err)
	}
	return nil
}

// LoggedInAs returns the user name the wiki reported for the last
// successful [Client.Login] (its lgusername, e.g. "Admin" for the bot
// password "Admin@mybot"), or "" when not logged in through Login.
func (c *Client) LoggedInAs() string {
	user, _ := c.session.get()
	return user
}
