package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"

	"github.com/mwgen/mwgen/apischema"
	"github.com/mwgen/mwgen/shapeprobe"
)

func runShapes(ctx context.Context, e env, args []string) int {
	if len(args) == 0 || args[0] == "--help" || args[0] == "-h" || args[0] == "help" {
		out, code := e.stdout, exitOK
		if len(args) == 0 {
			out, code = e.stderr, exitError
		}
		fmt.Fprint(out, `Usage:
  mwgen shapes probe --api URL -o FILE   learn a test wiki's response shapes
  mwgen shapes coverage [FILE]           what a shapes file covers, and its gaps
  mwgen shapes diff OLD NEW              compare two shapes files (! marks breaking changes)

Examples:
  # Learn the shapes of a test wiki that has the trace hook, seeding it first:
  MWGEN_PROBE_PASSWORD=... mwgen shapes probe --api http://127.0.0.1:8080/api.php --user Admin --seed -o shapes.json
  # What the embedded MediaWiki 1.39 shapes cover, gaps by name (1.43: --schema
  # apischema/snapshots/mediawiki-1.43.json, or give the 1.43 shapes file):
  mwgen shapes coverage

Run 'mwgen shapes probe --help' (or coverage, diff) for details.
`)
		return code
	}
	switch args[0] {
	case "probe":
		return runShapesProbe(ctx, e, args[1:])
	case "coverage":
		return runShapesCoverage(ctx, e, args[1:])
	case "diff":
		return runShapesDiff(ctx, e, args[1:])
	}
	fmt.Fprintf(e.stderr, "mwgen shapes: unknown subcommand %q: want probe, coverage or diff\n", args[0])
	return exitError
}

func runShapesProbe(ctx context.Context, e env, args []string) int {
	fs := newFlags(e, "shapes probe", "mwgen shapes probe --api URL -o FILE [flags]", `  # Probe a wiki that has the trace hook (internal/testwiki/mwgen-trace.php):
  #   cp mwgen-trace.php /path/to/wiki/
  #   echo "require_once __DIR__ . '/mwgen-trace.php';" >> /path/to/wiki/LocalSettings.php
  # then seed it (a fresh wiki you control!) and probe it as an administrator:
  MWGEN_PROBE_PASSWORD=... mwgen shapes probe --api http://127.0.0.1:8080/api.php \
      --user Admin --seed -o shapes.json

  # Interrupted? Run the same command again: it resumes from FILE.samples.jsonl.
`)
	api := fs.String("api", "", "the wiki's api.php `URL` (required; the wiki must have the trace hook)")
	out := fs.StringP("output", "o", "", "write the shapes to `FILE` (required, atomically)")
	samples := fs.String("samples", "", "keep the samples in `FILE` (default: the output file + .samples.jsonl)")
	schemaFile := fs.String("schema", "", "the wiki's schema snapshot `FILE` (default: fetch it from the wiki)")
	user := fs.String("user", "", "log in as this `USER` (a main password, or a bot password as User@app); the password comes from $MWGEN_PROBE_PASSWORD")
	seed := fs.Bool("seed", false, "first create the page states the probe needs (on a fresh test wiki)")
	if code, done := parse(fs, args); done {
		return code
	}
	switch {
	case *api == "":
		return fail(e, "shapes probe", errors.New("--api is required (the wiki's api.php URL)"))
	case *out == "":
		return fail(e, "shapes probe", errors.New("-o FILE is required"))
	case *seed && *user == "":
		return fail(e, "shapes probe", errors.New("--seed needs --user (an administrator) and $MWGEN_PROBE_PASSWORD"))
	}
	opt := shapeprobe.Options{API: *api, SamplesPath: *samples, User: *user, Seed: *seed, Progress: e.stderr}
	if opt.SamplesPath == "" {
		opt.SamplesPath = *out + ".samples.jsonl"
	}
	if *user != "" {
		opt.Password = os.Getenv("MWGEN_PROBE_PASSWORD")
		if opt.Password == "" {
			return fail(e, "shapes probe", errors.New("--user needs the password in $MWGEN_PROBE_PASSWORD"))
		}
	}
	if *schemaFile != "" {
		data, err := os.ReadFile(*schemaFile)
		if err != nil {
			return fail(e, "shapes probe", err)
		}
		if opt.Schema, err = apischema.Decode(data, *schemaFile); err != nil {
			return fail(e, "shapes probe", err)
		}
	}
	shapes, err := shapeprobe.Probe(ctx, opt)
	if err != nil {
		return fail(e, "shapes probe", err)
	}
	if err := shapes.WriteFile(*out); err != nil {
		return fail(e, "shapes probe", err)
	}
	cov := shapeprobe.Measure(opt.Schema, shapes)
	fmt.Fprintf(e.stderr, "mwgen shapes probe: wrote %s (%s)\n", *out, cov.Summary())
	return exitOK
}

