package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mwgen/mwgen/internal/oauthprovider"
	"github.com/mwgen/mwgen/internal/testwiki"
	"github.com/mwgen/mwgen/runtime/oauth"
)

// noCredentials makes sure `mwgen api` runs anonymously, whatever the
// developer's environment holds.
func noCredentials(t *testing.T) {
	t.Helper()
	t.Setenv(envBotUser, "")
	t.Setenv(envBotPassword, "")
	clearOAuthEnv(t)
	t.Setenv(oauth.EnvCredentialsFile, filepath.Join(t.TempDir(), "no-credentials.json"))
}

// botCredentials sets the test wiki's bot password for `mwgen api`.
func botCredentials(t *testing.T, w *testwiki.Wiki) {
	t.Helper()
	noCredentials(t)
	t.Setenv(envBotUser, w.BotUser)
	t.Setenv(envBotPassword, w.BotPassword)
}

// decodeDocuments splits the output of `mwgen api` into its JSON documents.
func decodeDocuments(t *testing.T, out string) []map[string]json.RawMessage {
	t.Helper()
	var docs []map[string]json.RawMessage
	dec := json.NewDecoder(strings.NewReader(out))
	for {
		var doc map[string]json.RawMessage
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return docs
		}
		if err != nil {
			t.Fatalf("output is not a stream of JSON objects: %v\n%s", err, out)
		}
		docs = append(docs, doc)
	}
}

// checkAPIFailure: exit status 2, nothing on stdout, one error line on
// stderr that says each of want.
func checkAPIFailure(t *testing.T, code int, stdout, stderr string, want ...string) {
	t.Helper()
	if code != exitError {
		t.Errorf("exit status %d, want %d (stderr %q)", code, exitError, stderr)
	}
	if stdout != "" {
		t.Errorf("stdout not empty: %.200q", stdout)
	}
	if !strings.HasSuffix(stderr, "\n") || strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "mwgen api: ") {
		t.Errorf("want one error line starting with %q, got %q", "mwgen api: ", stderr)
	}
	for _, w := range want {
		if !strings.Contains(stderr, w) {
			t.Errorf("error %q does not say %q", stderr, w)
		}
	}
}

