// Package generator turns an apischema.Schema into the Go source of a typed
// client package: one params struct and one method per module, on top of
// github.com/mwgen/mwgen/runtime.
//
//	files, err := generator.Generate(schema, generator.Options{Package: "wiki"})
//	if err != nil { ... }
//	err = generator.WriteDir("internal/wiki", files)
//
// Generation is a pure function of the schema and the options: the same
// input gives byte-for-byte the same files.
//
// # The pipeline
//
// schema → model → kind table → files. Generate validates the
// apischema.Schema and selects the modules; build.go turns them into the
// model (model.go), where every decision lives: Go names (through
// package naming), each parameter's kind, wire names, bounds and count
// limits, template parts, open or closed enums, defaults, docs and
// deprecations, shared selectors and page sets, file names. The kind
// table (kinds.go) holds, for each kind, its Go type, the runtime setter
// that encodes it, how a required one is tested, and which checks its
// bounds become. Emission (emit*.go) walks the model, writes each field
// from its kind's entry, and renders the files with jennifer; it never
// sees the schema. Generated code calls github.com/mwgen/mwgen/runtime and,
// for what only generated code needs, runtime/gensupport, whose contract
// number it names (contractVersion).
package generator

import (
	"fmt"
	"go/token"
	"hash/fnv"
	"path"
	"slices"
	"strings"
	"unicode"

	"github.com/mwgen/mwgen/apischema"
	"github.com/mwgen/mwgen/internal/version"
)

// Options tune Generate.
type Options struct {
	// Package is the Go package name of the generated code (required).
	Package string
	// Modules, when set, limits the output to the modules whose paths match
	// one of these path.Match patterns ("edit", "query+*"). Their parents
	// come along; main always does.
	Modules []string
	// Command is the command line recorded in each file's header, so a
	// reader knows how to regenerate it. Default: "mwgen generate".
	Command string
	// Shapes, when set, give every module that has one a typed answer
	// (XxxResponse) and action=query its page and item iterators; modules
	// without a shape, and every module when Shapes is nil, return
	// *runtime.Response. Overlay refines the shapes (semantic types, open
	// maps); nil means none.
	Shapes  *apischema.Shapes
	Overlay *apischema.Overlay
	// Strict refuses a partial schema: one whose selectors (action, list,
	// prop, meta, generator...) have values naming modules that are not
	// in it. By default such values stay valid on the wire, get no typed
	// field or method, and are summarised through Warn.
	Strict bool
	// Warn, when set, is given warnings about the schema, one line each.
	Warn func(msg string)
	// Versions, when set, makes one package for several MediaWiki
	// versions: the schema given to Generate must be Versions.Schema, the
	// union (apischema.Union). Each module, parameter and enum value
	// says which versions have it, and the generated code carries those
	// sets, so that the runtime refuses, before sending, what the
	// connected wiki's version lacks.
	Versions *apischema.Versioned
	// ShapeVersions, with Versions and Shapes (its Shapes), says which
	// versions' answers have each response field; a field not all of them
	// have is documented so ("Since MediaWiki 1.43."). Nil: no such notes.
	ShapeVersions *apischema.VersionedShapes
}

// GeneratedOptions returns the options that made the committed generated/
// package from the embedded snapshot (apischema.Default).
func GeneratedOptions() (Options, error) {
	sh, err := apischema.DefaultShapes()
	if err != nil {
		return Options{}, err
	}
	ov, err := apischema.DefaultOverlay()
	if err != nil {
		return Options{}, err
	}
	return Options{
		Package: "generated",
		Command: "mwgen generate --out generated --package generated",
		Shapes:  sh,
		Overlay: ov,
	}, nil
}

// File is one generated file.
type File struct {
	Name string // base name, e.g. "query_allpages_gen.go"
	Data []byte
}

// GeneratedSuffix ends the name of every Go file mwgen generates. WriteDir
// only ever removes files with this suffix that carry mwgen's header.
const GeneratedSuffix = "_gen.go"

