// Package apischema models a MediaWiki wiki's Action API schema as
// action=paraminfo describes it, and reads it from a live wiki, from a raw
// paraminfo response saved with curl, or from mwgen's own snapshot format.
//
// The model keeps every field paraminfo returns. Fields it does not know (a
// newer MediaWiki, an extension) are kept in Extra maps and written back out,
// so nothing the wiki said is ever dropped.
//
//	s, err := apischema.Fetch(ctx, "https://wiki.example.org/w/api.php", apischema.FetchOptions{})
//	if err != nil { ... }
//	allpages := s.Module("query+allpages")
//	for _, p := range allpages.Parameters {
//		fmt.Println(allpages.Prefix+p.Name, p.Type)
//	}
//
// apischema knows nothing about Go code or about the generated client.
package apischema

import (
	"encoding/json"
	"strings"
	"time"
)

// SnapshotFormat identifies mwgen's snapshot files. It changes only when the
// snapshot layout changes incompatibly.
const SnapshotFormat = "mwgen-schema/1"

// Schema is the whole Action API schema of one wiki.
type Schema struct {
	// Wiki says where the schema came from.
	Wiki Wiki
	// FetchedAt is when the schema was read from the wiki. It is volatile:
	// it never takes part in Hash.
	FetchedAt time.Time
	// HelpFormat is the paraminfo helpformat the descriptions are in:
	// "none" (no help text), "wikitext", "html" or "raw".
	HelpFormat string
	// Modules holds every module, sorted by Path.
	Modules []*Module

	// verified is the hash Decode checked a snapshot against ("" when the
	// schema did not come from a snapshot); see ShortHash.
	verified string
}

// Wiki identifies the wiki a schema was read from.
type Wiki struct {
	// API is the api.php URL the schema was fetched from.
	API string `json:"api,omitempty"`
	// Server is the wiki's canonical server ($wgServer), e.g. "https://en.wikipedia.org".
	Server string `json:"server,omitempty"`
	// SiteName is the wiki's name ($wgSitename).
	SiteName string `json:"sitename,omitempty"`
	// WikiID is the database name, e.g. "enwiki".
	WikiID string `json:"wikiid,omitempty"`
	// Generator is siteinfo's generator string, e.g. "MediaWiki 1.39.17".
	Generator string `json:"generator,omitempty"`
	// Lang is the content language code.
	Lang string `json:"lang,omitempty"`
}

// MediaWikiVersion returns the version from Generator ("1.39.17"), or "" when
// the generator string is not MediaWiki's.
func (w Wiki) MediaWikiVersion() string {
	v, ok := strings.CutPrefix(w.Generator, "MediaWiki ")
	if !ok {
		return ""
	}
	return v
}

// Module is one API module: an action (edit), a query submodule
// (query+allpages), a format (json), or the main module.
type Module struct {
	Name      string `json:"name"`
	ClassName string `json:"classname,omitempty"`
	// Path is the module's unique key: "main", "edit", "query+allpages".
	Path string `json:"path"`
	// Group is the submodule group of the parent parameter: "action",
	// "format", "prop", "list", "meta". Empty for main.
	Group string `json:"group,omitempty"`
	// Prefix is prepended to every parameter name on the wire ("ap" for
	// allpages).
	Prefix      string `json:"prefix"`
	Source      string `json:"source,omitempty"`
	SourceName  string `json:"sourcename,omitempty"`
	LicenseTag  string `json:"licensetag,omitempty"`
	LicenseLink string `json:"licenselink,omitempty"`

	ReadRights   bool `json:"readrights,omitempty"`
	WriteRights  bool `json:"writerights,omitempty"`
	MustBePosted bool `json:"mustbeposted,omitempty"`
	Generator    bool `json:"generator,omitempty"`
	Deprecated   bool `json:"deprecated,omitempty"`
	Internal     bool `json:"internal,omitempty"`

	// DynamicParameters is set for modules that accept parameters the schema
	// does not list (clientlogin, createaccount...). With help text the wiki
	// explains them; that text is in DynamicParametersHelp.
	DynamicParameters     bool   `json:"-"`
	DynamicParametersHelp string `json:"-"`

	HelpURLs []string `json:"helpurls,omitempty"`
	// Description is the help text in the schema's HelpFormat. When the wiki
	// sent structured help (helpformat=raw) it is kept in Extra instead.
	Description string    `json:"description,omitempty"`
	Examples    []Example `json:"examples,omitempty"`

	Parameters []*Param `json:"parameters"`
	// TemplatedParameters have names with placeholders ("fromtext-{slot}")
	// that expand once per value of the multi-valued parameter named in
	// TemplateVars.
	TemplatedParameters []*Param `json:"templatedparameters,omitempty"`

	// Extra keeps fields this version of mwgen does not know, verbatim.
	Extra map[string]json.RawMessage `json:"-"`
}

// Example is one usage example of a module.
type Example struct {
	Query       string                     `json:"query"`
	Description string                     `json:"description,omitempty"`
	Extra       map[string]json.RawMessage `json:"-"`
}

