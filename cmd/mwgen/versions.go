package main

import (
	"fmt"
	"strings"

	"github.com/mwgen/mwgen/apischema"
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

// versionsShapes reads the shapes for generate: one file (or the embedded
// shapes), or, with --versions, one file per version, unioned.
func versionsShapes(paths []string, vs *apischema.Versioned) (*apischema.Shapes, *apischema.Overlay, error) {
	switch {
	case len(paths) <= 1:
		path := ""
		if len(paths) == 1 {
			path = paths[0]
		}
		return generateShapes(path)
	case vs == nil:
		return nil, nil, fmt.Errorf("--shapes is given %d times: several shapes files are for several MediaWiki versions, with --versions", len(paths))
	}
	var all []*apischema.Shapes
	for _, p := range paths {
		sh, err := readShapes(p)
		if err != nil {
			return nil, nil, err
		}
		all = append(all, sh)
	}
	u, err := apischema.UnionShapes(vs.Versions, all...)
	if err != nil {
		return nil, nil, err
	}
	ov, err := apischema.DefaultOverlay()
	if err != nil {
		return nil, nil, err
	}
	return u.Shapes, ov, nil
}
