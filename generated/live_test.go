package generated_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mwgen/mwgen/apischema"
	"github.com/mwgen/mwgen/generated"
	"github.com/mwgen/mwgen/generator"
	"github.com/mwgen/mwgen/internal/testwiki"
	"github.com/mwgen/mwgen/runtime"
)

func TestMain(m *testing.M) { testwiki.Main(m) }

// TestLiveGenerationIsThisPackage generates a client from the live wiki's
// schema and checks that it is this package, but for the wiki's address in
// the headers: so the tests below exercise the client generated from the
// live wiki.
func TestLiveGenerationIsThisPackage(t *testing.T) {
	w := testwiki.Require(t)
	live, err := apischema.Fetch(context.Background(), w.API, apischema.FetchOptions{HelpFormat: "wikitext"})
	if err != nil {
		t.Fatal(err)
	}
	fromLive, err := generator.Generate(live, generatedOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	embedded, err := apischema.Default()
	if err != nil {
		t.Fatal(err)
	}
	fromEmbedded, err := generator.Generate(embedded, generatedOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(fromLive) != len(fromEmbedded) {
		t.Fatalf("%d files from the live wiki, %d from the embedded snapshot", len(fromLive), len(fromEmbedded))
	}
	for i := range fromLive {
		got := strings.ReplaceAll(string(fromLive[i].Data), w.API, embedded.Wiki.API)
		if fromLive[i].Name != fromEmbedded[i].Name || got != string(fromEmbedded[i].Data) {
			t.Errorf("%s differs between the live and the embedded generation", fromLive[i].Name)
		}
	}
}

// newClient logs in with the test wiki's bot password through the generated
// client (meta=tokens for the login token, then action=login).
func newClient(t *testing.T) (*generated.Client, *testwiki.Wiki) {
	t.Helper()
	w := testwiki.Require(t)
	jar, _ := cookiejar.New(nil)
	rt, err := runtime.NewClient(w.API, runtime.Options{
		HTTPClient: &http.Client{Jar: jar, Timeout: time.Minute},
		UserAgent:  "mwgen-tests/1 (https://github.com/mwgen/mwgen)",
	})
	if err != nil {
		t.Fatal(err)
	}
	c := generated.New(rt)
	ctx := context.Background()
	res, err := c.Query(ctx, &generated.QueryParams{Meta: generated.QueryMetas{Tokens: &generated.QueryTokensParams{Type: []generated.QueryTokensType{generated.QueryTokensTypeLogin}}}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Tokens == nil || res.Tokens.Logintoken == "" {
		t.Fatalf("login token: %s", res.Raw())
	}
	login, err := c.Login(ctx, &generated.LoginParams{Name: w.BotUser, Password: w.BotPassword, Token: res.Tokens.Logintoken})
	if err != nil {
		t.Fatal(err)
	}
	if login.Result != generated.LoginStatusSuccess {
		t.Fatalf("login: %s", login.Raw())
	}
	return c, w
}

// createPages makes n pages named prefix+number through the generated Edit.
func createPages(t *testing.T, c *generated.Client, prefix string, n int) []string {
	t.Helper()
	var titles []string
	for i := range n {
		title := fmt.Sprintf("%s%03d", prefix, i)
		res, err := c.Edit(context.Background(), &generated.EditParams{
			Title:   title,
			Text:    runtime.Set(fmt.Sprintf("Page %d of a generated-client test.", i)),
			Summary: "mwgen test",
			Bot:     true,
		})
		if err != nil {
			t.Fatalf("edit %s: %v", title, err)
		}
		if res.Result != "Success" || res.Newrevid == 0 {
			t.Fatalf("edit %s: %s", title, res.Raw())
		}
		titles = append(titles, title)
	}
	return titles
}

// TestListSubmoduleWithContinuation runs list=allpages through the generated
// QueryAll, 3 titles a batch, and sees every page exactly once.
func TestListSubmoduleWithContinuation(t *testing.T) {
	c, _ := newClient(t)
	want := createPages(t, c, "Mwgen list test ", 11)
	var got []string
	batches := 0
	for res, err := range c.QueryAll(context.Background(), &generated.QueryParams{
		List: generated.QueryLists{Allpages: &generated.QueryAllpagesParams{
			Prefix: "Mwgen list test ",
			Limit:  3,
		}},
	}) {
		if err != nil {
			t.Fatal(err)
		}
		batches++
		for _, p := range res.Allpages {
			got = append(got, p.Title)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("allpages gave %q, want %q", got, want)
	}
	if batches != 4 {
		t.Errorf("%d batches, want 4 (11 pages, 3 a batch)", batches)
	}
}

// TestGeneratorWithProp uses generator=allpages (gap… parameters) with
// prop=info through the generated client.
func TestGeneratorWithProp(t *testing.T) {
	c, _ := newClient(t)
	want := createPages(t, c, "Mwgen generator test ", 4)
	res, err := c.Query(context.Background(), &generated.QueryParams{
		PageSet: generated.PageSet{Generator: generated.Generator{Allpages: &generated.QueryAllpagesParams{
			Prefix: "Mwgen generator test ",
			Limit:  runtime.Max,
		}}},
		Prop: generated.QueryProps{Info: &generated.QueryInfoParams{}},
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range res.Pages {
		if p.QueryInfoPage == nil || p.Lastrevid == 0 || p.Length == 0 {
			t.Errorf("prop=info missing for %+v", p)
		}
		got = append(got, p.Title)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("generator gave %q, want %q", got, want)
	}
	for _, w := range res.Warnings {
		t.Errorf("unexpected warning (a wrong prefix shows up as unrecognizedparams): %v", w)
	}
}

// TestValidationBeforeSending: problems are reported together, naming the
// module and the wire parameter, and nothing is sent.
func TestValidationBeforeSending(t *testing.T) {
	rt, err := runtime.NewClient("http://127.0.0.1:1/api.php", runtime.Options{UserAgent: "mwgen-tests/1"})
	if err != nil {
		t.Fatal(err)
	}
	c := generated.New(rt)
	_, err = c.Query(context.Background(), &generated.QueryParams{
		List: generated.QueryLists{Allpages: &generated.QueryAllpagesParams{
			Limit:       6000,
			Filterredir: "sideways",
		}},
		PageSet: generated.PageSet{Generator: generated.Generator{
			Allpages:   &generated.QueryAllpagesParams{},
			Categories: &generated.QueryCategoriesParams{},
		}},
	})
	var verr *runtime.ValidationError
	if !errorsAs(err, &verr) {
		t.Fatalf("want a *runtime.ValidationError, got %v", err)
	}
	msg := err.Error()
	for _, want := range []string{"query+allpages: aplimit: 6000 is above the maximum 500 (5000 with apihighlimits)", `apfilterredir: "sideways" is not one of`, "query: generator: 2 alternatives given"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
}

func errorsAs(err error, target **runtime.ValidationError) bool {
	return errors.As(err, target)
}

func generatedOptions(t *testing.T) generator.Options {
	t.Helper()
	opt, err := generator.GeneratedOptions()
	if err != nil {
		t.Fatal(err)
	}
	return opt
}
