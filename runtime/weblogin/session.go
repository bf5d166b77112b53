package weblogin

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/mwgen/mwgen/runtime/oauth"
)

// Session is what the server keeps for one browser: the handshakes it
// started and, once logged in, the user's access token and identity. It
// holds secrets: it lives in a [SessionStore], never in a cookie, and its
// String and fmt verbs never show them.
type Session struct {
	// Pending are the handshakes /login started and /oauth-callback has not
	// finished, oldest first (one per browser tab that clicked "log in").
	Pending []PendingLogin `json:"pending,omitempty"`
	// AccessToken and AccessSecret are the user's OAuth access token, set
	// by a completed login.
	AccessToken  string `json:"access_token,omitempty"`
	AccessSecret string `json:"access_secret,omitempty"`
	// OAuth2 marks an OAuth 2.0 login: AccessToken is then a bearer token,
	// RefreshToken renews it and Expiry is when it expires.
	OAuth2       bool      `json:"oauth2,omitempty"`
	RefreshToken string    `json:"refresh_token,omitempty"`
	Expiry       time.Time `json:"expiry,omitzero"`
	// User is who identify said the access token belongs to.
	User *User `json:"user,omitempty"`
	// CSRF is a random token for the application's forms ([Handler.CSRFToken]).
	CSRF string `json:"csrf,omitempty"`
	// Created is when the session was made; Expires when the stores forget
	// it.
	Created time.Time `json:"created"`
	Expires time.Time `json:"expires"`
}

// PendingLogin is a handshake in progress: the request token from
// Special:OAuth/initiate and where to go once logged in.
type PendingLogin struct {
	Token   string    `json:"token"`
	Secret  string    `json:"secret"`
	Next    string    `json:"next"`
	Started time.Time `json:"started"`
}

// LoggedIn reports whether the session holds a completed login.
func (s *Session) LoggedIn() bool {
	return s != nil && s.AccessToken != "" && s.User != nil
}

// Expired reports whether the session is past Expires at now.
func (s *Session) Expired(now time.Time) bool {
	return s == nil || !s.Expires.IsZero() && !now.Before(s.Expires)
}

// clone returns a deep copy.
func (s *Session) clone() *Session {
	c := *s
	c.Pending = slices.Clone(s.Pending)
	c.User = s.User.clone()
	return &c
}

// String describes the session without its secrets.
func (s Session) String() string {
	user := "<logged out>"
	if s.User != nil {
		user = strconv.Quote(s.User.Name)
	}
	token := s.AccessToken
	if s.OAuth2 {
		token = "(OAuth 2.0, redacted)" // a bearer token is a secret
	}
	return fmt.Sprintf("weblogin.Session{user=%s, access token=%s, pending=%d, expires=%s, secrets redacted}",
		user, token, len(s.Pending), s.Expires.Format(time.RFC3339))
}

// GoString is String.
func (s Session) GoString() string { return s.String() }

// Format prints String for every verb, so that no secret is printed.
func (s Session) Format(f fmt.State, verb rune) { _, _ = io.WriteString(f, s.String()) }

// String describes the pending login without its secret.
func (p PendingLogin) String() string {
	return "weblogin.PendingLogin{token=" + p.Token + ", next=" + strconv.Quote(p.Next) + ", secret redacted}"
}

// GoString is String.
func (p PendingLogin) GoString() string { return p.String() }

// Format prints String for every verb.
func (p PendingLogin) Format(f fmt.State, verb rune) { _, _ = io.WriteString(f, p.String()) }

// User is a logged-in user, as Special:OAuth/identify describes them.
type User struct {
	// Name is the user name on the wiki.
	Name string `json:"name"`
	// Sub is the user's central id.
	Sub string `json:"sub,omitempty"`
	// Groups are the user's effective groups, Rights their rights, Grants
	// the grants they gave the consumer.
	Groups []string `json:"groups,omitempty"`
	Rights []string `json:"rights,omitempty"`
	Grants []string `json:"grants,omitempty"`
	// EditCount, Blocked, ConfirmedEmail and Registered (a MediaWiki
	// timestamp) as identify reported them.
	EditCount      int64  `json:"editcount,omitempty"`
	Blocked        bool   `json:"blocked,omitempty"`
	ConfirmedEmail bool   `json:"confirmed_email,omitempty"`
	Registered     string `json:"registered,omitempty"`
	// RealName and Email are set only with the grant
	// mwoauth-authonlyprivate.
	RealName string `json:"realname,omitempty"`
	Email    string `json:"email,omitempty"`
	// Wiki is the canonical server of the wiki that identified the user
	// (the JWT's iss).
	Wiki string `json:"wiki,omitempty"`
	// Checked is when identify last vouched for the user.
	Checked time.Time `json:"checked"`
}

// HasGroup reports whether the user is in group.
func (u *User) HasGroup(group string) bool { return u != nil && slices.Contains(u.Groups, group) }

// HasRight reports whether the user has right.
func (u *User) HasRight(right string) bool { return u != nil && slices.Contains(u.Rights, right) }

// HasGrant reports whether the user gave the consumer grant.
func (u *User) HasGrant(grant string) bool { return u != nil && slices.Contains(u.Grants, grant) }

func (u *User) clone() *User {
	if u == nil {
		return nil
	}
	c := *u
	c.Groups = slices.Clone(u.Groups)
	c.Rights = slices.Clone(u.Rights)
	c.Grants = slices.Clone(u.Grants)
	return &c
}

// userFrom converts a checked identity.
func userFrom(id *oauth.Identity, now time.Time) *User {
	return &User{
		Name:           id.Username,
		Sub:            id.Sub,
		Groups:         slices.Clone(id.Groups),
		Rights:         slices.Clone(id.Rights),
		Grants:         slices.Clone(id.Grants),
		EditCount:      id.EditCount,
		Blocked:        id.Blocked,
		ConfirmedEmail: id.ConfirmedEmail,
		Registered:     id.Registered,
		RealName:       id.RealName,
		Email:          id.Email,
		Wiki:           id.Issuer,
		Checked:        now,
	}
}