// pageContent reads the latest revision of title straight from the wiki,
// not through mwgen: its text and author.
func pageContent(t *testing.T, w *testwiki.Wiki, title string) (text, user string) {
	t.Helper()
	body, err := w.Get(context.Background(), url.Values{
		"action": {"query"}, "prop": {"revisions"}, "titles": {title},
		"rvprop": {"content|user"}, "rvslots": {"main"},
	})
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Query struct {
			Pages []struct {
				Missing   bool `json:"missing"`
				Revisions []struct {
					User  string `json:"user"`
					Slots struct {
						Main struct {
							Content string `json:"content"`
						} `json:"main"`
					} `json:"slots"`
				} `json:"revisions"`
			} `json:"pages"`
		} `json:"query"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Query.Pages) != 1 || out.Query.Pages[0].Missing || len(out.Query.Pages[0].Revisions) != 1 {
		t.Fatalf("%s: no such page: %s", title, body)
	}
	r := out.Query.Pages[0].Revisions[0]
	return r.Slots.Main.Content, r.User
}

// uniqueTitle returns a page title no earlier run used, for wikis shared
// between runs (MWGEN_TEST_WIKI_DIR).
func uniqueTitle(t *testing.T, what string) string {
	return fmt.Sprintf("Mwgen api %s %s %d", t.Name(), what, time.Now().UnixNano())
}

func TestAPISiteinfo(t *testing.T) {
	w := testwiki.Require(t)
	noCredentials(t)
	code, stdout, stderr := mwgen(t, "api", "--api", w.API, "action=query", "meta=siteinfo", "siprop=general|namespaces")
	if code != exitOK || stderr != "" {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.HasPrefix(stdout, "{\n  \"") || !strings.HasSuffix(stdout, "\n}\n") {
		t.Errorf("want indented JSON and a newline, got %.100q...%q", stdout, stdout[max(0, len(stdout)-20):])
	}
	docs := decodeDocuments(t, stdout)
	if len(docs) != 1 {
		t.Fatalf("%d documents, want 1", len(docs))
	}
	var q struct {
		General struct {
			SiteName  string `json:"sitename"`
			Generator string `json:"generator"`
		} `json:"general"`
		Namespaces map[string]json.RawMessage `json:"namespaces"`
	}
	if err := json.Unmarshal(docs[0]["query"], &q); err != nil {
		t.Fatal(err)
	}
	if q.General.SiteName != "Test Wiki" || !strings.HasPrefix(q.General.Generator, "MediaWiki 1.39") || q.Namespaces["0"] == nil {
		t.Errorf("siteinfo: %+v", q)
	}
}

// TestAPIAll lists 5 pages 2 at a time: 3 documents, every page once.
func TestAPIAll(t *testing.T) {
	w := testwiki.Require(t)
	botCredentials(t, w)
	prefix := uniqueTitle(t, "pages") + " "
	var want []string
	for i := range 5 {
		title := fmt.Sprintf("%s%d", prefix, i)
		code, _, stderr := mwgen(t, "api", "--api", w.API, "action=edit", "title="+title, "text=Page "+title, "bot=1")
		if code != exitOK {
			t.Fatalf("creating %s: %s", title, stderr)
		}
		want = append(want, title)
	}
	noCredentials(t)
	code, stdout, stderr := mwgen(t, "api", "--api", w.API, "--all", "action=query", "list=allpages", "apprefix="+prefix, "aplimit=2")
	if code != exitOK || stderr != "" {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	docs := decodeDocuments(t, stdout)
	if len(docs) != 3 {
		t.Fatalf("%d documents, want 3 (5 pages, 2 a batch):\n%s", len(docs), stdout)
	}
	if n := strings.Count(stdout, "\n}\n"); n != 3 {
		t.Errorf("%d documents end in \"}\\n\", want 3", n)
	}
	var got []string
	for i, doc := range docs {
		if (doc["continue"] != nil) != (i < 2) {
			t.Errorf("document %d: continue %s", i, doc["continue"])
		}
		var q struct {
			AllPages []struct{ Title string } `json:"allpages"`
		}
		if err := json.Unmarshal(doc["query"], &q); err != nil {
			t.Fatal(err)
		}
		for _, p := range q.AllPages {
			got = append(got, p.Title)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("--all listed %q, want %q", got, want)
	}

	// Without --all: the first batch only.
	code, stdout, _ = mwgen(t, "api", "--api", w.API, "action=query", "list=allpages", "apprefix="+prefix, "aplimit=2")
	if docs := decodeDocuments(t, stdout); code != exitOK || len(docs) != 1 || docs[0]["continue"] == nil {
		t.Errorf("without --all: exit %d, %d documents", code, len(docs))
	}
}

// TestAPIEdit edits as the bot: mwgen logs in and fetches the csrf token
// the embedded schema says action=edit needs.
func TestAPIEdit(t *testing.T) {
	w := testwiki.Require(t)
	botCredentials(t, w)
	title := uniqueTitle(t, "page")
	text := "Edited through mwgen api at " + time.Now().Format(time.RFC3339Nano)
	code, stdout, stderr := mwgen(t, "api", "--api", w.API, "action=edit", "title="+title, "text="+text, "summary=mwgen api test")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if strings.Contains(stdout+stderr, w.BotPassword) {
		t.Fatal("the password shows in the output")
	}
	docs := decodeDocuments(t, stdout)
	var edit struct{ Result string }
	if len(docs) != 1 || json.Unmarshal(docs[0]["edit"], &edit) != nil || edit.Result != "Success" {
		t.Fatalf("edit answer: %s", stdout)
	}
	got, user := pageContent(t, w, title)
	if got != text {
		t.Errorf("page text %q, want %q", got, text)
	}
	// The wiki lets anonymous users edit: the author shows the login worked.
	if wantUser, _, _ := strings.Cut(w.BotUser, "@"); user != wantUser {
		t.Errorf("edited by %q, want %q (logged in)", user, wantUser)
	}

	// Read back through mwgen api itself.
	code, stdout, stderr = mwgen(t, "api", "--api", w.API, "action=query", "prop=revisions", "titles="+title, "rvprop=content", "rvslots=main")
	if code != exitOK || !strings.Contains(stdout, fmt.Sprintf("%q", text)) {
		t.Errorf("read back: exit %d %s\n%s", code, stderr, stdout)
	}
}

// TestAPITokenFromWiki: with a schema that lacks action=edit, mwgen asks
// the wiki (action=paraminfo) which token edit takes. Without the token the
// wiki would answer missingparam.
func TestAPITokenFromWiki(t *testing.T) {
	w := testwiki.Require(t)
	botCredentials(t, w)
	raw, err := w.Get(context.Background(), url.Values{"action": {"paraminfo"}, "modules": {"parse"}, "helpformat": {"none"}})
	if err != nil {
		t.Fatal(err)
	}
	schema := filepath.Join(t.TempDir(), "parse-only.json")
	if err := os.WriteFile(schema, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	title := uniqueTitle(t, "page")
	code, stdout, stderr := mwgen(t, "api", "--api", w.API, "--schema", schema, "action=edit", "title="+title, "text=via paraminfo")
	if code != exitOK || !strings.Contains(stdout, `"result": "Success"`) {
		t.Fatalf("exit %d: %s\n%s", code, stderr, stdout)
	}
	if got, _ := pageContent(t, w, title); got != "via paraminfo" {
		t.Errorf("page text %q", got)
	}
}

func TestAPIErrors(t *testing.T) {
	w := testwiki.Require(t)
	noCredentials(t)
	code, stdout, stderr := mwgen(t, "api", "--api", w.API, "action=nosuchaction")
	checkAPIFailure(t, code, stdout, stderr, "badvalue", `Unrecognized value for parameter "action": nosuchaction`)

	code, stdout, stderr = mwgen(t, "api", "--api", w.API, "action=query", "list=allpages", "aplimit=lots")
	checkAPIFailure(t, code, stdout, stderr, "badinteger", "aplimit")

	// A wrong password: the wiki's reason, never the password.
	const password = "wrong-password-of-at-least-32-chars"
	t.Setenv(envBotUser, w.BotUser)
	t.Setenv(envBotPassword, password)
	code, stdout, stderr = mwgen(t, "api", "--api", w.API, "action=query", "meta=siteinfo")
	checkAPIFailure(t, code, stdout, stderr, "login", w.BotUser, "Failed", "wrongpassword")
	if strings.Contains(stderr, password) {
		t.Errorf("the password shows in the error: %q", stderr)
	}
}

func TestAPIBadArguments(t *testing.T) {
	noCredentials(t)
	api := "http://127.0.0.1:1/api.php" // never reached
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--api", api}, "no action"},
		{[]string{"--api", api, "meta=siteinfo"}, "no action"},
		{[]string{"--api", api, "action=query", "novalue"}, `argument "novalue" is not key=value`},
		{[]string{"--api", api, "action=query", "=x"}, `argument "=x" has no key`},
		{[]string{"--api", api, "action="}, "action is empty"},
		{[]string{"--api", api, "action=query", "action=parse"}, "action given 2 times"},
		{[]string{"--api", api, "action=query", "format=xml"}, "format is set by mwgen"},
		{[]string{"action=query"}, "--api is required"},
		{[]string{"--api", "api.php", "action=query"}, "absolute http or https URL"},
		{[]string{"--api", api, "--schema", "/nonexistent/schema.json", "action=query"}, "/nonexistent/schema.json"},
		{[]string{"--api", api, "--bogus", "action=query"}, "unknown flag: --bogus"},
	}
	for _, tt := range tests {
		code, stdout, stderr := mwgen(t, append([]string{"api"}, tt.args...)...)
		if code != exitError || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, tt.want) {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 2 and an error line saying %q", tt.args, code, stdout, stderr, tt.want)
		}
	}

	t.Setenv(envBotUser, "Someone@tool")
	code, stdout, stderr := mwgen(t, "api", "--api", api, "action=query")
	checkAPIFailure(t, code, stdout, stderr, envBotUser, envBotPassword)
}

func TestAPIHelp(t *testing.T) {
	for _, args := range [][]string{{"api", "--help"}, {"help", "api"}} {
		code, stdout, _ := mwgen(t, args...)
		for _, want := range []string{"Usage:\n  mwgen api --api URL", "Examples:", "--all", "--post", "--schema", "--user-agent", envBotUser, envBotPassword} {
			if code != exitOK || !strings.Contains(stdout, want) {
				t.Errorf("%q: exit %d, output lacks %q", args, code, want)
			}
		}
	}
	if _, stdout, _ := mwgen(t, "--help"); !strings.Contains(stdout, "  api ") {
		t.Errorf("mwgen's usage does not list api:\n%s", stdout)
	}
}

func TestParseAPIArgs(t *testing.T) {
	action, p, err := parseAPIArgs([]string{"prop=info", "action=query", "titles=A", "titles=B|C", "titles=D", "empty=", "x=a=b"})
	if err != nil {
		t.Fatal(err)
	}
	if action != "query" {
		t.Errorf("action %q", action)
	}
	if got, want := p.Names(), []string{"prop", "titles", "empty", "x"}; !slices.Equal(got, want) {
		t.Errorf("names %q, want %q", got, want)
	}
	for name, want := range map[string]string{"prop": "info", "titles": "\x1fA\x1fB|C\x1fD", "empty": "", "x": "a=b"} {
		if got, ok := p.Get(name); !ok || got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
}

// fakeRequest is one request a fake api.php received.
type fakeRequest struct {
	method string
	form   url.Values
}

// fakeWiki is an api.php that knows one extension module, fancyedit (prefix
// "fe", a csrf token, a password, must be POSTed), which the embedded schema
// does not have.
func fakeWiki(t *testing.T) (api string, requests func() []fakeRequest) {
	var mu sync.Mutex
	var got []fakeRequest
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			t.Error(err)
		}
		mu.Lock()
		got = append(got, fakeRequest{r.Method, r.Form})
		mu.Unlock()
		rw.Header().Set("Content-Type", "application/json")
		f := r.Form
		switch {
		case f.Get("action") == "paraminfo" && f.Get("modules") == "fancyedit":
			io.WriteString(rw, `{"paraminfo":{"helpformat":"none","modules":[{"name":"fancyedit","classname":"ApiFancyEdit","path":"fancyedit","group":"action","prefix":"fe","mustbeposted":true,"parameters":[
				{"index":1,"name":"title","type":"string","required":true,"multi":false},
				{"index":2,"name":"secret","type":"password","required":false,"multi":false,"sensitive":true},
				{"index":3,"name":"token","type":"string","tokentype":"csrf","required":true,"multi":false,"sensitive":true}]}]}}`)
		case f.Get("action") == "paraminfo":
			io.WriteString(rw, `{"warnings":[{"code":"unrecognizedvalues","text":"no such module","module":"paraminfo"}],"paraminfo":{"helpformat":"none","modules":[]}}`)
		case f.Get("action") == "query" && f.Get("meta") == "tokens":
			fmt.Fprintf(rw, `{"batchcomplete":true,"query":{"tokens":{"%stoken":"t0ken+\\"}}}`, f.Get("type"))
		case f.Get("action") == "fancyedit" || f.Get("action") == "query":
			io.WriteString(rw, `{"`+f.Get("action")+`":{"result":"Success"}}`)
		default:
			rw.Header().Set("MediaWiki-API-Error", "badvalue")
			io.WriteString(rw, `{"errors":[{"code":"badvalue","text":"Unrecognized value for parameter \"action\": `+f.Get("action")+`.","module":"main"}]}`)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/api.php", func() []fakeRequest {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(got)
	}
}

func describe(reqs []fakeRequest) string {
	var b strings.Builder
	for _, r := range reqs {
		fmt.Fprintf(&b, "\n\t%s %s", r.method, r.form.Encode())
	}
	return b.String()
}

// TestAPIModuleFromParaminfo: a module not in the schema gets its token
// parameter (prefix + name), its POST requirement and its sensitive
// parameters from the wiki's paraminfo.
func TestAPIModuleFromParaminfo(t *testing.T) {
	noCredentials(t)
	api, requests := fakeWiki(t)
	code, stdout, stderr := mwgen(t, "api", "--api", api, "action=fancyedit", "fetitle=Sandbox", "fesecret=hush")
	if code != exitOK || !strings.Contains(stdout, `"result": "Success"`) {
		t.Fatalf("exit %d: %s %s", code, stderr, stdout)
	}
	reqs := requests()
	if len(reqs) != 3 {
		t.Fatalf("want paraminfo, meta=tokens, fancyedit; got %s", describe(reqs))
	}
	if r := reqs[0]; r.method != http.MethodGet || r.form.Get("action") != "paraminfo" || r.form.Get("modules") != "fancyedit" {
		t.Errorf("first request: %s", describe(reqs[:1]))
	}
	if r := reqs[1]; r.form.Get("meta") != "tokens" || r.form.Get("type") != "csrf" {
		t.Errorf("second request: %s", describe(reqs[1:2]))
	}
	r := reqs[2]
	if r.method != http.MethodPost || r.form.Get("fetoken") != `t0ken+\` || r.form.Get("fetitle") != "Sandbox" || r.form.Get("fesecret") != "hush" || r.form.Has("token") {
		t.Errorf("want a POST with fetoken, fetitle, fesecret: %s", describe(reqs[2:]))
	}

	// A token given on the command line is sent as it is: no meta=tokens.
	before := len(requests())
	code, _, stderr = mwgen(t, "api", "--api", api, "action=fancyedit", "fetitle=Sandbox", "fetoken=mine")
	reqs = requests()[before:]
	if code != exitOK || len(reqs) != 2 || reqs[1].method != http.MethodPost || reqs[1].form.Get("fetoken") != "mine" {
		t.Errorf("own token: exit %d %s, requests %s", code, stderr, describe(reqs))
	}

	// A module the wiki does not know either: the call reports its error.
	before = len(requests())
	code, stdout, stderr = mwgen(t, "api", "--api", api, "action=nosuchaction")
	checkAPIFailure(t, code, stdout, stderr, "badvalue", "nosuchaction")
	if reqs = requests()[before:]; len(reqs) != 2 || reqs[1].method != http.MethodGet {
		t.Errorf("unknown module: want paraminfo and a GET, got %s", describe(reqs))
	}

	// A module in the embedded schema: no paraminfo; --post forces a POST.
	before = len(requests())
	code, _, stderr = mwgen(t, "api", "--api", api, "--post", "action=query", "meta=siteinfo")
	reqs = requests()[before:]
	if code != exitOK || len(reqs) != 1 || reqs[0].method != http.MethodPost || reqs[0].form.Get("meta") != "siteinfo" {
		t.Errorf("--post: exit %d %s, requests %s", code, stderr, describe(reqs))
	}
}

// TestAPIWithOAuth: with an owner-only consumer's four credentials in the
// environment, mwgen api signs its requests (checked by the oauthlib
// provider, which forwards them to the real wiki): a signed read says who
// we are, and a signed POST edit lands on the wiki as that user.
func TestAPIWithOAuth(t *testing.T) {
	w := testwiki.Require(t)
	noCredentials(t)
	p := oauthprovider.Start(t, w.API, w.BotUser, w.BotPassword)
	reg, err := p.RegisterConsumer(oauthprovider.Consumer{OwnerOnly: true, Grants: []string{"basic", "editpage"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(oauth.EnvConsumerKey, reg.Key)
	t.Setenv(oauth.EnvConsumerSecret, reg.Secret)
	t.Setenv(oauth.EnvAccessToken, reg.AccessToken)
	t.Setenv(oauth.EnvAccessSecret, reg.AccessSecret)
	wantUser, _, _ := strings.Cut(w.BotUser, "@")

	code, stdout, stderr := mwgen(t, "api", "--api", p.API, "action=query", "meta=userinfo")
	if code != exitOK || !strings.Contains(stdout, fmt.Sprintf("%q", wantUser)) {
		t.Fatalf("signed read: exit %d %s\n%s", code, stderr, stdout)
	}
	title := uniqueTitle(t, "oauth")
	text := "Edited through mwgen api with OAuth at " + time.Now().Format(time.RFC3339Nano)
	code, stdout, stderr = mwgen(t, "api", "--api", p.API, "action=edit", "title="+title, "text="+text)
	if code != exitOK || !strings.Contains(stdout, `"Success"`) {
		t.Fatalf("signed edit: exit %d %s\n%s", code, stderr, stdout)
	}
	got, user := pageContent(t, w, title)
	if got != text || user != wantUser {
		t.Errorf("page %q by %q, want %q by %q", got, user, text, wantUser)
	}
	for _, secret := range []string{reg.Secret, reg.AccessSecret} {
		if strings.Contains(stdout+stderr, secret) {
			t.Error("a secret shows in the output")
		}
	}

	// A wrong secret: the provider (oauthlib) refuses the signature.
	t.Setenv(oauth.EnvAccessSecret, "not-the-secret")
	code, _, stderr = mwgen(t, "api", "--api", p.API, "action=query", "meta=userinfo")
	if code != exitError || !strings.Contains(stderr, "mwoauth-invalid-authorization") {
		t.Errorf("bad signature: exit %d %s", code, stderr)
	}
}