func runShapesCoverage(_ context.Context, e env, args []string) int {
	fs := newFlags(e, "shapes coverage", "mwgen shapes coverage [FILE] [flags]", `  # The embedded MediaWiki 1.39 shapes against the embedded schema:
  mwgen shapes coverage

  # Your own probe against your wiki's schema:
  mwgen shapes coverage shapes.json --schema schema.json

  # And the keys the PHP source writes that no sample produced:
  mwgen shapes coverage --source /usr/share/mediawiki
`)
	schemaFile := fs.String("schema", "", "the schema snapshot `FILE` to measure against (default: the embedded one)")
	source := fs.String("source", "", "also list result keys the PHP source under `DIR` (e.g. /usr/share/mediawiki) writes that no sample produced")
	if code, done := parse(fs, args); done {
		return code
	}
	if fs.NArg() > 1 {
		return fail(e, "shapes coverage", errors.New("at most one shapes file"))
	}
	// Either side defaults to the embedded one of the other's version.
	var (
		shapes *apischema.Shapes
		schema *apischema.Schema
		err    error
	)
	if fs.NArg() == 1 {
		if shapes, err = readShapes(fs.Arg(0)); err != nil {
			return fail(e, "shapes coverage", err)
		}
	}
	switch {
	case *schemaFile != "":
		data, rerr := os.ReadFile(*schemaFile)
		if rerr != nil {
			return fail(e, "shapes coverage", rerr)
		}
		schema, err = apischema.Decode(data, *schemaFile)
	case shapes != nil && slices.Contains(apischema.SnapshotVersions(), apischema.SeriesOf(shapes.MediaWikiVersion())):
		schema, err = apischema.Snapshot(apischema.SeriesOf(shapes.MediaWikiVersion()))
	default:
		schema, err = apischema.Default()
	}
	if err != nil {
		return fail(e, "shapes coverage", err)
	}
	if shapes == nil {
		if shapes, _, err = apischema.ShapesForSchema(schema); err != nil {
			return fail(e, "shapes coverage", err)
		}
	}
	fmt.Fprint(e.stdout, shapeprobe.Measure(schema, shapes).Report())
	if *source != "" {
		keys, err := shapeprobe.CrossCheck(schema, shapes, *source)
		if err != nil {
			return fail(e, "shapes coverage", err)
		}
		fmt.Fprintf(e.stdout, "result keys in the PHP source that no sample produced (%d):\n", len(keys))
		for _, k := range keys {
			fmt.Fprintf(e.stdout, "  %s\n", k)
		}
	}
	return exitOK
}

func readShapes(path string) (*apischema.Shapes, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return apischema.DecodeShapes(data, path)
}

func runShapesDiff(_ context.Context, e env, args []string) int {
	fs := newFlags(e, "shapes diff", "mwgen shapes diff OLD NEW", `  # What changed in the answers between two MediaWiki versions:
  mwgen shapes diff mediawiki-1.39.json mediawiki-1.43.json
`)
	if code, done := parse(fs, args); done {
		return code
	}
	if fs.NArg() != 2 {
		return fail(e, "shapes diff", errors.New("want two shapes files: OLD NEW"))
	}
	old, err := readShapes(fs.Arg(0))
	if err != nil {
		return fail(e, "shapes diff", err)
	}
	new, err := readShapes(fs.Arg(1))
	if err != nil {
		return fail(e, "shapes diff", err)
	}
	changes := apischema.DiffShapes(old, new)
	for _, c := range changes {
		fmt.Fprintln(e.stdout, c)
	}
	if len(changes) > 0 {
		return exitChanges
	}
	return exitOK
}
