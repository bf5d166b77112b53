package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/mwgen/mwgen/apischema"
	"github.com/mwgen/mwgen/generator"
)

func runGenerate(ctx context.Context, e env, args []string) int {
	fs := newFlags(e, "generate", "mwgen generate [--api URL | --schema FILE... | --versions FILES...] --out DIR --package NAME [flags]", `  # A client for the embedded MediaWiki 1.39 schema:
  mwgen generate --out ./wiki --package wiki

  # A client for your wiki, only for editing and listing pages:
  mwgen generate --api https://wiki.example.org/w/api.php --out ./wiki --package wiki --modules 'edit,query+allpages'

  # Any URL of the wiki will do: mwgen finds its api.php.
  mwgen generate --api https://en.wikipedia.org --out ./enwiki --package enwiki

  # From a saved snapshot or raw paraminfo responses (a partial schema is
  # fine: selector values naming modules not in it get a warning):
  mwgen generate --schema schema.json --out ./wiki --package wiki

  # Several raw paraminfo batches of ONE wiki, merged into one schema:
  mwgen generate --schema batch1.json --schema batch2.json --out ./wiki --package wiki

  # One package for SEVERAL MediaWiki versions (one --versions per version):
  # everything any of them has is generated, documented "Since MediaWiki
  # 1.43" or "Removed in MediaWiki 1.43", and refused before sending on a
  # wiki whose version lacks it.
  mwgen generate --versions mw139.json --versions mw143.json --out ./wiki --package wiki

  # A raw paraminfo dump says no version: name it, or add a siteinfo answer
  # (api.php?action=query&meta=siteinfo&siprop=general) beside it:
  mwgen generate --versions 1.39=raw139.json --versions raw143.json,siteinfo143.json --out ./wiki --package wiki

  # In your repository, next to the package:
  //go:generate go run github.com/mwgen/mwgen/cmd/mwgen generate --schema schema.json --out . --package wiki
`)
	api := fs.String("api", "", "fetch the schema from the wiki at `URL` (its api.php, or any page of the wiki)")
	schemas := fs.StringSlice("schema", nil, "read the schema from `FILE` (an mwgen snapshot or raw paraminfo responses; repeatable: the files are batches of ONE wiki, merged)")
	versions := fs.StringArray("versions", nil, "one MediaWiki version's schema, `[VERSION=]FILE[,FILE...]`; repeat once per version for one package serving them all (VERSION for files that do not say it)")
	out := fs.String("out", "", "write the package into `DIR` (required)")
	pkg := fs.String("package", "", "Go package `NAME` (required)")
	modules := fs.StringSlice("modules", nil, "only these module `PATTERNS` (path.Match on module paths, e.g. edit,query+*)")
	userAgent := fs.String("user-agent", "", "with --api: your tool and contact, prepended to mwgen's User-Agent")
	shapesFiles := fs.StringArray("shapes", nil, "type the answers from this shapes `FILE` (from mwgen shapes probe); default: the embedded shapes of the schema's MediaWiki version (1.39 or 1.43), else the nearest older. With --versions, repeat it once per version: they are unioned (default: the union of the embedded shapes of the versions given)")
	noShapes := fs.Bool("no-shapes", false, "no typed answers: every method returns *runtime.Response")
	strict := fs.Bool("strict", false, "refuse a partial schema: selector values (action, list, prop...) naming modules not in it")
	wf := addWikiFlags(fs)
	if code, done := parse(fs, args); done {
		return code
	}
	switch {
	case *out == "":
		return fail(e, "generate", errors.New("--out is required (the directory of the generated package)"))
	case *pkg == "":
		return fail(e, "generate", errors.New("--package is required (the generated package's name)"))
	case *api != "" && len(*schemas) > 0:
		return fail(e, "generate", errors.New("give --api or --schema, not both"))
	case len(*versions) > 0 && (*api != "" || len(*schemas) > 0):
		return fail(e, "generate", errors.New("give --versions alone: --schema merges the batches of one wiki, --versions makes one package for several MediaWiki versions"))
	case len(*versions) == 1:
		return fail(e, "generate", errors.New("--versions needs at least two versions (one --versions each); for one, use --schema"))
	case fs.NArg() > 0:
		return fail(e, "generate", fmt.Errorf("unexpected arguments %q", fs.Args()))
	}

	var s *apischema.Schema
	var vs *apischema.Versioned
	var err error
	switch {
	case len(*versions) > 0:
		if vs, err = readVersions(*versions); err == nil {
			s = vs.Schema
		}
	case *api != "":
		ctx, cancel := wf.context(ctx)
		defer cancel()
		var u string
		if u, err = wf.findAPI(ctx, e, *api, *userAgent); err == nil {
			s, err = apischema.Fetch(ctx, u, wf.fetchOptions(e, "wikitext", *userAgent))
		}
	case len(*schemas) > 0:
		s, err = readSchemas(*schemas)
	default:
		s, err = apischema.Default()
	}
	if err != nil {
		return fail(e, "generate", err)
	}
	opt := generator.Options{
		Package:  *pkg,
		Modules:  *modules,
		Command:  "mwgen generate " + strings.Join(args, " "),
		Strict:   *strict,
		Warn:     func(msg string) { fmt.Fprintf(e.stderr, "mwgen generate: warning: %s\n", msg) },
		Versions: vs,
	}
	if !*noShapes {
		var note string
		if note, err = pickShapes(&opt, s, vs, *shapesFiles); err != nil {
			return fail(e, "generate", err)
		}
		if note != "" {
			fmt.Fprintf(e.stderr, "mwgen generate: note: %s\n", note)
		}
	}
	files, err := generator.Generate(s, opt)
	if err != nil {
		// The generator's errors already start with "generate:".
		fmt.Fprintf(e.stderr, "mwgen %v\n", err)
		return exitError
	}
	if err := generator.WriteDir(*out, files); err != nil {
		return fail(e, "generate", err)
	}
	return exitOK
}

// readSchemas reads one schema from several files: raw paraminfo batches
// saved separately are merged as if they were one file.
func readSchemas(paths []string) (*apischema.Schema, error) {
	if len(paths) == 1 {
		return apischema.ReadFile(paths[0])
	}
	var all []byte
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("read schema: %w", err)
		}
		all = append(append(all, data...), '\n')
	}
	return apischema.Decode(all, strings.Join(paths, "+"))
}

// generateShapes reads a shapes file, or, when path is empty, the embedded
// shapes of the schema's MediaWiki version (the nearest older when none is
// embedded for it), and the embedded overlay.
func generateShapes(s *apischema.Schema, path string) (*apischema.Shapes, *apischema.Overlay, error) {
	var sh *apischema.Shapes
	var err error
	if path == "" {
		sh, _, err = apischema.ShapesForSchema(s)
	} else {
		sh, err = readShapes(path)
	}
	if err != nil {
		return nil, nil, err
	}
	ov, err := apischema.DefaultOverlay()
	if err != nil {
		return nil, nil, err
	}
	return sh, ov, nil
}
