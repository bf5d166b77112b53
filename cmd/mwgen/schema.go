package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/mwgen/mwgen/apischema"
	"github.com/mwgen/mwgen/internal/version"
)

func runVersion(_ context.Context, e env, args []string) int {
	fs := newFlags(e, "version", "mwgen version", `  # Which mwgen made a generated package? Compare with its header:
  mwgen version
`)
	if code, done := parse(fs, args); done {
		return code
	}
	if fs.NArg() > 0 {
		return fail(e, "version", fmt.Errorf("unexpected arguments %q", fs.Args()))
	}
	fmt.Fprintf(e.stdout, "mwgen %s\n", version.Version)
	return exitOK
}

func runSchema(ctx context.Context, e env, args []string) int {
	if len(args) == 0 || args[0] == "--help" || args[0] == "-h" || args[0] == "help" {
		out := e.stdout
		code := exitOK
		if len(args) == 0 {
			out, code = e.stderr, exitError
		}
		fmt.Fprint(out, `Usage:
  mwgen schema fetch --api URL [-o FILE]   read a wiki's whole API schema
  mwgen schema diff OLD NEW                 compare two schemas

Examples:
  mwgen schema fetch --api https://www.mediawiki.org -o mediawiki.json
  mwgen schema diff --common old.json new.json

Run 'mwgen schema fetch --help' or 'mwgen schema diff --help' for details.
`)
		return code
	}
	switch args[0] {
	case "fetch":
		return runSchemaFetch(ctx, e, args[1:])
	case "diff":
		return runSchemaDiff(ctx, e, args[1:])
	}
	fmt.Fprintf(e.stderr, "mwgen schema: unknown subcommand %q: want fetch or diff\n", args[0])
	return exitError
}

func runSchemaFetch(ctx context.Context, e env, args []string) int {
	fs := newFlags(e, "schema fetch", "mwgen schema fetch --api URL [-o FILE] [flags]", `  # Save a wiki's schema, with help text, as a snapshot:
  mwgen schema fetch --api https://www.mediawiki.org/w/api.php -o mediawiki.json

  # Print it on stdout, without help text:
  mwgen schema fetch --api https://wiki.example.org/w/api.php --help-format none

  # Any page of the wiki will do (its EditURI link names api.php); -v logs
  # every request:
  mwgen schema fetch --api https://en.wikipedia.org/wiki/Main_Page -o enwiki.json -v
`)
	api := fs.String("api", "", "the wiki's `URL`: its api.php, or any page of the wiki (required)")
	out := fs.StringP("output", "o", "", "write the snapshot to `FILE` (atomically) instead of stdout")
	helpFormat := fs.String("help-format", "wikitext", "help text to include: wikitext, html, raw or none")
	userAgent := fs.String("user-agent", "", "your tool and contact, prepended to mwgen's User-Agent")
	wf := addWikiFlags(fs)
	if code, done := parse(fs, args); done {
		return code
	}
	if *api == "" {
		return fail(e, "schema fetch", errors.New("--api is required (the wiki's api.php URL)"))
	}
	if fs.NArg() > 0 {
		return fail(e, "schema fetch", fmt.Errorf("unexpected arguments %q", fs.Args()))
	}
	ctx, cancel := wf.context(ctx)
	defer cancel()

	start := time.Now()
	u, err := wf.findAPI(ctx, e, *api, *userAgent)
	if err != nil {
		return fail(e, "schema fetch", err)
	}
	opt := wf.fetchOptions(e, *helpFormat, *userAgent)
	if opt.Progress == nil {
		opt.Progress = func(p apischema.FetchProgress) {
			// Quiet for a quick fetch; a word on stderr once it takes a moment.
			if time.Since(start) > time.Second {
				fmt.Fprintf(e.stderr, "mwgen: %s (%d requests, %d modules so far)\n", p.Step, p.Requests, p.Modules)
			}
		}
	}
	s, err := apischema.Fetch(ctx, u, opt)
	if err != nil {
		return fail(e, "schema fetch", err)
	}
	if sum := apischema.DanglingSummary(s.Dangling()); sum != "" {
		fmt.Fprintf(e.stderr, "mwgen schema fetch: warning: %s (the wiki gave no paraminfo for them)\n", sum)
	}
	if d := time.Since(start); d > time.Second {
		fmt.Fprintf(e.stderr, "mwgen: fetched %d modules of %s in %s\n", len(s.Modules), s.Wiki.Generator, d.Round(time.Millisecond))
	}
	if *out != "" {
		if err := s.WriteSnapshot(*out); err != nil {
			return fail(e, "schema fetch", err)
		}
		return exitOK
	}
	data, err := s.MarshalSnapshot()
	if err != nil {
		return fail(e, "schema fetch", err)
	}
	if _, err := e.stdout.Write(data); err != nil {
		return fail(e, "schema fetch", err)
	}
	return exitOK
}

func runSchemaDiff(_ context.Context, e env, args []string) int {
	fs := newFlags(e, "schema diff", "mwgen schema diff [--common] [--format text|json] OLD NEW", `  # What changed between two saved schemas (snapshots or raw paraminfo):
  mwgen schema diff wiki-1.39.json wiki-1.41.json

  # Two wikis with different extensions, or partial dumps: only the
  # modules both have.
  mwgen schema diff --common enwiki.json dewiki.json

  # In a script: 0 means no change, 1 changes, 2 an error.
  mwgen schema diff old.json new.json >/dev/null || echo "the API changed"
  mwgen schema diff --format json old.json new.json | jq '.breaking'
`)
	common := fs.Bool("common", false, "compare only the modules present in both schemas")
	format := fs.String("format", "text", "output format: text (one line per change, then a summary line) or json")
	if code, done := parse(fs, args); done {
		return code
	}
	if *format != "text" && *format != "json" {
		return fail(e, "schema diff", fmt.Errorf("unknown --format %q: want text or json", *format))
	}
	if fs.NArg() != 2 {
		return fail(e, "schema diff", fmt.Errorf("want two schema files, OLD and NEW; got %d arguments", fs.NArg()))
	}
	old, err := apischema.ReadFile(fs.Arg(0))
	if err != nil {
		return fail(e, "schema diff", err)
	}
	cur, err := apischema.ReadFile(fs.Arg(1))
	if err != nil {
		return fail(e, "schema diff", err)
	}
	diff := apischema.Diff
	if *common {
		diff = apischema.DiffCommon
	}
	d := diff(old, cur)
	if *format == "json" {
		b, err := json.MarshalIndent(d, "", "  ")
		if err != nil {
			return fail(e, "schema diff", err)
		}
		fmt.Fprintf(e.stdout, "%s\n", b)
	} else {
		fmt.Fprint(e.stdout, d.String())
	}
	if d.Empty() {
		return exitOK
	}
	return exitChanges
}