// Param is one parameter of a module. Name is unprefixed: the wire name is
// the module's Prefix followed by Name (see WireName).
type Param struct {
	Index int    `json:"index,omitempty"`
	Name  string `json:"name"`
	// Type is a type name ("string", "integer", "limit"...) or, for enums and
	// submodule selectors, the list of allowed values.
	Type     Type `json:"type"`
	Required bool `json:"required"`
	Multi    bool `json:"multi"`
	// Default is the value MediaWiki assumes when the parameter is absent,
	// as paraminfo sends it: a string, a number or a boolean. Multi-value
	// defaults are |-joined strings.
	Default    *Scalar `json:"default,omitempty"`
	Deprecated bool    `json:"deprecated,omitempty"`
	// Sensitive parameters (passwords, tokens) must never be logged.
	Sensitive bool `json:"sensitive,omitempty"`
	// TokenType names the meta=tokens type this parameter carries ("csrf").
	TokenType string `json:"tokentype,omitempty"`

	// Multi-value limits: how many values one request may carry.
	Limit     *int `json:"limit,omitempty"`
	LowLimit  *int `json:"lowlimit,omitempty"`
	HighLimit *int `json:"highlimit,omitempty"`
	// Numeric limits for integer and limit parameters.
	Min     *int64 `json:"min,omitempty"`
	Max     *int64 `json:"max,omitempty"`
	HighMax *int64 `json:"highmax,omitempty"`

	// AllSpecifier is the value that means "all values" (normally "*"),
	// honoured only as the sole value.
	AllSpecifier     string `json:"allspecifier,omitempty"`
	AllowsDuplicates bool   `json:"allowsduplicates,omitempty"`

	// Submodules maps each value of a submodule selector to the module path
	// it selects ("allpages" → "query+allpages").
	Submodules map[string]string `json:"submodules,omitempty"`
	// SubmoduleParamPrefix is prepended to the selected submodule's wire
	// names ("g" for generator: gapnamespace).
	SubmoduleParamPrefix string   `json:"submoduleparamprefix,omitempty"`
	DeprecatedValues     []string `json:"deprecatedvalues,omitempty"`
	InternalValues       []string `json:"internalvalues,omitempty"`

	// TemplateVars maps a placeholder of a templated name to the multi-valued
	// parameter whose values fill it ({"slot": "fromslots"}).
	TemplateVars map[string]string `json:"templatevars,omitempty"`

	Subtypes        []string `json:"subtypes,omitempty"`
	ExtraNamespaces []int    `json:"extranamespaces,omitempty"`
	MaxBytes        *int     `json:"maxbytes,omitempty"`
	MaxChars        *int     `json:"maxchars,omitempty"`
	MustExist       bool     `json:"mustExist,omitempty"`

	Description string `json:"description,omitempty"`
	Info        []Info `json:"info,omitempty"`

	// Extra keeps fields this version of mwgen does not know, verbatim.
	Extra map[string]json.RawMessage `json:"-"`
}

// Info is a note paraminfo attaches to a parameter ("May only be used with a
// single page").
type Info struct {
	Name   string                     `json:"name"`
	Values []Scalar                   `json:"values,omitempty"`
	Text   string                     `json:"text,omitempty"`
	Extra  map[string]json.RawMessage `json:"-"`
}

// Type names the parameter types MediaWiki's Action API registers. A wiki
// may report others (from extensions); they are kept as they are, and code
// generators should treat them as strings.
const (
	TypeBoolean   = "boolean"
	TypeEnum      = "enum" // paraminfo sends enums as the array of values
	TypeExpiry    = "expiry"
	TypeInteger   = "integer"
	TypeLimit     = "limit"
	TypeNamespace = "namespace"
	TypePassword  = "password"
	TypeRaw       = "raw"
	TypeString    = "string"
	TypeText      = "text"
	TypeTimestamp = "timestamp"
	TypeTitle     = "title"
	TypeUser      = "user"
	TypeUpload    = "upload"
)

// Type is a parameter's type: a name, or the values of an enum. In JSON it
// is a string, or an array of strings for enums.
type Type struct {
	// Name is the type name; TypeEnum when Values lists the allowed values.
	Name string
	// Values are the allowed values of an enum, in the wiki's order. It is
	// never nil for an enum, even when the wiki allows no value today.
	Values []string
}

// IsEnum reports whether the type is an enum (including submodule selectors).
func (t Type) IsEnum() bool { return t.Name == TypeEnum }

// String returns the type name, or "enum(a|b|c)".
func (t Type) String() string {
	if t.IsEnum() {
		return "enum(" + strings.Join(t.Values, "|") + ")"
	}
	return t.Name
}

// WireName returns the parameter's name as sent to the wiki when the module
// is used directly: prefix + name.
func (m *Module) WireName(p *Param) string { return m.Prefix + p.Name }

// Param returns the parameter (plain or templated) with the given
// unprefixed name, or nil.
func (m *Module) Param(name string) *Param {
	for _, p := range m.Parameters {
		if p.Name == name {
			return p
		}
	}
	for _, p := range m.TemplatedParameters {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// Module returns the module with the given path, or nil.
func (s *Schema) Module(path string) *Module {
	// Modules are sorted by path, but a schema under construction may not
	// be yet; a linear scan is cheap at a few hundred modules.
	for _, m := range s.Modules {
		if m.Path == path {
			return m
		}
	}
	return nil
}

// Main returns the main module, or nil when the schema has none.
func (s *Schema) Main() *Module { return s.Module("main") }
