package main

import (
	"fmt"
	"strings"

	"github.com/mwgen/mwgen/apischema"
	"github.com/mwgen/mwgen/generator"
)

// readVersions reads the schemas of several MediaWiki versions, one
// --versions argument each ("[VERSION=]FILE[,FILE...]"), and unions them.
func readVersions(args []string) (*apischema.Versioned, error) {
	var schemas []*apischema.Schema
	bySeries := map[string]string{} // series -> the argument that gave it
	for _, arg := range args {
		s, err := readVersion(arg)
		if err != nil {
			return nil, err
		}
		series := apischema.SeriesOf(s.Wiki.MediaWikiVersion())
		if prev, ok := bySeries[series]; ok {
			return nil, fmt.Errorf("--versions %s and --versions %s are both MediaWiki %s: give one schema per version (several files of one version go in one --versions, comma-separated)", prev, arg, series)
		}
		bySeries[series] = arg
		schemas = append(schemas, s)
	}
	return apischema.Union(schemas...)
}

// readVersion reads one version's files, and checks that they say which
// MediaWiki version they are, or that arg names it.
func readVersion(arg string) (*apischema.Schema, error) {
	named, files, hasName := strings.Cut(arg, "=")
	if !hasName {
		files, named = arg, ""
	}
	if named != "" && apischema.SeriesOf(named) == "" {
		return nil, fmt.Errorf("--versions %s: %q is not a MediaWiki version (want e.g. 1.39 or 1.39.17)", arg, named)
	}
	var paths []string
	for _, p := range strings.Split(files, ",") {
		if p = strings.TrimSpace(p); p != "" {
			paths = append(paths, p)
		}
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("--versions %q: no file", arg)
	}
	s, err := readSchemas(paths)
	if err != nil {
		return nil, err
	}
	has := s.Wiki.MediaWikiVersion()
	switch {
	case named == "" && apischema.SeriesOf(has) == "":
		return nil, fmt.Errorf("--versions %s: the schema does not say its MediaWiki version (raw paraminfo without siteinfo): "+
			"name it, as in --versions 1.39=%s, or add a siteinfo answer beside it, as in --versions %s,siteinfo.json "+
			"(siteinfo.json from api.php?action=query&meta=siteinfo&siprop=general&format=json)", arg, files, files)
	case named != "" && has != "" && apischema.SeriesOf(has) != apischema.SeriesOf(named):
		return nil, fmt.Errorf("--versions %s: the schema says it is MediaWiki %s, not %s", arg, has, named)
	case named != "" && has == "":
		s.Wiki.Generator = "MediaWiki " + named
	}
	return s, nil
}

// versionsShapesNote says which version's shapes type the answers of a
// package for several versions.
func versionsShapesNote(vs *apischema.Versioned, sh *apischema.Shapes) string {
	if sh.Wiki.Generator == "" {
		return ""
	}
	series := apischema.SeriesOf(sh.MediaWikiVersion())
	for _, v := range vs.Versions {
		if v == series {
			return fmt.Sprintf("the answers are typed from the MediaWiki %s shapes (a shapes file is of one version); "+
				"modules and fields the other versions add are matched by name or stay untyped", sh.MediaWikiVersion())
		}
	}
	return fmt.Sprintf("the response shapes are for MediaWiki %s, none of the versions given (%s): typing the answers from them where modules match",
		cmpOrUnknown(sh.MediaWikiVersion()), strings.Join(vs.Releases, ", "))
}

func cmpOrUnknown(v string) string {
	if v == "" {
		return "an unknown version"
	}
	return v
}

// pickShapes reads the shapes for generate and says, in note, what types
// the answers when it is worth a line: one file, or the embedded shapes of
// the schema's version; with --versions, one file per version, unioned,
// or by default the union of the embedded shapes of the versions given.
func pickShapes(opt *generator.Options, s *apischema.Schema, vs *apischema.Versioned, paths []string) (note string, err error) {
	var sh *apischema.Shapes
	var ov *apischema.Overlay
	switch {
	case vs == nil && len(paths) > 1:
		return "", fmt.Errorf("--shapes is given %d times: several shapes files are for several MediaWiki versions, with --versions", len(paths))
	case vs == nil || len(paths) == 1:
		path := ""
		if len(paths) == 1 {
			path = paths[0]
		}
		if sh, ov, err = generateShapes(s, path); err != nil {
			return "", err
		}
		if vs != nil {
			opt.Shapes, opt.Overlay = sh, ov
			return versionsShapesNote(vs, sh), nil
		}
		if err := apischema.CheckShapesFor(s, sh); err != nil {
			// Modules and prop values are matched by name: what the
			// other version has in common is still typed.
			note = fmt.Sprintf("%v; typing the answers from them where modules match", err)
		}
		opt.Shapes, opt.Overlay = sh, ov
		return note, nil
	}
	var all []*apischema.Shapes
	var from []string
	if len(paths) == 0 {
		for _, v := range vs.Versions {
			if sh, err := apischema.SnapshotShapes(v); err == nil {
				all = append(all, sh)
				from = append(from, v)
			}
		}
		if len(all) == 0 {
			sh, ov, err = generateShapes(s, "")
			if err != nil {
				return "", err
			}
			opt.Shapes, opt.Overlay = sh, ov
			return versionsShapesNote(vs, sh), nil
		}
		note = "the answers are typed from the embedded shapes of MediaWiki " + strings.Join(from, " and ")
		if len(from) < len(vs.Versions) {
			note += "; what only the other versions answer is matched by name or stays untyped"
		} else {
			note = ""
		}
	} else {
		for _, p := range paths {
			sh, err := readShapes(p)
			if err != nil {
				return "", err
			}
			all = append(all, sh)
		}
	}
	u, err := apischema.UnionShapes(vs.Versions, all...)
	if err != nil {
		return "", err
	}
	if ov, err = apischema.DefaultOverlay(); err != nil {
		return "", err
	}
	opt.Shapes, opt.Overlay, opt.ShapeVersions = u.Shapes, ov, u
	return note, nil
}
