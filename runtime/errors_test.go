package runtime

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func answer(status int, contentType string, header ...string) *http.Response {
	r := &http.Response{StatusCode: status, Status: fmt.Sprintf("%d %s", status, http.StatusText(status)), Header: http.Header{}}
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	return r
}

func TestDecodeAPIErrors(t *testing.T) {
	tests := []struct {
		name   string
		resp   *http.Response
		body   string
		want   *APIError
		is     []error
		isNot  []error
		errMsg string
	}{
		{
			name: "plaintext errors",
			resp: answer(200, "application/json", "MediaWiki-API-Error", "badtoken"),
			body: `{"errors":[{"code":"badtoken","text":"Invalid CSRF token.","module":"edit"}],"docref":"See https://x/w/api.php for API usage.","servedby":"mw1"}`,
			want: &APIError{Code: "badtoken", Text: "Invalid CSRF token.", Module: "edit", HTTPStatus: 200, ServedBy: "mw1",
				DocRef: "See https://x/w/api.php for API usage.",
				All:    []ErrorEntry{{Code: "badtoken", Text: "Invalid CSRF token.", Module: "edit"}}},
			is:     []error{ErrBadToken},
			isNot:  []error{ErrMaxLag, ErrPermissionDenied},
			errMsg: "mediawiki: badtoken (edit): Invalid CSRF token.",
		},
		{
			name: "several entries, later one matches",
			body: `{"errors":[{"code":"cantcreate","text":"You do not have permission to create this page.","module":"edit"},` +
				`{"code":"blocked","text":"You have been blocked.","module":"edit","data":{"blockinfo":{"blockid":3}}}]}`,
			want: &APIError{Code: "cantcreate", Text: "You do not have permission to create this page.", Module: "edit", HTTPStatus: 200,
				All: []ErrorEntry{
					{Code: "cantcreate", Text: "You do not have permission to create this page.", Module: "edit"},
					{Code: "blocked", Text: "You have been blocked.", Module: "edit", Data: json.RawMessage(`{"blockinfo":{"blockid":3}}`)},
				}},
			is:     []error{ErrPermissionDenied},
			errMsg: "mediawiki: cantcreate (edit): You do not have permission to create this page. (and 1 more)",
		},
		{
			name: "legacy error",
			body: `{"error":{"code":"maxlag","info":"Waiting for db2: 7 seconds lagged.","host":"db2","lag":7,"*":"See docs."},"servedby":"mw2"}`,
			want: &APIError{Code: "maxlag", Text: "Waiting for db2: 7 seconds lagged.", HTTPStatus: 200, ServedBy: "mw2", DocRef: "See docs.",
				All: []ErrorEntry{{Code: "maxlag", Text: "Waiting for db2: 7 seconds lagged."}}},
			is:     []error{ErrMaxLag},
			errMsg: "mediawiki: maxlag: Waiting for db2: 7 seconds lagged.",
		},
		{
			name: "header only",
			resp: answer(200, "application/json", "MediaWiki-API-Error", "readonly"),
			body: `{"weird":true}`,
			want: &APIError{Code: "readonly", HTTPStatus: 200, All: []ErrorEntry{{Code: "readonly"}}},
			is:   []error{ErrReadOnly},
		},
		{
			name: "error with HTTP 500",
			resp: answer(500, "application/json"),
			body: `{"errors":[{"code":"internal_api_error_DBQueryError","text":"[abc] Database query error.","module":"main"}]}`,
			want: &APIError{Code: "internal_api_error_DBQueryError", Text: "[abc] Database query error.", Module: "main", HTTPStatus: 500,
				All: []ErrorEntry{{Code: "internal_api_error_DBQueryError", Text: "[abc] Database query error.", Module: "main"}}},
			isNot: []error{ErrBadToken, ErrMaxLag, ErrRateLimited, ErrReadOnly, ErrAssertFailed, ErrPermissionDenied, ErrOAuthInvalid, ErrReadAPIDenied},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := tt.resp
			if resp == nil {
				resp = answer(200, "application/json; charset=utf-8")
			}
			r, err := decodeAnswer("edit", resp, []byte(tt.body))
			if r != nil {
				t.Fatalf("got a response, want an error")
			}
			var got *APIError
			if !errors.As(err, &got) {
				t.Fatalf("error %T %v, want *APIError", err, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("APIError (-want +got):\n%s", diff)
			}
			for _, s := range tt.is {
				if !errors.Is(err, s) {
					t.Errorf("errors.Is(err, %v) = false", s)
				}
				if !errors.Is(fmt.Errorf("wrapped: %w", err), s) {
					t.Errorf("errors.Is(wrapped, %v) = false", s)
				}
			}
			for _, s := range tt.isNot {
				if errors.Is(err, s) {
					t.Errorf("errors.Is(err, %v) = true", s)
				}
			}
			if tt.errMsg != "" && err.Error() != tt.errMsg {
				t.Errorf("Error() = %q, want %q", err.Error(), tt.errMsg)
			}
		})
	}
}

