package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/mwgen/mwgen/apischema"
	"github.com/mwgen/mwgen/internal/version"
)

func runVersion(_ context.Context, e env, _ []string) int {
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
`)
	api := fs.String("api", "", "the wiki's api.php `URL` (required)")
	out := fs.StringP("output", "o", "", "write the snapshot to `FILE` (atomically) instead of stdout")
	helpFormat := fs.String("help-format", "wikitext", "help text to include: wikitext, html, raw or none")
	userAgent := fs.String("user-agent", "", "your tool and contact, prepended to mwgen's User-Agent")
	timeout := fs.Duration("timeout", 2*time.Minute, "give up after this long")
	if code, done := parse(fs, args); done {
		return code
	}
	if *api == "" {
		return fail(e, "schema fetch", errors.New("--api is required (the wiki's api.php URL)"))
	}
	if fs.NArg() > 0 {
		return fail(e, "schema fetch", fmt.Errorf("unexpected arguments %q", fs.Args()))
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()

	start := time.Now()
	progress := func(p apischema.FetchProgress) {
		// Quiet for a quick fetch; a word on stderr once it takes a moment.
		if time.Since(start) > time.Second {
			fmt.Fprintf(e.stderr, "mwgen: %s (%d requests, %d modules so far)\n", p.Step, p.Requests, p.Modules)
		}
	}
	s, err := apischema.Fetch(ctx, *api, apischema.FetchOptions{
		HelpFormat: *helpFormat,
		UserAgent:  *userAgent,
		Progress:   progress,
	})
	if err != nil {
		return fail(e, "schema fetch", err)
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
	fs := newFlags(e, "schema diff", "mwgen schema diff OLD NEW", `  # What changed between two saved schemas (snapshots or raw paraminfo):
  mwgen schema diff wiki-1.39.json wiki-1.41.json

  # In a script: 0 means no change, 1 changes, 2 an error.
  mwgen schema diff old.json new.json >/dev/null || echo "the API changed"
`)
	if code, done := parse(fs, args); done {
		return code
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
	d := apischema.Diff(old, cur)
	fmt.Fprint(e.stdout, d.String())
	if d.Empty() {
		return exitOK
	}
	return exitChanges
}
