package oauth_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mwgen/mwgen/runtime/oauth"
)

func TestParseAuthorizationError(t *testing.T) {
	const prefix = "The authorization headers in your request are not valid: "
	hdr := func(code string) http.Header {
		h := http.Header{}
		if code != "" {
			h.Set("MediaWiki-API-Error", code)
		}
		return h
	}
	cases := []struct {
		name    string
		header  http.Header
		body    string
		code    string
		text    string
		failure oauth.AuthFailure
	}{
		{"plaintext invalid signature", hdr("mwoauth-invalid-authorization"),
			`{"errors":[{"code":"mwoauth-invalid-authorization","text":"` + prefix + `Invalid signature","module":"main"}]}`,
			"mwoauth-invalid-authorization", prefix + "Invalid signature", oauth.FailureOther},
		{"invalid access token", hdr("mwoauth-invalid-authorization"),
			`{"errors":[{"code":"mwoauth-invalid-authorization","text":"` + prefix + `Invalid access token: abc","module":"main"}]}`,
			"mwoauth-invalid-authorization", prefix + "Invalid access token: abc", oauth.FailureInvalidToken},
		{"revoked (MediaWiki's datastore message)", hdr("mwoauth-invalid-authorization"),
			`{"errors":[{"code":"mwoauth-invalid-authorization","text":"` + prefix + `No approved grant was found for that authorization token.","module":"main"}]}`,
			"mwoauth-invalid-authorization", prefix + "No approved grant was found for that authorization token.", oauth.FailureInvalidToken},
		{"message key", hdr("mwoauth-invalid-authorization"),
			`{"errors":[{"code":"mwoauth-invalid-authorization","key":"mwoauth-invalid-authorization","params":["mwoauthdatastore-access-token-not-found"]}]}`,
			"mwoauth-invalid-authorization", "mwoauth-invalid-authorization mwoauthdatastore-access-token-not-found", oauth.FailureInvalidToken},
		{"nonce, bc format", hdr("mwoauth-invalid-authorization"),
			`{"error":{"code":"mwoauth-invalid-authorization","info":"` + prefix + `Nonce already used: xyz","*":"See docs"}}`,
			"mwoauth-invalid-authorization", prefix + "Nonce already used: xyz", oauth.FailureNonceUsed},
		{"expired, html", hdr("mwoauth-invalid-authorization"),
			`{"errors":[{"code":"mwoauth-invalid-authorization","html":"` + prefix + `Expired timestamp, yours 1700000000, ours 1700001000","module":"main"}]}`,
			"mwoauth-invalid-authorization", prefix + "Expired timestamp, yours 1700000000, ours 1700001000", oauth.FailureExpiredTimestamp},
		{"wrong wiki", hdr("mwoauth-invalid-authorization-wrong-wiki"),
			`{"errors":[{"code":"mwoauth-invalid-authorization-wrong-wiki","text":"The authorization headers in your request are not valid for metawiki"}]}`,
			"mwoauth-invalid-authorization-wrong-wiki", "The authorization headers in your request are not valid for metawiki", oauth.FailureOther},
		{"header only", hdr("mwoauth-invalid-authorization"), `not json`,
			"mwoauth-invalid-authorization", "not json", oauth.FailureOther},
		{"body only", hdr(""),
			`{"errors":[{"code":"mwoauth-invalid-authorization","text":"` + prefix + `Invalid consumer"}]}`,
			"mwoauth-invalid-authorization", prefix + "Invalid consumer", oauth.FailureOther},
	}
	for _, tc := range cases {
		e := oauth.ParseAuthorizationError(tc.header, []byte(tc.body))
		if e == nil {
			t.Errorf("%s: nil", tc.name)
			continue
		}
		if e.Code != tc.code || e.Text != tc.text || e.Failure != tc.failure {
			t.Errorf("%s: got %+v\nwant code %q text %q failure %v", tc.name, *e, tc.code, tc.text, tc.failure)
		}
	}
	for _, body := range []string{`{"batchcomplete":true}`, `{"errors":[{"code":"badtoken","text":"Invalid CSRF token."}]}`} {
		h := http.Header{}
		if strings.Contains(body, "badtoken") {
			h.Set("MediaWiki-API-Error", "badtoken")
		}
		if e := oauth.ParseAuthorizationError(h, []byte(body)); e != nil {
			t.Errorf("%s: %+v, want nil", body, e)
		}
	}
}

func TestClockSkewError(t *testing.T) {
	e := &oauth.ClockSkewError{Yours: 1700000000, Ours: 1700001000}
	if e.Skew() != -1000*time.Second {
		t.Errorf("Skew %v", e.Skew())
	}
	msg := e.Error()
	for _, want := range []string{"1000 seconds behind", "yours 1700000000, ours 1700001000", "clock"} {
		if !strings.Contains(msg, want) {
			t.Errorf("%q lacks %q", msg, want)
		}
	}
	e = &oauth.ClockSkewError{Yours: 1700000400, Ours: 1700000000}
	if !strings.Contains(e.Error(), "400 seconds ahead of") {
		t.Errorf("%q", e.Error())
	}
}
