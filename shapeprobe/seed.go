package shapeprobe

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/url"
	"strings"
	"time"
)

// Seed creates on the wiki the page states rare answer fields need:
// redirects (double, broken, a file redirect), missing, invalid, special and
// interwiki titles (by name in PageStates), a page with several revisions
// and a revision-deleted one, protected and create-protected titles,
// categories with pages, files and a subcategory, a hidden category,
// templates with TemplateData, internal, external and interwiki links, an
// image with two versions and a duplicate, a deleted and a stashed file, page props (DISPLAYTITLE,
// NOINDEX, HIDDENCAT), a JSON page, a gadget, a watchlist,
// a user with changed groups and blocks (user, partial, IP, range), a
// change tag, moved, merged, imported and deleted pages, and so log entries
// of those types.
//
// The client must be logged in as an administrator of a wiki you control.
// Seed is meant for a fresh wiki; on a seeded one, steps that find their
// state already there are skipped. progress (may be nil) gets a line per
// step.
func Seed(ctx context.Context, c *Client, progress io.Writer) error {
	csrf, err := c.Token(ctx, "csrf")
	if err != nil {
		return fmt.Errorf("seed: %w (is the client logged in?)", err)
	}
	a, err := c.Get(ctx, url.Values{"action": {"query"}, "meta": {"userinfo"}})
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	var ui struct {
		Query struct {
			UserInfo struct {
				Name string `json:"name"`
			} `json:"userinfo"`
		} `json:"query"`
	}
	_ = json.Unmarshal(a.Body, &ui)
	s := &seeder{c: c, csrf: csrf, progress: progress, user: ui.Query.UserInfo.Name}
	s.run(ctx)
	if len(s.errs) == 0 {
		s.errs = append(s.errs, waitJobs(ctx, c))
	}
	return errors.Join(s.errs...)
}

// waitJobs waits until the wiki's job queue is empty, so that what the jobs
// write (category membership changes in recentchanges, links of pages that
// use a template) is there before the probe, every time. API requests run
// no jobs; each page view of index.php (next to api.php) runs
// $wgJobRunRate of them (1 by default), so waitJobs views a blank page until
// the queue is empty.
func waitJobs(ctx context.Context, c *Client) error {
	deadline := time.Now().Add(2 * time.Minute)
	index := strings.TrimSuffix(c.api, "api.php") + "index.php?title=Special:BlankPage"
	for {
		a, err := c.Get(ctx, url.Values{"action": {"query"}, "meta": {"siteinfo"}, "siprop": {"statistics"}})
		if err != nil {
			return fmt.Errorf("seed: waiting for jobs: %w", err)
		}
		var r struct {
			Query struct {
				Statistics struct {
					Jobs int `json:"jobs"`
				} `json:"statistics"`
			} `json:"query"`
		}
		if err := json.Unmarshal(a.Body, &r); err != nil {
			return fmt.Errorf("seed: waiting for jobs: %w", err)
		}
		if r.Query.Statistics.Jobs == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("seed: %d jobs still queued after 2 minutes (is $wgJobRunRate 0? run maintenance/runJobs.php on the wiki, then probe without --seed)", r.Query.Statistics.Jobs)
		}
		if err := c.view(ctx, index); err != nil {
			return fmt.Errorf("seed: running jobs: %w", err)
		}
	}
}

type seeder struct {
	c        *Client
	csrf     string
	user     string
	progress io.Writer
	errs     []error
}

// post sends a write with the csrf token; codes lists error codes that
// mean "already done".
func (s *seeder) post(ctx context.Context, what string, p url.Values, codes ...string) []byte {
	if _, ok := p["token"]; !ok {
		p.Set("token", s.csrf)
	}
	a, err := s.c.Post(ctx, p)
	return s.check(what, a, err, codes)
}