func TestSentinelCodes(t *testing.T) {
	tests := map[string]error{
		"badtoken":                      ErrBadToken,
		"maxlag":                        ErrMaxLag,
		"ratelimited":                   ErrRateLimited,
		"readonly":                      ErrReadOnly,
		"assertuserfailed":              ErrAssertFailed,
		"assertbotfailed":               ErrAssertFailed,
		"assertnameduserfailed":         ErrAssertFailed,
		"permissiondenied":              ErrPermissionDenied,
		"protectedpage":                 ErrPermissionDenied,
		"cascadeprotected":              ErrPermissionDenied,
		"mwoauth-invalid-authorization": ErrOAuthInvalid,
		"mwoauth-invalid-authorization-not-approved": ErrOAuthInvalid,
		"readapidenied": ErrReadAPIDenied,
		"nosuchpage":    nil,
	}
	all := []error{ErrBadToken, ErrMaxLag, ErrRateLimited, ErrReadOnly, ErrAssertFailed, ErrPermissionDenied, ErrOAuthInvalid, ErrReadAPIDenied}
	for code, want := range tests {
		e := &APIError{Code: code, All: []ErrorEntry{{Code: code}}}
		for _, s := range all {
			if got := errors.Is(e, s); got != (s == want) {
				t.Errorf("code %s: errors.Is(%v) = %v", code, s, got)
			}
		}
		if !e.HasCode(code) || e.HasCode("other") {
			t.Errorf("code %s: HasCode wrong", code)
		}
	}
}

