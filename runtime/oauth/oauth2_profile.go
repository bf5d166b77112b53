package oauth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// Profile is the user behind an OAuth 2.0 access token, as the wiki's
// /oauth2/resource/profile endpoint reports it.
type Profile struct {
	// Username is the user's name on the wiki; Sub the central user id.
	Username string
	Sub      string
	// EditCount, ConfirmedEmail, Blocked and Registered (a MediaWiki
	// timestamp, e.g. "20240101000000") describe the user.
	EditCount      int64
	ConfirmedEmail bool
	Blocked        bool
	Registered     string
	// Groups are the user's effective groups, Rights their rights, Grants
	// what the user granted the client.
	Groups, Rights, Grants []string
	// RealName and Email are present with the grant to see them.
	RealName, Email string
}

// ErrProfile: the profile endpoint's answer is not a profile.
var ErrProfile = errors.New("oauth: the wiki's OAuth 2.0 profile answer is not valid")

// FetchProfile asks the wiki's profile endpoint (REST+"/oauth2/resource/profile")
// who the client's token belongs to. hc sends the request with the token:
// an [NewOAuth2HTTPClient] client (which refreshes and retries once when
// the wiki refuses the token) or any client that sets the bearer token.
// The answer is JSON even though MediaWiki labels it text/html. A refused
// token is a *[OAuth2Error] (HTTP 401, code access_denied).
func FetchProfile(ctx context.Context, hc *http.Client, rest, userAgent string) (*Profile, error) {
	if err := checkREST(rest); err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, restEndpoint(rest, "resource/profile"), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", (Config{UserAgent: userAgent}).userAgent())
	req.Header.Set("Accept", "application/json")
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("oauth: profile: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return nil, fmt.Errorf("oauth: profile: %w", err)
	}
	return decodeProfile(resp.StatusCode, data)
}

// profileJSON is the endpoint's answer.
type profileJSON struct {
	Sub            json.RawMessage `json:"sub"`
	Username       string          `json:"username"`
	EditCount      json.Number     `json:"editcount"`
	ConfirmedEmail bool            `json:"confirmed_email"`
	Blocked        bool            `json:"blocked"`
	Registered     json.RawMessage `json:"registered"`
	Groups         []string        `json:"groups"`
	Rights         []string        `json:"rights"`
	Grants         []string        `json:"grants"`
	RealName       string          `json:"realname"`
	Email          string          `json:"email"`
	// An error answer.
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
	Message          string `json:"message"`
	Hint             string `json:"hint"`
}

func decodeProfile(status int, data []byte) (*Profile, error) {
	var p profileJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("%w: HTTP %d: %s", ErrProfile, status, excerpt(data))
	}
	if p.Error != "" || status != http.StatusOK {
		e := &OAuth2Error{Op: "asking the profile endpoint who the token belongs to", Status: status, Code: p.Error, Description: p.ErrorDescription, Hint: p.Hint}
		if e.Description == "" {
			e.Description = p.Message
		}
		if e.Code == "" {
			e.Code = "(no error code)"
		}
		return nil, e
	}
	if p.Username == "" {
		return nil, fmt.Errorf("%w: no username", ErrProfile)
	}
	out := &Profile{
		Username: p.Username, ConfirmedEmail: p.ConfirmedEmail, Blocked: p.Blocked,
		Groups: p.Groups, Rights: p.Rights, Grants: p.Grants, RealName: p.RealName, Email: p.Email,
		Sub: rawString(p.Sub), Registered: rawString(p.Registered),
	}
	if p.EditCount != "" {
		n, err := p.EditCount.Int64()
		if err != nil {
			return nil, fmt.Errorf("%w: editcount %q is not an integer", ErrProfile, p.EditCount)
		}
		out.EditCount = n
	}
	return out, nil
}

// rawString is a JSON string's value or a number's digits ("" for null).
func rawString(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

// isRESTAccessDenied reports whether a 401 answer of a rest.php resource
// is Extension:OAuth's refusal of the bearer token.
func isRESTAccessDenied(data []byte) bool {
	var r struct {
		Error string `json:"error"`
	}
	return json.Unmarshal(data, &r) == nil && r.Error == "access_denied"
}
