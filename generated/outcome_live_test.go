package generated_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mwgen/mwgen/generated"
	"github.com/mwgen/mwgen/internal/testwiki"
	"github.com/mwgen/mwgen/runtime"
)

// Answers that fail inside a success, against the real wiki: every client
// here decodes in strict drift mode, so the curated shapes of the overlay
// (login, clientlogin, upload, emailuser, edit's captcha) are checked
// against what MediaWiki sends, key by key.

// strictClient is a generated client in strict drift mode; with login it
// logs in with the bot password first.
func strictClient(t *testing.T, login bool) (*generated.Client, *testwiki.Wiki) {
	t.Helper()
	w := testwiki.Require(t)
	jar, _ := cookiejar.New(nil)
	rt, err := runtime.NewClient(w.API, runtime.Options{
		HTTPClient: &http.Client{Jar: jar, Timeout: time.Minute},
		UserAgent:  "mwgen-tests/1 (https://github.com/mwgen/mwgen)",
		Drift:      runtime.DriftStrict,
	})
	if err != nil {
		t.Fatal(err)
	}
	c := generated.New(rt)
	if login {
		res, err := c.Login(context.Background(), &generated.LoginParams{Name: w.BotUser, Password: w.BotPassword, Token: loginToken(t, c)})
		if err != nil {
			t.Fatal(err)
		}
		if res.Result != generated.LoginStatusSuccess || res.Lgusername == "" {
			t.Fatalf("login: %s", res.Raw())
		}
	}
	return c, w
}