func (s *seeder) check(what string, a *Answer, err error, codes []string) []byte {
	if s.progress != nil {
		fmt.Fprintf(s.progress, "seed: %s\n", what)
	}
	if err != nil {
		s.errs = append(s.errs, fmt.Errorf("seed %s: %w", what, err))
		return nil
	}
	if a.ErrorCode != "" {
		for _, c := range codes {
			if a.ErrorCode == c {
				return a.Body
			}
		}
		s.errs = append(s.errs, fmt.Errorf("seed %s: API error %s: %s", what, a.ErrorCode, excerpt(a.Body)))
		return nil
	}
	return a.Body
}

func (s *seeder) edit(ctx context.Context, title, text string, extra ...string) {
	p := url.Values{"action": {"edit"}, "title": {title}, "text": {text}, "summary": {"mwgen seed"}}
	for i := 0; i+1 < len(extra); i += 2 {
		p.Set(extra[i], extra[i+1])
	}
	s.post(ctx, "edit "+title, p)
}

func (s *seeder) upload(ctx context.Context, name string, data []byte, text string) {
	p := url.Values{"action": {"upload"}, "filename": {name}, "text": {text},
		"comment": {"mwgen seed"}, "ignorewarnings": {"1"}, "token": {s.csrf}}
	a, err := s.c.PostFile(ctx, p, "file", name, data)
	s.check("upload "+name, a, err, nil)
}

// pngImage returns a small PNG of one colour.
func pngImage(c color.RGBA) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 4, 3))
	for x := 0; x < 4; x++ {
		for y := 0; y < 3; y++ {
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, img) // encoding an in-memory RGBA image cannot fail
	return buf.Bytes()
}

