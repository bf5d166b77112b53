// Package templates holds the text mwgen writes that is not Go code: the
// generated package's doc comment and README, and the `mwgen init`
// scaffold. The texts are embedded text/template files beside this one.
package templates

import (
	"bytes"
	"embed"
	"fmt"
	"text/template"
)

//go:embed *.tmpl
var files embed.FS

// parsed holds every template; it is built once and never changed.
var parsed = template.Must(template.New("").ParseFS(files, "*.tmpl"))

// Package describes a generated package for its doc text and README.
type Package struct {
	Name             string // Go package name
	Version          string // mwgen version
	Wiki             string // api.php URL or server
	SiteName         string
	MediaWikiVersion string
	SchemaHash       string // short hash
	Command          string // the command line that generated it
	Modules          int
	// ShapesVersion is the MediaWiki version of the response shapes the
	// typed answers come from; "" when there are none.
	ShapesVersion string
	// ShapesOther says ShapesVersion is another release than the schema's.
	ShapesOther bool
	// ShapesDropped names modules some of whose shaped fields were left
	// out: only another version's prop values bring them.
	ShapesDropped string
	// Typed counts the methods with a typed answer.
	Typed int
	// Opts counts the answer fields that are runtime.Opt; PageIDOpt says
	// QueryPage.PageID is one.
	Opts      int
	PageIDOpt bool
}

// Init describes the `mwgen init` scaffold.
type Init struct {
	Package string
	API     string // api.php URL
}

// PackageDoc renders the package doc text (without comment markers).
func PackageDoc(p Package) (string, error) { return render("doc.go.tmpl", p) }

// PackageReadme renders the README.md written beside the generated code.
func PackageReadme(p Package) (string, error) { return render("README.md.tmpl", p) }

// InitGenerate renders the generate.go that `mwgen init` writes.
func InitGenerate(i Init) (string, error) { return render("generate.go.tmpl", i) }

func render(name string, data any) (string, error) {
	var buf bytes.Buffer
	if err := parsed.ExecuteTemplate(&buf, name, data); err != nil {
		return "", fmt.Errorf("render template %s: %w", name, err)
	}
	return buf.String(), nil
}
