package runtime

import (
	"encoding/json"
	"slices"
	"testing"
)

// The answers below are recorded from the MediaWiki 1.39 test wiki
// (errorformat=plaintext, formatversion=2); the live tests in generated/
// produce each of them again through the generated methods.

func TestNewResultError(t *testing.T) {
	tests := []struct {
		name, action, field, value, body string
		want                             ResultError
		msg                              string
	}{
		{
			name: "login Failed", action: "login", field: "result", value: "Failed",
			body: `{"login":{"result":"Failed","reason":{"code":"wrongpassword","text":"Incorrect username or password entered. Please try again."}}}`,
			want: ResultError{Action: "login", Field: "result", Value: "Failed", Code: "wrongpassword", Message: "Incorrect username or password entered. Please try again."},
			msg:  "mediawiki: action=login: result Failed: Incorrect username or password entered. Please try again. (wrongpassword)",
		},
		{
			name: "login Aborted, legacy string reason", action: "login", field: "result", value: "Aborted",
			body: `{"login":{"result":"Aborted","reason":"Cannot log in when using MediaWiki\\Session\\BotPasswordSessionProvider sessions."}}`,
			want: ResultError{Action: "login", Field: "result", Value: "Aborted", Message: `Cannot log in when using MediaWiki\Session\BotPasswordSessionProvider sessions.`},
		},
		{
			name: "clientlogin FAIL", action: "clientlogin", field: "status", value: "FAIL",
			body: `{"clientlogin":{"status":"FAIL","message":"Incorrect username or password entered.\nPlease try again.","messagecode":"wrongpassword","canpreservestate":false}}`,
			want: ResultError{Action: "clientlogin", Field: "status", Value: "FAIL", Code: "wrongpassword", Message: "Incorrect username or password entered.\nPlease try again."},
		},
		{
			name: "edit Failure with a captcha, no reason", action: "edit", field: "result", value: "Failure",
			body: `{"edit":{"captcha":{"type":"simple","mime":"text/plain","id":"2405317973259076037","question":"60+10"},"result":"Failure"}}`,
			want: ResultError{Action: "edit", Field: "result", Value: "Failure"},
			msg:  "mediawiki: action=edit: result Failure",
		},
		{
			name: "emailuser Failure", action: "emailuser", field: "result", value: "Failure",
			body: `{"emailuser":{"result":"Failure","errors":[{"code":"php-mail-error-unknown","text":"Unknown error in PHP's mail() function."}]}}`,
			want: ResultError{Action: "emailuser", Field: "result", Value: "Failure", Code: "php-mail-error-unknown", Message: "Unknown error in PHP's mail() function."},
		},
		{
			name: "upload Warning", action: "upload", field: "result", value: "Warning",
			body: `{"upload":{"result":"Warning","warnings":{"nochange":{"timestamp":"2026-12-02T00:20:00Z"},"exists":"A.txt"},"filekey":"x.txt","sessionkey":"x.txt"}}`,
			want: ResultError{Action: "upload", Field: "result", Value: "Warning", Code: "exists,nochange"},
		},
		{
			name: "not JSON", action: "login", field: "result", value: "Failed", body: `<html>`,
			want: ResultError{Action: "login", Field: "result", Value: "Failed"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := NewResultError(tt.action, tt.field, tt.value, json.RawMessage(tt.body))
			if *got != tt.want {
				t.Errorf("got %+v\nwant %+v", *got, tt.want)
			}
			if tt.msg != "" && got.Error() != tt.msg {
				t.Errorf("Error() = %q, want %q", got.Error(), tt.msg)
			}
		})
	}
}

func TestAPIErrorPayloads(t *testing.T) {
	af := &APIError{Code: "abusefilter-disallowed", All: []ErrorEntry{{Code: "abusefilter-disallowed", Text: "This action has been automatically identified as harmful.",
		Data: json.RawMessage(`{"abusefilter":{"id":"3","description":"mwgen test filter","actions":["disallow"]}}`)}}}
	if h := af.AbuseFilter(); h == nil || h.ID != "3" || h.Description != "mwgen test filter" || !slices.Equal(h.Actions, []string{"disallow"}) || h.Warning {
		t.Errorf("AbuseFilter() = %+v", h)
	}
	warn := &APIError{Code: "abusefilter-warning", All: []ErrorEntry{{Code: "abusefilter-warning",
		Data: json.RawMessage(`{"abusefilter":{"id":7,"description":"d","actions":["warn"]}}`)}}}
	if h := warn.AbuseFilter(); h == nil || h.ID != "7" || !h.Warning {
		t.Errorf("AbuseFilter() of a warning with a numeric id = %+v", h)
	}
	sb := &APIError{Code: "spamblacklist", All: []ErrorEntry{{Code: "spamblacklist", Data: json.RawMessage(`{"spamblacklist":{"matches":["a.example","b.example"]}}`)}}}
	if m := sb.SpamBlacklist(); !slices.Equal(m, []string{"a.example", "b.example"}) {
		t.Errorf("SpamBlacklist() = %q", m)
	}
	other := &APIError{Code: "badtoken"}
	if other.AbuseFilter() != nil || other.SpamBlacklist() != nil {
		t.Error("payloads of an unrelated error")
	}
	if m := (&APIError{Code: "spamblacklist"}).SpamBlacklist(); m == nil || len(m) != 0 {
		t.Errorf("spamblacklist without data: %q, want empty, not nil", m)
	}
}
