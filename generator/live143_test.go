package generator

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mwgen/mwgen/apischema"
	"github.com/mwgen/mwgen/internal/testwiki"
)

// live143Program uses a client generated from the embedded MediaWiki 1.43
// schema and shapes against the real 1.43 wiki, in strict drift mode: any
// key its types do not know, any value of another JSON type, fails it. It
// prints one line per check; the test compares them.
const live143Program = `package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/mwgen/mwgen/runtime"

	wiki "github.com/mwgen/mwgen/generator/DIR/wiki143"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run() error {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	rt, err := runtime.NewClient(os.Getenv("API"), runtime.Options{
		UserAgent: "mwgen-tests/1 (https://github.com/mwgen/mwgen)",
		Drift:     runtime.DriftStrict,
	})
	if err != nil {
		return err
	}
	if err := rt.Login(ctx, os.Getenv("BOT_USER"), os.Getenv("BOT_PASSWORD")); err != nil {
		return err
	}
	c := wiki.New(rt)

	si, err := c.Query(ctx, &wiki.QueryParams{Meta: wiki.QueryMetas{
		Siteinfo: &wiki.QuerySiteinfoParams{Prop: []wiki.QuerySiteinfoProp{wiki.QuerySiteinfoPropGeneral}},
		Userinfo: &wiki.QueryUserinfoParams{},
	}})
	if err != nil {
		return fmt.Errorf("siteinfo: %w", err)
	}
	fmt.Printf("generator %.14s\n", si.General.Generator)
	fmt.Printf("user %s\n", si.Userinfo.Name)

	title := "Mwgen 1.43 typed " + os.Getenv("RUN")
	ed, err := c.Edit(ctx, &wiki.EditParams{Title: title, Text: runtime.Set("Hello 1.43.\n[[Category:Mwgen 1.43]]"), Summary: "test"})
	if err != nil {
		return fmt.Errorf("edit: %w", err)
	}
	fmt.Printf("edit %s new=%v rev>0=%v\n", ed.Result, ed.New, ed.Newrevid > 0)

	n := 0
	for p, err := range c.QueryPages(ctx, &wiki.QueryParams{
		PageSet: wiki.PageSet{Titles: []string{title, "Mwgen 1.43 missing page"}},
		Prop: wiki.QueryProps{
			Revisions:  &wiki.QueryRevisionsParams{Prop: []wiki.QueryRevisionsProp{wiki.QueryRevisionsPropIDs, wiki.QueryRevisionsPropSize}},
			Info:       &wiki.QueryInfoParams{},
			Categories: &wiki.QueryCategoriesParams{},
		},
	}) {
		if err != nil {
			return fmt.Errorf("pages: %w", err)
		}
		n++
		switch {
		case p.Missing:
			fmt.Printf("page %q missing\n", p.Title)
		default:
			fmt.Printf("page %q rev=%v cats=%d\n", p.Title, len(p.Revisions) == 1 && p.Revisions[0].RevID == ed.Newrevid, len(p.Categories))
		}
	}
	fmt.Printf("pages %d\n", n)

	items := 0
	for it, err := range c.AllpagesItems(ctx, &wiki.QueryAllpagesParams{Prefix: "Mwgen 1.43 typed", Limit: 1}) {
		if err != nil {
			return fmt.Errorf("allpages: %w", err)
		}
		if it.Title == title {
			items++
		}
	}
	fmt.Printf("allpages found it %d\n", items)
	return nil
}
`

// TestLive143TypedAnswers generates the client a user gets from the
// embedded MediaWiki 1.43 schema with its embedded shapes (what `mwgen
// generate --schema mediawiki-1.43.json` picks), builds a program on it and
// runs it against the real 1.43 wiki in strict drift mode: siteinfo and
// userinfo, an edit, the merged page iterator over a page and a missing
// one, and a list item iterator.
func TestLive143TypedAnswers(t *testing.T) {
	w := testwiki.RequireVersion(t, testwiki.V143)
	s, err := apischema.Snapshot("1.43")
	if err != nil {
		t.Fatal(err)
	}
	sh, exact, err := apischema.ShapesForSchema(s)
	if err != nil {
		t.Fatal(err)
	}
	if !exact || apischema.SeriesOf(sh.MediaWikiVersion()) != "1.43" {
		t.Fatalf("ShapesForSchema(1.43 snapshot) = MediaWiki %s shapes (exact %v), want the 1.43 ones", sh.MediaWikiVersion(), exact)
	}
	ov, err := apischema.DefaultOverlay()
	if err != nil {
		t.Fatal(err)
	}
	files, err := Generate(s, Options{Package: "wiki143", Shapes: sh, Overlay: ov})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll("testdata", 0o755); err != nil {
		t.Fatal(err)
	}
	scratch, err := os.MkdirTemp("testdata", "live143-*")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(scratch) })
	if err := WriteDir(filepath.Join(scratch, "wiki143"), files); err != nil {
		t.Fatal(err)
	}
	prog := strings.ReplaceAll(live143Program, "DIR", filepath.ToSlash(scratch))
	if err := os.MkdirAll(filepath.Join(scratch, "cmd"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(scratch, "cmd", "main.go"), []byte(prog), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "run", "./"+filepath.ToSlash(filepath.Join(scratch, "cmd")))
	cmd.Env = append(os.Environ(), "API="+w.API, "BOT_USER="+w.BotUser, "BOT_PASSWORD="+w.BotPassword,
		"RUN="+filepath.Base(scratch))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the program on the 1.43 client failed: %v\n%s", err, out)
	}
	title := "Mwgen 1.43 typed " + filepath.Base(scratch)
	want := "generator MediaWiki 1.43\n" +
		"user " + strings.SplitN(w.BotUser, "@", 2)[0] + "\n" +
		"edit Success new=true rev>0=true\n" +
		"page \"Mwgen 1.43 missing page\" missing\n" +
		"page \"" + title + "\" rev=true cats=1\n" +
		"pages 2\n" +
		"allpages found it 1\n"
	if string(out) != want {
		t.Errorf("the program printed:\n%s\nwant:\n%s", out, want)
	}
}