func TestDecodeBadAnswers(t *testing.T) {
	html := "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n<body>  <h1>Bad   Gateway</h1>" + strings.Repeat(" filler", 100) + "</body></html>"
	tests := []struct {
		name       string
		resp       *http.Response
		body       string
		wantErr    bool // Err (the cause) set
		wantInMsg  []string
		wantStatus int
	}{
		{"HTML 500", answer(500, "text/html; charset=utf-8"), html, false,
			[]string{"action=query", "HTTP 500 Internal Server Error", "not an API response", "text/html", "<title>502 Bad Gateway</title>", "<h1>Bad Gateway</h1>"}, 500},
		{"HTML 200", answer(200, "text/html"), "<html>maintenance</html>", false,
			[]string{"HTTP 200 OK", "not an API response (text/html)", "<html>maintenance</html>"}, 200},
		{"empty body", answer(200, ""), "", false, []string{"no Content-Type", "empty body"}, 200},
		{"truncated JSON", answer(200, "application/json"), `{"batchcomplete":true,"query":{"allpages":[{"pageid":1,"ns":0,"title":"A`, true,
			[]string{"invalid API response", "unexpected end of JSON input", `{"batchcomplete":true`}, 200},
		{"JSON array", answer(200, "application/json"), `[1,2]`, false, []string{"not an API response"}, 200},
		{"JSON null", answer(200, "application/json"), `null`, false, []string{"not an API response"}, 200},
		{"PHP fatal", answer(200, "text/html"), "\nFatal error: Allowed memory size exhausted", false, []string{"Fatal error: Allowed memory size exhausted"}, 200},
		{"JSON 503 without error", answer(503, "application/json"), `{"message":"busy"}`, false, []string{"HTTP 503", `{"message":"busy"}`}, 503},
		{"invalid UTF-8", answer(502, "text/plain"), "bad \xff\xfe bytes", false, []string{"bad \uFFFD bytes"}, 502},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := decodeAnswer("query", tt.resp, []byte(tt.body))
			if r != nil {
				t.Fatal("got a response, want an error")
			}
			var re *ResponseError
			if !errors.As(err, &re) {
				t.Fatalf("error %T %v, want *ResponseError", err, err)
			}
			if (re.Err != nil) != tt.wantErr {
				t.Errorf("Err = %v, want set: %v", re.Err, tt.wantErr)
			}
			if re.StatusCode != tt.wantStatus {
				t.Errorf("StatusCode = %d, want %d", re.StatusCode, tt.wantStatus)
			}
			msg := err.Error()
			for _, want := range tt.wantInMsg {
				if !strings.Contains(msg, want) {
					t.Errorf("Error() = %q\nlacks %q", msg, want)
				}
			}
			if len(re.Excerpt) > maxExcerpt+3 {
				t.Errorf("excerpt has %d bytes, want at most %d", len(re.Excerpt), maxExcerpt+3)
			}
		})
	}
}

func TestDecodeResponse(t *testing.T) {
	tests := []struct {
		name string
		body string
		want *Response
	}{
		{
			name: "continue and plaintext warnings",
			body: `{"batchcomplete":true,"continue":{"apcontinue":"B","continue":"-||","sroffset":20,"flag":true,"off":false,"nothing":null},` +
				`"warnings":[{"code":"deprecation","text":"Old.","module":"query+allpages"}],"query":{"allpages":[]}}`,
			want: &Response{
				Warnings:      []Warning{{Code: "deprecation", Text: "Old.", Module: "query+allpages"}},
				Continue:      map[string]string{"apcontinue": "B", "continue": "-||", "sroffset": "20", "flag": "1"},
				BatchComplete: true,
			},
		},
		{
			name: "done, bc warnings",
			body: `{"warnings":{"main":{"warnings":"Unrecognized parameter: foo."},"allpages":{"*":"Old."}},"query":{}}`,
			want: &Response{Warnings: []Warning{{Module: "allpages", Text: "Old."}, {Module: "main", Text: "Unrecognized parameter: foo."}}},
		},
		{
			name: "formatversion 1 batchcomplete, empty continue",
			body: ` {"batchcomplete":"","continue":{}} `,
			want: &Response{BatchComplete: true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeAnswer("query", answer(200, "application/json"), []byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.IgnoreFields(Response{}, "Raw"), cmpopts.IgnoreUnexported(Response{})); diff != "" {
				t.Errorf("Response (-want +got):\n%s", diff)
			}
			if string(got.Raw) != strings.TrimSpace(tt.body) {
				t.Errorf("Raw = %s", got.Raw)
			}
		})
	}

	r, err := decodeAnswer("query", answer(200, "application/json"), []byte(`{"query":{"general":{"sitename":"W"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := string(r.Get("query")); got != `{"general":{"sitename":"W"}}` {
		t.Errorf(`Get("query") = %s`, got)
	}
	if r.Get("nope") != nil {
		t.Error(`Get("nope") != nil`)
	}
	var out struct {
		Query struct {
			General struct{ SiteName string } `json:"general"`
		} `json:"query"`
	}
	if err := r.Decode(&out); err != nil || out.Query.General.SiteName != "W" {
		t.Errorf("Decode: %v, %+v", err, out)
	}
	if err := r.Decode(&[]int{}); err == nil {
		t.Error("Decode into a slice: no error")
	}
}