func loginToken(t *testing.T, c *generated.Client) string {
	t.Helper()
	res, err := c.Query(context.Background(), &generated.QueryParams{Meta: generated.QueryMetas{
		Tokens: &generated.QueryTokensParams{Type: []generated.QueryTokensType{generated.QueryTokensTypeLogin}}}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Tokens == nil || res.Tokens.Logintoken == "" {
		t.Fatalf("login token: %s", res.Raw())
	}
	return res.Tokens.Logintoken
}

// resultError returns err as a *runtime.ResultError, failing the test when
// it is not one.
func resultError(t *testing.T, err error) *runtime.ResultError {
	t.Helper()
	var re *runtime.ResultError
	if !errors.As(err, &re) {
		t.Fatalf("want a *runtime.ResultError, got %T: %v", err, err)
	}
	return re
}

func TestLoginWrongPasswordIsTypedFailure(t *testing.T) {
	c, w := strictClient(t, false)
	res, err := c.Login(context.Background(), &generated.LoginParams{Name: w.BotUser, Password: "not-the-password", Token: loginToken(t, c)})
	re := resultError(t, err)
	if res == nil || res.Result != generated.LoginStatusFailed {
		t.Fatalf("answer %v, want result Failed beside the error", res)
	}
	if res.Reason == nil || res.Reason.Code != "wrongpassword" || res.Reason.Text == "" {
		t.Errorf("reason %+v, want wrongpassword with a text", res.Reason)
	}
	if re.Action != "login" || re.Value != "Failed" || re.Code != "wrongpassword" || re.Message != res.Reason.Text {
		t.Errorf("error %+v does not carry the answer's reason", re)
	}
	if strings.Contains(err.Error(), "not-the-password") {
		t.Errorf("the password is in the error: %v", err)
	}
	t.Logf("error: %v", err)
}

func TestLoginWithoutTokenIsNeedToken(t *testing.T) {
	c, w := strictClient(t, false)
	res, err := c.Login(context.Background(), &generated.LoginParams{Name: w.BotUser, Password: w.BotPassword})
	if err != nil {
		t.Fatalf("NeedToken is a step, not an error: %v", err)
	}
	if res.Result != generated.LoginStatusNeedToken || res.Token == "" {
		t.Fatalf("answer %s, want NeedToken with a token", res.Raw())
	}
	// The step the answer asks for: the same login with its token.
	again, err := c.Login(context.Background(), &generated.LoginParams{Name: w.BotUser, Password: w.BotPassword, Token: res.Token})
	if err != nil || again.Result != generated.LoginStatusSuccess {
		t.Fatalf("login with the answer's token: %v %v", again, err)
	}
}

func TestClientloginWrongPasswordIsTypedFail(t *testing.T) {
	c, w := strictClient(t, false)
	res, err := c.Clientlogin(context.Background(), &generated.ClientloginParams{
		Returnurl: w.Server + "/",
		Extra:     url.Values{"username": {w.AdminUser}, "password": {"not-the-password"}},
	})
	re := resultError(t, err)
	if res == nil || res.Status != generated.ClientloginStatusFAIL || res.Messagecode != "wrongpassword" || res.Message == "" {
		t.Fatalf("answer %v, want FAIL with wrongpassword", res)
	}
	if re.Value != "FAIL" || re.Code != "wrongpassword" || re.Message != res.Message {
		t.Errorf("error %+v does not carry the answer's message", re)
	}
}

// TestCreateaccountCaptchaIsTypedFail: ConfirmEdit asks anonymous account
// creations for a captcha; without one the wiki answers FAIL.
func TestCreateaccountCaptchaIsTypedFail(t *testing.T) {
	c, w := strictClient(t, false)
	name := fmt.Sprintf("Mwgen Newbie %d", time.Now().UnixNano())
	res, err := c.Createaccount(context.Background(), &generated.CreateaccountParams{
		Returnurl: w.Server + "/",
		Extra:     url.Values{"username": {name}, "password": {"Mwgen-Newbie-Passw0rd"}, "retype": {"Mwgen-Newbie-Passw0rd"}},
	})
	re := resultError(t, err)
	if res == nil || res.Status != generated.CreateaccountStatusFAIL || res.Messagecode != "captcha-createaccount-fail" {
		t.Fatalf("answer %v, want FAIL with captcha-createaccount-fail", res)
	}
	if re.Code != "captcha-createaccount-fail" {
		t.Errorf("error %+v", re)
	}
}

// TestEditCaptchaIsTypedFailure: an anonymous edit that adds a link meets
// ConfirmEdit's captcha: result Failure with the typed captcha, and the
// edit goes through once the captcha is answered.
func TestEditCaptchaIsTypedFailure(t *testing.T) {
	c, _ := strictClient(t, false)
	p := &generated.EditParams{
		Title: fmt.Sprintf("Mwgen captcha %d", time.Now().UnixNano()),
		Text:  runtime.Set("See http://mwgen-captcha.example/ for more."),
	}
	res, err := c.Edit(context.Background(), p)
	re := resultError(t, err)
	if res == nil || res.Result != generated.EditStatusFailure || res.Captcha == nil {
		t.Fatalf("answer %v, want Failure with a captcha", res)
	}
	cp := res.Captcha
	if cp.Type != "simple" || cp.MIME != "text/plain" || cp.ID == "" || cp.Question == "" {
		t.Fatalf("captcha %+v", cp)
	}
	if re.Action != "edit" || re.Value != "Failure" {
		t.Errorf("error %+v", re)
	}
	// SimpleCaptcha asks a sum or a difference of two numbers.
	a, op, b, ok := cutSum(cp.Question)
	if !ok {
		t.Fatalf("captcha question %q", cp.Question)
	}
	answer := a + b
	if op == "-" || op == "−" {
		answer = a - b
	}
	p.Extra = url.Values{"captchaid": {cp.ID}, "captchaword": {strconv.Itoa(answer)}}
	res, err = c.Edit(context.Background(), p)
	if err != nil || res.Result != generated.EditStatusSuccess || res.PageID == 0 {
		t.Fatalf("edit with the captcha answered: %v %v", res, err)
	}
}

func cutSum(q string) (a int, op string, b int, ok bool) {
	for _, o := range []string{"+", "−", "-"} {
		if x, y, found := strings.Cut(q, o); found {
			var e1, e2 error
			a, e1 = strconv.Atoi(strings.TrimSpace(x))
			b, e2 = strconv.Atoi(strings.TrimSpace(y))
			return a, o, b, e1 == nil && e2 == nil
		}
	}
	return 0, "", 0, false
}

// sqlite runs one SQL statement on the test wiki's database with PHP's PDO
// (the same way mediawiki.sh sets the database up).
func sqlite(t *testing.T, w *testwiki.Wiki, stmt string, args ...string) {
	t.Helper()
	if w.DataDir == "" {
		t.Fatal("the test wiki has no data directory")
	}
	const script = `$db = new PDO("sqlite:" . $argv[1]); $db->setAttribute(PDO::ATTR_ERRMODE, PDO::ERRMODE_EXCEPTION);
$db->exec("PRAGMA busy_timeout=10000"); $st = $db->prepare($argv[2]); $st->execute(array_slice($argv, 3));`
	out, err := exec.Command("php", append([]string{"-r", script, "--", filepath.Join(w.DataDir, "wiki.sqlite"), stmt}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("sqlite %q: %v\n%s", stmt, err, out)
	}
}

// TestEditAbuseFilterIsTypedAPIError: AbuseFilter (bundled) stops an edit
// that matches a filter with an API error, abusefilter-disallowed, whose
// data is typed by runtime.APIError.AbuseFilter. Filters cannot be made
// through the API; the test writes one into the wiki's database.
func TestEditAbuseFilterIsTypedAPIError(t *testing.T) {
	c, w := strictClient(t, true)
	marker := fmt.Sprintf("MWGEN-FORBIDDEN-%d", time.Now().UnixNano())
	desc := "mwgen test filter " + marker
	sqlite(t, w, `INSERT INTO abuse_filter (af_pattern, af_user, af_user_text, af_timestamp, af_enabled, af_comments, af_public_comments, af_actions, af_group)
VALUES (?, 1, 'Admin', '20260101000000', 1, '', ?, 'disallow', 'default')`, `added_lines contains "`+marker+`"`, desc)
	sqlite(t, w, `INSERT INTO abuse_filter_action (afa_filter, afa_consequence, afa_parameters)
SELECT af_id, 'disallow', '' FROM abuse_filter WHERE af_public_comments = ?`, desc)
	res, err := c.Edit(context.Background(), &generated.EditParams{
		Title: "Mwgen abuse filter test",
		Text:  runtime.Set("This text has " + marker + " in it."),
	})
	var ae *runtime.APIError
	if !errors.As(err, &ae) || ae.Code != "abusefilter-disallowed" {
		t.Fatalf("want the API error abusefilter-disallowed, got %v %v", res, err)
	}
	hit := ae.AbuseFilter()
	if hit == nil || hit.ID == "" || hit.Description != desc || !slices.Equal(hit.Actions, []string{"disallow"}) || hit.Warning {
		t.Fatalf("abuse filter hit %+v, want filter %q disallowing", hit, desc)
	}
}

// TestEditSpamBlacklistIsTypedAPIError: SpamBlacklist (bundled) stops an
// edit that adds a blacklisted link with the API error spamblacklist.
func TestEditSpamBlacklistIsTypedAPIError(t *testing.T) {
	c, _ := strictClient(t, true)
	ctx := context.Background()
	if _, err := c.Edit(ctx, &generated.EditParams{
		Title:   "MediaWiki:Spam-blacklist",
		Text:    runtime.Set(`mwgen-spam-[0-9]+\.example` + "\n"),
		Summary: "mwgen test",
	}); err != nil {
		t.Fatal(err)
	}
	host := fmt.Sprintf("mwgen-spam-%d.example", time.Now().UnixNano())
	_, err := c.Edit(ctx, &generated.EditParams{
		Title: "Mwgen spam blacklist test",
		Text:  runtime.Set("See http://" + host + "/page."),
	})
	var ae *runtime.APIError
	if !errors.As(err, &ae) || ae.Code != "spamblacklist" {
		t.Fatalf("want the API error spamblacklist, got %v", err)
	}
	if m := ae.SpamBlacklist(); !slices.Equal(m, []string{host}) {
		t.Errorf("matches %q, want [%s]", m, host)
	}
}

// TestUploadDuplicateIsTypedWarning: the same content under a second name,
// and again under the first, come back as result Warning with the typed
// warnings, and a *runtime.ResultError naming them.
func TestUploadDuplicateIsTypedWarning(t *testing.T) {
	c, _ := strictClient(t, true)
	ctx := context.Background()
	data := uploadTestData(700)
	first := fmt.Sprintf("Mwgen dup first %d.txt", time.Now().UnixNano())
	upload := func(name string) (*generated.UploadResponse, error) {
		return c.Upload(ctx, &generated.UploadParams{
			Filename: name,
			File:     &runtime.File{Name: "dup.txt", Content: strings.NewReader(string(data))},
			Comment:  "mwgen duplicate upload test",
		})
	}
	res, err := upload(first)
	if err != nil || res.Result != generated.UploadStatusSuccess {
		t.Fatalf("first upload: %v %v", res, err)
	}
	res, err = upload("Second " + first)
	re := resultError(t, err)
	if res == nil || res.Result != generated.UploadStatusWarning || res.UploadWarnings == nil || res.Filekey == "" {
		t.Fatalf("answer %v, want Warning with warnings and a filekey", res)
	}
	if want := []string{strings.ReplaceAll(first, " ", "_")}; !slices.Equal(res.UploadWarnings.Duplicate, want) {
		t.Errorf("duplicate warning %q, want %q", res.UploadWarnings.Duplicate, want)
	}
	if re.Value != "Warning" || re.Code != "duplicate" {
		t.Errorf("error %+v, want the warning names", re)
	}
	res, err = upload(first)
	re = resultError(t, err)
	if res == nil || res.UploadWarnings == nil || res.UploadWarnings.Exists != strings.ReplaceAll(first, " ", "_") || res.UploadWarnings.Nochange == nil {
		t.Fatalf("answer %v, want the warnings exists and nochange", res)
	}
	if re.Code != "exists,nochange" {
		t.Errorf("error %+v", re)
	}
}

// TestPurgeAndWatchPerPageFlags: a purge and a watch of a missing, an
// invalid and a special title succeed, with the per-page flags typed.
func TestPurgeAndWatchPerPageFlags(t *testing.T) {
	c, _ := strictClient(t, true)
	ctx := context.Background()
	titles := []string{"Main Page", "Mwgen Never Created", "Special:Nothing", "Bad<title>"}
	pres, err := c.Purge(ctx, &generated.PurgeParams{PageSet: generated.PageSet{Titles: titles}})
	if err != nil {
		t.Fatal(err)
	}
	byTitle := map[string]generated.PurgePurgeItem{}
	for _, it := range pres.Purge {
		byTitle[it.Title] = it
	}
	if it := byTitle["Main Page"]; !it.Purged || it.Missing {
		t.Errorf("Main Page: %+v, want purged", it)
	}
	if it := byTitle["Mwgen Never Created"]; !it.Missing || it.Purged {
		t.Errorf("missing page: %+v, want missing", it)
	}
	if it := byTitle["Special:Nothing"]; !it.Special || !it.Missing {
		t.Errorf("special page: %+v, want special and missing", it)
	}
	if it := byTitle["Bad<title>"]; !it.Invalid || it.Invalidreason == nil || it.Invalidreason.Code != "title-invalid-characters" {
		t.Errorf("invalid title: %+v, want invalid with title-invalid-characters", it)
	}
	wres, err := c.Watch(ctx, &generated.WatchParams{PageSet: generated.PageSet{Titles: titles[1:2]}, Unwatch: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(wres.Watch) != 1 || !wres.Watch[0].Missing || !wres.Watch[0].Unwatched {
		t.Errorf("unwatch of a missing page: %s", wres.Raw())
	}
	wres, err = c.Watch(ctx, &generated.WatchParams{PageSet: generated.PageSet{Titles: titles[3:]}})
	if err != nil {
		t.Fatal(err)
	}
	if len(wres.Watch) != 1 || !wres.Watch[0].Invalid || wres.Watch[0].Invalidreason == nil {
		t.Errorf("watch of an invalid title: %s", wres.Raw())
	}
}

// TestEmailuserFailureIsTyped: the test wiki has no mailer, so a mail that
// passes every check fails in PHP's mail(): result Failure with the
// errors, a *runtime.ResultError with the first. The administrator gets a
// confirmed address in the database for it (an API cannot confirm one).
func TestEmailuserFailureIsTyped(t *testing.T) {
	c, w := strictClient(t, true)
	sqlite(t, w, `UPDATE user SET user_email = 'admin@mwgen.invalid', user_email_authenticated = '20260101000000' WHERE user_name = ?`, w.AdminUser)
	res, err := c.Emailuser(context.Background(), &generated.EmailuserParams{Target: w.AdminUser, Subject: "mwgen test", Text: "Hello from a test."})
	re := resultError(t, err)
	if res == nil || res.Result != generated.EmailuserStatusFailure || len(res.Errors) == 0 || res.Errors[0].Code == "" {
		t.Fatalf("answer %v, want Failure with errors", res)
	}
	if re.Code != res.Errors[0].Code || re.Message != res.Errors[0].Text {
		t.Errorf("error %+v, want the first error of the answer", re)
	}
	t.Logf("error: %v", err)
}