func (s *seeder) run(ctx context.Context) {
	// A second user, and a change tag.
	ca, err := s.c.Token(ctx, "createaccount")
	if err == nil {
		s.post(ctx, "create account Mwgen User", url.Values{"action": {"createaccount"},
			"username": {"Mwgen User"}, "password": {"Mwgen-User-Passw0rd-1.39"},
			"retype": {"Mwgen-User-Passw0rd-1.39"}, "createreturnurl": {"http://127.0.0.1/"},
			"createtoken": {ca}, "token": {""}}, "userexists")
	} else {
		s.errs = append(s.errs, fmt.Errorf("seed: %w", err))
	}
	// The source of a history merge must be older than its destination.
	s.edit(ctx, "Mwgen Merge Source", "Merge source.")
	s.post(ctx, "create tag mwgen-tag", url.Values{"action": {"managetags"}, "operation": {"create"},
		"tag": {"mwgen-tag"}, "reason": {"mwgen seed"}}, "tags-create-already-exists")

	// Files first, so pages that use them link to existing files.
	red, blue := pngImage(color.RGBA{200, 0, 0, 255}), pngImage(color.RGBA{0, 0, 200, 255})
	s.upload(ctx, "Mwgen.png", red, "A test image. [[Category:Mwgen Cat]]")
	s.upload(ctx, "Mwgen.png", blue, "")
	s.upload(ctx, "Mwgen Copy.png", blue, "A duplicate.")
	s.edit(ctx, "File:Mwgen Redirect.png", "#REDIRECT [[File:Mwgen.png]]")
	// A deleted file (filearchive) and a stashed one (mystashedfiles).
	s.upload(ctx, "Mwgen Deleted.png", pngImage(color.RGBA{0, 200, 0, 255}), "To be deleted.")
	s.post(ctx, "delete File:Mwgen Deleted.png", url.Values{"action": {"delete"}, "title": {"File:Mwgen Deleted.png"},
		"reason": {"mwgen seed"}}, "missingtitle")
	stash := url.Values{"action": {"upload"}, "filename": {"Mwgen Stashed.png"}, "stash": {"1"},
		"ignorewarnings": {"1"}, "token": {s.csrf}}
	a, err := s.c.PostFile(ctx, stash, "file", "Mwgen Stashed.png", pngImage(color.RGBA{200, 200, 0, 255}))
	s.check("stash Mwgen Stashed.png", a, err, nil)

	s.edit(ctx, "Template:Mwgen Template", `Template text {{{1|}}}.<noinclude><templatedata>{"description":"A test template.","params":{"1":{"label":"One","type":"string"}}}</templatedata></noinclude>`)
	s.edit(ctx, "Mwgen Target", "The target. [[Category:Mwgen Cat]]")
	s.edit(ctx, "Mwgen Page", "{{DISPLAYTITLE:Mwgen ''Page''}}__NOINDEX__\n"+
		"Links: [[Mwgen Target]] [[Mwgen Missing]] [[Talk:Mwgen Page]] [[Mwgen Redirect]] "+
		"http://example.org/ [https://example.org/x ex] [[wikipedia:Mwgen Interwiki]].\n"+
		"{{Mwgen Template|x}} [[File:Mwgen.png|thumb|An image]] [[File:Mwgen Missing.png]]\n"+
		"== Section ==\nText.\n=== Subsection ===\nMore.\n"+
		"[[Category:Mwgen Cat]] [[Category:Mwgen Hidden]]", "tags", "mwgen-tag")
	for i := 1; i <= 3; i++ {
		s.edit(ctx, "Mwgen History", fmt.Sprintf("Revision %d. [[Mwgen Target]]", i))
	}
	s.edit(ctx, "Mwgen Redirect", "#REDIRECT [[Mwgen Target]]")
	s.edit(ctx, "Mwgen Double Redirect", "#REDIRECT [[Mwgen Redirect]]")
	s.edit(ctx, "Mwgen Broken Redirect", "#REDIRECT [[Mwgen Nowhere]]")
	s.edit(ctx, "Talk:Mwgen Page", "Talk. ~~~~")
	s.edit(ctx, "Mwgen Data.json", `{"a": 1}`, "contentmodel", "json")
	s.edit(ctx, "Category:Mwgen Cat", "A category.")
	s.edit(ctx, "Category:Mwgen Hidden", "__HIDDENCAT__ A hidden category.")
	s.edit(ctx, "Category:Mwgen Sub", "A subcategory. [[Category:Mwgen Cat]]")
	s.edit(ctx, "User:Mwgen User", "A user page.")
	s.edit(ctx, "MediaWiki:Gadgets-definition", "== mwgen-section ==\n* mwgen[ResourceLoader]|mwgen.js\n")
	s.edit(ctx, "MediaWiki:Gadget-mwgen.js", "/* mwgen test gadget */")

	// Moves, protection, deletion, merge, import.
	s.edit(ctx, "Mwgen Moved From", "To be moved.")
	s.post(ctx, "move Mwgen Moved From", url.Values{"action": {"move"}, "from": {"Mwgen Moved From"},
		"to": {"Mwgen Moved To"}, "reason": {"mwgen seed"}, "movetalk": {"1"}}, "articleexists", "missingtitle")
	s.edit(ctx, "Mwgen Protected", "Protected.")
	s.post(ctx, "protect Mwgen Protected", url.Values{"action": {"protect"}, "title": {"Mwgen Protected"},
		"protections": {"edit=sysop|move=sysop"}, "expiry": {"infinite|2099-01-01T00:00:00Z"}, "reason": {"mwgen seed"}})
	s.post(ctx, "protect Mwgen Salted", url.Values{"action": {"protect"}, "title": {"Mwgen Salted"},
		"protections": {"create=sysop"}, "expiry": {"infinite"}, "reason": {"mwgen seed"}})
	s.edit(ctx, "Mwgen Deleted", "To be deleted.")
	s.post(ctx, "delete Mwgen Deleted", url.Values{"action": {"delete"}, "title": {"Mwgen Deleted"},
		"reason": {"mwgen seed"}}, "missingtitle")
	s.edit(ctx, "Mwgen Merge Dest", "Merge destination.")
	s.importPage(ctx)

	// Revision deletion (and suppression) needs the suppress group.
	if tok, err := s.c.Token(ctx, "userrights"); err == nil {
		s.post(ctx, "join suppress", url.Values{"action": {"userrights"}, "user": {s.user},
			"add": {"suppress"}, "reason": {"mwgen seed"}, "token": {tok}})
	}
	// Revision deletion of Mwgen History's first revision.
	if a, err := s.c.Get(ctx, url.Values{"action": {"query"}, "prop": {"revisions"}, "titles": {"Mwgen History"},
		"rvlimit": {"1"}, "rvdir": {"newer"}, "rvprop": {"ids"}}); err == nil {
		var r struct {
			Query struct {
				Pages []struct {
					Revisions []struct {
						RevID int64 `json:"revid"`
					} `json:"revisions"`
				} `json:"pages"`
			} `json:"query"`
		}
		if json.Unmarshal(a.Body, &r) == nil && len(r.Query.Pages) == 1 && len(r.Query.Pages[0].Revisions) == 1 {
			s.post(ctx, "revision-delete", url.Values{"action": {"revisiondelete"}, "type": {"revision"},
				"ids": {fmt.Sprint(r.Query.Pages[0].Revisions[0].RevID)}, "hide": {"comment|user"}, "suppress": {"yes"},
				"reason": {"mwgen seed"}})
		} else {
			s.errs = append(s.errs, fmt.Errorf("seed: no first revision of Mwgen History: %s", excerpt(a.Body)))
		}
	} else {
		s.errs = append(s.errs, fmt.Errorf("seed: %w", err))
	}

	// Blocks (never of 127.0.0.1: the probe itself comes from there).
	for _, b := range []url.Values{
		{"user": {"Mwgen User"}, "partial": {"1"}, "pagerestrictions": {"Mwgen Page"}, "namespacerestrictions": {"1"}, "allowusertalk": {"1"}},
		{"user": {"192.0.2.7"}, "anononly": {"1"}, "nocreate": {"1"}},
		{"user": {"198.51.100.0/24"}},
	} {
		b.Set("action", "block")
		b.Set("expiry", "2099-01-01T00:00:00Z")
		b.Set("reason", "mwgen seed")
		s.post(ctx, "block "+b.Get("user"), b, "alreadyblocked")
	}

	// Groups, watchlist.
	if tok, err := s.c.Token(ctx, "userrights"); err == nil {
		s.post(ctx, "user rights", url.Values{"action": {"userrights"}, "user": {"Mwgen User"},
			"add": {"bot|sysop"}, "expiry": {"infinite|2099-01-01T00:00:00Z"}, "reason": {"mwgen seed"}, "token": {tok}})
	} else {
		s.errs = append(s.errs, fmt.Errorf("seed: %w", err))
	}
	if tok, err := s.c.Token(ctx, "watch"); err == nil {
		s.post(ctx, "watch", url.Values{"action": {"watch"}, "titles": {"Mwgen Page|Mwgen Target|Mwgen History|Mwgen Missing"},
			"token": {tok}})
		s.post(ctx, "watch for a while", url.Values{"action": {"watch"}, "titles": {"Mwgen Redirect"},
			"expiry": {"2099-01-01T00:00:00Z"}, "token": {tok}})
	} else {
		s.errs = append(s.errs, fmt.Errorf("seed: %w", err))
	}
	// A last edit after watching, so the watchlist has a change.
	s.edit(ctx, "Mwgen Target", "The target, changed. [[Category:Mwgen Cat]]")
	s.post(ctx, "merge history", url.Values{"action": {"mergehistory"}, "from": {"Mwgen Merge Source"},
		"to": {"Mwgen Merge Dest"}, "reason": {"mwgen seed"}}, "mergehistory-fail-no-change", "nothingtomerge")
}

// importPage imports an XML export of Mwgen Target as Mwgen Imported.
func (s *seeder) importPage(ctx context.Context) {
	body, err := s.c.getRaw(ctx, url.Values{"action": {"query"}, "export": {"1"}, "exportnowrap": {"1"},
		"titles": {"Mwgen Target"}})
	if err != nil {
		s.errs = append(s.errs, fmt.Errorf("seed: export: %w", err))
		return
	}
	xml := strings.ReplaceAll(string(body), "<title>Mwgen Target</title>", "<title>Mwgen Imported</title>")
	p := url.Values{"action": {"import"}, "interwikiprefix": {"mwgen"}, "summary": {"mwgen seed"}, "token": {s.csrf}}
	a, err := s.c.PostFile(ctx, p, "xml", "import.xml", []byte(xml))
	s.check("import Mwgen Imported", a, err, nil)
}