// Generate returns the files of the client package for s.
func Generate(s *apischema.Schema, opt Options) ([]File, error) {
	switch {
	case token.IsKeyword(opt.Package):
		return nil, fmt.Errorf("generate: package name %q is a Go keyword", opt.Package)
	case !token.IsIdentifier(opt.Package) || opt.Package == "_":
		return nil, fmt.Errorf("generate: package name %q is not a Go identifier", opt.Package)
	}
	if opt.Command == "" {
		opt.Command = "mwgen generate"
	}
	if opt.Versions != nil && opt.Versions.Schema != s {
		return nil, fmt.Errorf("generate: Options.Versions is set, but the schema is not its union (Versions.Schema)")
	}
	if sv := opt.ShapeVersions; sv != nil && (opt.Versions == nil || !slices.Equal(sv.Versions, opt.Versions.Versions) || sv.Shapes != opt.Shapes) {
		return nil, fmt.Errorf("generate: Options.ShapeVersions must be the union of Options.Shapes for the versions of Options.Versions")
	}
	include, err := matchModules(s, opt.Modules)
	if err != nil {
		return nil, fmt.Errorf("generate: %w", err)
	}
	// --modules filters first; what is kept is validated.
	if err := keptSchema(s, include).Validate(); err != nil {
		return nil, fmt.Errorf("generate: %w", err)
	}
	if sum := apischema.DanglingSummary(wantedDangling(s, include, opt.Modules)); sum != "" {
		if opt.Strict {
			return nil, fmt.Errorf("generate: the schema is partial (--strict): %s", sum)
		}
		if opt.Warn != nil {
			opt.Warn(sum + "; generate them by adding those modules to the schema, or pass --strict to refuse")
		}
	}
	m, err := buildModel(s, include, opt)
	if err != nil {
		return nil, fmt.Errorf("generate: %w", err)
	}
	g := &emitter{m: m, pkg: opt.Package}
	files, err := g.files()
	if err != nil {
		return nil, fmt.Errorf("generate: %w", err)
	}
	return files, nil
}

// keptSchema is s with only the modules that are generated.
func keptSchema(s *apischema.Schema, include func(string) bool) *apischema.Schema {
	kept := &apischema.Schema{Wiki: s.Wiki, HelpFormat: s.HelpFormat}
	for _, m := range s.Modules {
		if m == nil || m.Path == "main" || include(m.Path) {
			kept.Modules = append(kept.Modules, m)
		}
	}
	return kept
}

// wantedDangling returns the dangling selector values of generated
// modules whose missing module the user asked for: any, without --modules;
// with --modules, those a pattern matches (query+* and list=geosearch).
// main's other formats (jsonfm, xml...) never count: the client always
// asks for json.
func wantedDangling(s *apischema.Schema, include func(string) bool, patterns []string) []apischema.DanglingValue {
	var out []apischema.DanglingValue
	for _, d := range s.Dangling() {
		if d.Module != "main" && !include(d.Module) {
			continue
		}
		if d.Module == "main" && d.Param == "format" {
			continue // the client always asks for format=json
		}
		wanted := len(patterns) == 0
		for _, pat := range patterns {
			if ok, _ := path.Match(pat, d.Path); ok {
				wanted = true
			}
		}
		if wanted {
			out = append(out, d)
		}
	}
	return out
}

// header is the first lines of every generated file. The first must stay
// one line for Go's tools to see "Code generated ... DO NOT EDIT.", so
// what comes from the schema is flattened onto it.
func header(s *apischema.Schema, opt Options, hash string) string {
	wiki := s.Wiki.API
	if wiki == "" {
		wiki = cmpOr(s.Wiki.Server, "an unnamed wiki")
	}
	mw := mediaWikiVersions(s, opt)
	return fmt.Sprintf("Code generated by mwgen %s from %s (MediaWiki %s, schema %s). DO NOT EDIT.\n\n%s",
		version.Version, oneLine(wiki), oneLine(mw), hash, oneLine(opt.Command))
}

// oneLine replaces line breaks and other control characters with spaces.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
}

// fileName maps a module path to a file name: "query+allpages" →
// "mod_query_allpages_gen.go". Long paths are cut and keep a hash of the
// whole path, so names stay within file system limits. Distinct paths that
// map to the same name get a numeric suffix in path order, which the sorted
// module list makes stable.
func fileName(path string, used map[string]bool) string {
	var b strings.Builder
	for _, r := range strings.ToLower(path) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	base := "mod_" + b.String()
	if len(base) > 80 {
		h := fnv.New32a()
		h.Write([]byte(path))
		base = fmt.Sprintf("%s_%08x", base[:64], h.Sum32())
	}
	name := base + GeneratedSuffix
	for i := 2; used[name]; i++ {
		name = fmt.Sprintf("%s_%d%s", base, i, GeneratedSuffix)
	}
	used[name] = true
	return name
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
