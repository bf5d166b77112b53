package apischema

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func diffIntP(v int) *int        { return &v }
func diffI64P(v int64) *int64    { return &v }
func diffNum(raw string) *Scalar { return &Scalar{raw: raw} }
func diffStr(s string) *Scalar {
	v := StringScalar(s)
	return &v
}
func diffEnum(values ...string) Type { return Type{Name: TypeEnum, Values: values} }

// diffFixture is a small hand-built schema shaped like MediaWiki's: a main
// module with a submodule selector, modules with and without prefixes,
// limits, defaults, tokens, volatile enums (change tags) and a templated
// parameter. Every call returns a fresh copy.
func diffFixture() *Schema {
	return &Schema{
		Wiki:       Wiki{API: "https://wiki.example.org/w/api.php", Generator: "MediaWiki 1.39.17"},
		FetchedAt:  time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
		HelpFormat: "none",
		Modules: []*Module{
			{
				Name: "compare", Path: "compare", Group: "action", ClassName: "ApiComparePages", Source: "MediaWiki",
				Parameters: []*Param{
					{Index: 1, Name: "fromslots", Type: diffEnum("main"), Multi: true, Limit: diffIntP(50), LowLimit: diffIntP(50), HighLimit: diffIntP(500)},
				},
				TemplatedParameters: []*Param{
					{Index: 2, Name: "fromtext-{slot}", Type: Type{Name: TypeText}, TemplateVars: map[string]string{"slot": "fromslots"}},
				},
			},
			{
				Name: "edit", Path: "edit", Group: "action", ClassName: "ApiEditPage", Source: "MediaWiki",
				MustBePosted: true, WriteRights: true,
				Description: "Create and edit pages.",
				Parameters: []*Param{
					{Index: 1, Name: "title", Type: Type{Name: TypeTitle}},
					{Index: 2, Name: "summary", Type: Type{Name: TypeString}, Description: "Edit summary."},
					{Index: 3, Name: "tags", Type: diffEnum("mw-replace", "bot-tag"), Multi: true, Limit: diffIntP(50), LowLimit: diffIntP(50), HighLimit: diffIntP(500)},
					{Index: 4, Name: "minor", Type: Type{Name: TypeBoolean}},
					{Index: 5, Name: "text", Type: Type{Name: TypeText}},
					{Index: 6, Name: "token", Type: Type{Name: TypeString}, Required: true, Sensitive: true, TokenType: "csrf"},
				},
			},
			{
				Name: "main", Path: "main", ClassName: "ApiMain", Source: "MediaWiki",
				Parameters: []*Param{
					{Index: 1, Name: "action", Type: diffEnum("compare", "edit", "query", "tag"), Default: diffStr("query"),
						Submodules: map[string]string{"compare": "compare", "edit": "edit", "query": "query", "tag": "tag"}},
					{Index: 2, Name: "maxlag", Type: Type{Name: TypeInteger}},
				},
			},
			{
				Name: "query", Path: "query", Group: "action", ClassName: "ApiQuery", Source: "MediaWiki",
				Parameters: []*Param{
					{Index: 1, Name: "list", Type: diffEnum("allpages", "categorymembers"), Multi: true,
						Limit: diffIntP(50), LowLimit: diffIntP(50), HighLimit: diffIntP(500),
						Submodules: map[string]string{"allpages": "query+allpages", "categorymembers": "query+categorymembers"}},
					{Index: 2, Name: "generator", Type: diffEnum("allpages", "categorymembers"), SubmoduleParamPrefix: "g",
						Submodules: map[string]string{"allpages": "query+allpages", "categorymembers": "query+categorymembers"}},
					{Index: 3, Name: "titles", Type: Type{Name: TypeString}, Multi: true, Limit: diffIntP(50), LowLimit: diffIntP(50), HighLimit: diffIntP(500)},
				},
			},
			{
				Name: "allpages", Path: "query+allpages", Group: "list", Prefix: "ap", ClassName: "ApiQueryAllPages", Source: "MediaWiki",
				Generator:   true,
				LicenseLink: "https://wiki.example.org/wiki/Special:Version/License/MediaWiki",
				HelpURLs:    []string{"https://www.mediawiki.org/wiki/Special:MyLanguage/API:Allpages"},
				Examples:    []Example{{Query: "action=query&list=allpages&apfrom=B", Description: "Show a list of pages starting at B."}},
				Parameters: []*Param{
					{Index: 1, Name: "from", Type: Type{Name: TypeString}},
					{Index: 2, Name: "namespace", Type: Type{Name: TypeNamespace}, Default: diffNum("0")},
					{Index: 3, Name: "filterredir", Type: diffEnum("all", "redirects", "nonredirects"), Default: diffStr("all")},
					{Index: 4, Name: "minsize", Type: Type{Name: TypeInteger}},
					{Index: 5, Name: "limit", Type: Type{Name: TypeLimit}, Default: diffNum("10"),
						Min: diffI64P(1), Max: diffI64P(500), HighMax: diffI64P(5000),
						Info: []Info{{Name: "limit", Text: "No more than 500 (5,000 for bots) allowed."}}},
					{Index: 6, Name: "dir", Type: diffEnum("ascending", "descending"), Default: diffStr("ascending")},
				},
			},
			{
				Name: "categorymembers", Path: "query+categorymembers", Group: "list", Prefix: "cm", Source: "MediaWiki",
				Generator: true,
				Parameters: []*Param{
					{Index: 1, Name: "title", Type: Type{Name: TypeTitle}},
					{Index: 2, Name: "namespace", Type: Type{Name: TypeNamespace}, Multi: true, AllSpecifier: "*",
						Limit: diffIntP(50), LowLimit: diffIntP(50), HighLimit: diffIntP(500)},
					{Index: 3, Name: "user", Type: Type{Name: TypeUser}, Subtypes: []string{"name", "ip", "id"}},
				},
			},
			{
				Name: "tag", Path: "tag", Group: "action", Source: "MediaWiki",
				MustBePosted: true, WriteRights: true,
				Parameters: []*Param{
					{Index: 1, Name: "rcid", Type: Type{Name: TypeInteger}, Multi: true, Limit: diffIntP(50), LowLimit: diffIntP(50), HighLimit: diffIntP(500)},
					{Index: 2, Name: "add", Type: diffEnum("bot-tag"), Multi: true},
					{Index: 3, Name: "remove", Type: diffEnum("bot-tag"), Multi: true},
					{Index: 4, Name: "token", Type: Type{Name: TypeString}, Required: true, Sensitive: true, TokenType: "csrf"},
				},
			},
		},
	}
}

func diffMod(s *Schema, path string) *Module {
	m := s.Module(path)
	if m == nil {
		panic("fixture has no module " + path)
	}
	return m
}

func diffParam(s *Schema, path, name string) *Param {
	p := diffMod(s, path).Param(name)
	if p == nil {
		panic("fixture module " + path + " has no parameter " + name)
	}
	return p
}

func diffRemoveModule(s *Schema, path string) {
	s.Modules = slices.DeleteFunc(s.Modules, func(m *Module) bool { return m.Path == path })
}

func diffRemoveParam(s *Schema, path, name string) {
	m := diffMod(s, path)
	m.Parameters = slices.DeleteFunc(m.Parameters, func(p *Param) bool { return p.Name == name })
	m.TemplatedParameters = slices.DeleteFunc(m.TemplatedParameters, func(p *Param) bool { return p.Name == name })
}

func diffRemoveValue(p *Param, v string) {
	p.Type.Values = slices.DeleteFunc(p.Type.Values, func(x string) bool { return x == v })
	delete(p.Submodules, v)
}

// plainChange is Change without its String method, so that cmp shows
// differences field by field.
type plainChange Change

func plainChanges(cs []Change) []plainChange {
	out := make([]plainChange, len(cs))
	for i, c := range cs {
		out[i] = plainChange(c)
	}
	return out
}

func TestDiffFixtureIsValid(t *testing.T) {
	if err := diffFixture().Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestDiff(t *testing.T) {
	tests := []struct {
		name   string
		before func(s *Schema) // changes the old schema; nil for the fixture
		after  func(s *Schema) // changes the new schema
		want   []Change
	}{
		{
			name:  "identical schemas",
			after: func(s *Schema) {},
		},
		{
			name: "help text, metadata and order are ignored",
			after: func(s *Schema) {
				s.Wiki = Wiki{API: "https://other.example.org/w/api.php", Generator: "MediaWiki 1.41.0"}
				s.FetchedAt = s.FetchedAt.Add(time.Hour)
				s.HelpFormat = "wikitext"
				slices.Reverse(s.Modules)
				for _, m := range s.Modules {
					m.Description = "changed help"
					m.Examples = []Example{{Query: "action=" + m.Name}}
					m.HelpURLs = []string{"https://example.org/" + m.Name}
					m.LicenseLink = "https://other.example.org/license"
					m.LicenseTag = "GPL-3.0"
					m.ClassName = "Other"
					m.Source = "SomeExtension"
					m.SourceName = "Some Extension"
					m.Extra = map[string]json.RawMessage{"future": json.RawMessage(`true`)}
					slices.Reverse(m.Parameters)
					for _, p := range slices.Concat(m.Parameters, m.TemplatedParameters) {
						p.Index += 10
						p.Description = "changed"
						p.Info = []Info{{Name: "note", Text: "changed"}}
						p.Extra = map[string]json.RawMessage{"future": json.RawMessage(`1`)}
						slices.Reverse(p.Type.Values)
					}
				}
				// The same default sent as a number instead of a string, and a
				// boolean's implicit default spelled out.
				diffParam(s, "query+allpages", "limit").Default = diffStr("10")
				diffParam(s, "edit", "minor").Default = diffNum("false")
			},
		},
		{
			name: "volatile enums (change tags) are ignored",
			after: func(s *Schema) {
				tags := diffParam(s, "edit", "tags")
				tags.Type.Values = []string{"mw-replace", "new-tag"}
				tags.DeprecatedValues = []string{"mw-replace"}
				diffParam(s, "tag", "add").Type = diffEnum()
				diffParam(s, "tag", "remove").Type = diffEnum("x", "y")
			},
		},
		{
			name: "module removed",
			after: func(s *Schema) {
				diffRemoveModule(s, "query+categorymembers")
				diffRemoveValue(diffParam(s, "query", "list"), "categorymembers")
				diffRemoveValue(diffParam(s, "query", "generator"), "categorymembers")
			},
			want: []Change{
				{Kind: EnumValueRemoved, Module: "query", Param: "generator", Value: "categorymembers", Breaking: true},
				{Kind: EnumValueRemoved, Module: "query", Param: "list", Value: "categorymembers", Breaking: true},
				{Kind: ModuleRemoved, Module: "query+categorymembers", Breaking: true},
			},
		},
		{
			name: "module added",
			after: func(s *Schema) {
				s.Modules = append(s.Modules, &Module{Name: "purge", Path: "purge", Group: "action", MustBePosted: true,
					Parameters: []*Param{{Name: "titles", Type: Type{Name: TypeString}, Multi: true, Required: true}}})
				action := diffParam(s, "main", "action")
				action.Type.Values = append(action.Type.Values, "purge")
				action.Submodules["purge"] = "purge"
			},
			want: []Change{
				{Kind: EnumValueAdded, Module: "main", Param: "action", Value: "purge"},
				{Kind: ModuleAdded, Module: "purge"},
			},
		},
		{
			name:  "parameter removed",
			after: func(s *Schema) { diffRemoveParam(s, "query+allpages", "from") },
			want:  []Change{{Kind: ParamRemoved, Module: "query+allpages", Param: "apfrom", Breaking: true}},
		},
		{
			name: "parameters added",
			after: func(s *Schema) {
				m := diffMod(s, "query+allpages")
				m.Parameters = append(m.Parameters,
					&Param{Name: "to", Type: Type{Name: TypeString}},
					&Param{Name: "key", Type: Type{Name: TypeString}, Required: true})
			},
			want: []Change{
				{Kind: ParamAdded, Module: "query+allpages", Param: "apkey", Breaking: true},
				{Kind: ParamAdded, Module: "query+allpages", Param: "apto"},
			},
		},
		{
			name: "type changes",
			after: func(s *Schema) {
				diffParam(s, "query+allpages", "minsize").Type = Type{Name: TypeString}        // integer → string
				diffParam(s, "query+allpages", "filterredir").Type = Type{Name: TypeString}    // enum → string
				diffParam(s, "query+allpages", "from").Type = diffEnum("A", "B")               // string → enum
				diffParam(s, "query+allpages", "limit").Type = Type{Name: TypeInteger}         // limit → integer
				diffParam(s, "edit", "summary").Type = Type{Name: TypeText}                    // string → text
				diffParam(s, "edit", "title").Type = Type{Name: TypeString}                    // title → string
				diffParam(s, "main", "maxlag").Type = Type{Name: TypeString}                   // integer → string
				diffParam(s, "query+categorymembers", "user").Type = Type{Name: TypeTimestamp} // user → timestamp
			},
			want: []Change{
				{Kind: TypeChanged, Module: "edit", Param: "summary", Old: "string", New: "text"},
				{Kind: TypeChanged, Module: "edit", Param: "title", Old: "title", New: "string", Breaking: true},
				{Kind: TypeChanged, Module: "main", Param: "maxlag", Old: "integer", New: "string", Breaking: true},
				{Kind: TypeChanged, Module: "query+allpages", Param: "apfilterredir", Old: "enum", New: "string"},
				{Kind: TypeChanged, Module: "query+allpages", Param: "apfrom", Old: "string", New: "enum", Breaking: true},
				{Kind: TypeChanged, Module: "query+allpages", Param: "aplimit", Old: "limit", New: "integer", Breaking: true},
				{Kind: TypeChanged, Module: "query+allpages", Param: "apminsize", Old: "integer", New: "string", Breaking: true},
				{Kind: TypeChanged, Module: "query+categorymembers", Param: "cmuser", Old: "user", New: "timestamp", Breaking: true},
			},
		},
		{
			name: "enum values removed and added",
			after: func(s *Schema) {
				diffParam(s, "query+allpages", "filterredir").Type = diffEnum("nonredirects", "all", "broken", "aliases")
			},
			want: []Change{
				{Kind: EnumValueRemoved, Module: "query+allpages", Param: "apfilterredir", Value: "redirects", Breaking: true},
				{Kind: EnumValueAdded, Module: "query+allpages", Param: "apfilterredir", Value: "aliases"},
				{Kind: EnumValueAdded, Module: "query+allpages", Param: "apfilterredir", Value: "broken"},
			},
		},
		{
			name: "required",
			after: func(s *Schema) {
				diffParam(s, "query+allpages", "from").Required = true
				diffParam(s, "edit", "token").Required = false
			},
			want: []Change{
				{Kind: RequiredChanged, Module: "edit", Param: "token", Old: "true", New: "false"},
				{Kind: RequiredChanged, Module: "query+allpages", Param: "apfrom", Old: "false", New: "true", Breaking: true},
			},
		},
		{
			name: "multi",
			after: func(s *Schema) {
				titles := diffParam(s, "query", "titles")
				titles.Multi, titles.Limit, titles.LowLimit, titles.HighLimit = false, nil, nil, nil
				from := diffParam(s, "query+allpages", "from")
				from.Multi, from.Limit, from.LowLimit, from.HighLimit = true, diffIntP(50), diffIntP(50), diffIntP(500)
			},
			want: []Change{
				{Kind: MultiChanged, Module: "query", Param: "titles", Old: "true", New: "false", Breaking: true},
				{Kind: MultiChanged, Module: "query+allpages", Param: "apfrom", Old: "false", New: "true"},
			},
		},
		{
			name: "limits made stricter are breaking",
			after: func(s *Schema) {
				limit := diffParam(s, "query+allpages", "limit")
				limit.Min, limit.Max, limit.HighMax = diffI64P(5), diffI64P(50), diffI64P(500)
				diffParam(s, "query+allpages", "minsize").Max = diffI64P(100) // a new bound
				diffParam(s, "query", "titles").Limit = diffIntP(10)
				diffParam(s, "query", "titles").HighLimit = diffIntP(100)
				diffParam(s, "edit", "summary").MaxBytes = diffIntP(500)
				diffParam(s, "edit", "summary").MaxChars = diffIntP(255)
			},
			want: []Change{
				{Kind: LimitChanged, Module: "edit", Param: "summary", Value: "maxbytes", Old: "", New: "500", Breaking: true},
				{Kind: LimitChanged, Module: "edit", Param: "summary", Value: "maxchars", Old: "", New: "255", Breaking: true},
				{Kind: LimitChanged, Module: "query", Param: "titles", Value: "highlimit", Old: "500", New: "100", Breaking: true},
				{Kind: LimitChanged, Module: "query", Param: "titles", Value: "limit", Old: "50", New: "10", Breaking: true},
				{Kind: LimitChanged, Module: "query+allpages", Param: "aplimit", Value: "highmax", Old: "5000", New: "500", Breaking: true},
				{Kind: LimitChanged, Module: "query+allpages", Param: "aplimit", Value: "max", Old: "500", New: "50", Breaking: true},
				{Kind: LimitChanged, Module: "query+allpages", Param: "aplimit", Value: "min", Old: "1", New: "5", Breaking: true},
				{Kind: LimitChanged, Module: "query+allpages", Param: "apminsize", Value: "max", Old: "", New: "100", Breaking: true},
			},
		},
		{
			name: "limits relaxed are not breaking",
			after: func(s *Schema) {
				limit := diffParam(s, "query+allpages", "limit")
				limit.Min, limit.Max, limit.HighMax = diffI64P(0), diffI64P(5000), nil
				diffParam(s, "query", "titles").LowLimit = diffIntP(100)
				diffParam(s, "query", "titles").HighLimit = nil
			},
			want: []Change{
				{Kind: LimitChanged, Module: "query", Param: "titles", Value: "highlimit", Old: "500", New: ""},
				{Kind: LimitChanged, Module: "query", Param: "titles", Value: "lowlimit", Old: "50", New: "100"},
				{Kind: LimitChanged, Module: "query+allpages", Param: "aplimit", Value: "highmax", Old: "5000", New: ""},
				{Kind: LimitChanged, Module: "query+allpages", Param: "aplimit", Value: "max", Old: "500", New: "5000"},
				{Kind: LimitChanged, Module: "query+allpages", Param: "aplimit", Value: "min", Old: "1", New: "0"},
			},
		},
		{
			name: "defaults",
			after: func(s *Schema) {
				diffParam(s, "query+allpages", "filterredir").Default = diffStr("nonredirects")
				diffParam(s, "query+allpages", "limit").Default = diffNum("50")
				diffParam(s, "query+allpages", "from").Default = diffStr("A")
				diffParam(s, "query+allpages", "dir").Default = nil
				diffParam(s, "edit", "minor").Default = diffNum("true")
			},
			want: []Change{
				{Kind: DefaultChanged, Module: "edit", Param: "minor", Old: "false", New: "true"},
				{Kind: DefaultChanged, Module: "query+allpages", Param: "apdir", Old: "ascending", New: ""},
				{Kind: DefaultChanged, Module: "query+allpages", Param: "apfilterredir", Old: "all", New: "nonredirects"},
				{Kind: DefaultChanged, Module: "query+allpages", Param: "apfrom", Old: "", New: "A"},
				{Kind: DefaultChanged, Module: "query+allpages", Param: "aplimit", Old: "10", New: "50"},
			},
		},
		{
			name: "newly deprecated module, parameter and value",
			after: func(s *Schema) {
				diffMod(s, "query+categorymembers").Deprecated = true
				diffParam(s, "query+allpages", "from").Deprecated = true
				diffParam(s, "query+allpages", "filterredir").DeprecatedValues = []string{"redirects"}
				list := diffParam(s, "query", "list")
				list.DeprecatedValues = []string{"categorymembers"}
				// A value added deprecated is reported as added only.
				list.Type.Values = append(list.Type.Values, "oldlist")
				list.DeprecatedValues = append(list.DeprecatedValues, "oldlist")
			},
			want: []Change{
				{Kind: EnumValueAdded, Module: "query", Param: "list", Value: "oldlist"},
				{Kind: Deprecated, Module: "query", Param: "list", Value: "categorymembers"},
				{Kind: Deprecated, Module: "query+allpages", Param: "apfilterredir", Value: "redirects"},
				{Kind: Deprecated, Module: "query+allpages", Param: "apfrom"},
				{Kind: Deprecated, Module: "query+categorymembers"},
			},
		},
		{
			name: "undeprecated module, parameter and value",
			before: func(s *Schema) {
				diffMod(s, "query+categorymembers").Deprecated = true
				diffParam(s, "query+allpages", "from").Deprecated = true
				diffParam(s, "query+allpages", "filterredir").DeprecatedValues = []string{"redirects"}
			},
			after: func(s *Schema) {},
			want: []Change{
				{Kind: Undeprecated, Module: "query+allpages", Param: "apfilterredir", Value: "redirects"},
				{Kind: Undeprecated, Module: "query+allpages", Param: "apfrom"},
				{Kind: Undeprecated, Module: "query+categorymembers"},
			},
		},
		{
			name: "mustbeposted",
			after: func(s *Schema) {
				diffMod(s, "query").MustBePosted = true
				diffMod(s, "edit").MustBePosted = false
			},
			want: []Change{
				{Kind: MustBePostedChanged, Module: "edit", Old: "true", New: "false"},
				{Kind: MustBePostedChanged, Module: "query", Old: "false", New: "true", Breaking: true},
			},
		},
		{
			name: "token types",
			after: func(s *Schema) {
				diffParam(s, "edit", "token").TokenType = "edit"
				diffParam(s, "edit", "summary").TokenType = "csrf"
				diffParam(s, "tag", "token").TokenType = ""
			},
			want: []Change{
				{Kind: TokenTypeChanged, Module: "edit", Param: "summary", Old: "", New: "csrf", Breaking: true},
				{Kind: TokenTypeChanged, Module: "edit", Param: "token", Old: "csrf", New: "edit", Breaking: true},
				{Kind: TokenTypeChanged, Module: "tag", Param: "token", Old: "csrf", New: ""},
			},
		},
		{
			name: "prefix changed: one change, parameters matched by name",
			after: func(s *Schema) {
				diffMod(s, "query+allpages").Prefix = "aq"
				diffParam(s, "query+allpages", "from").Deprecated = true
				diffRemoveParam(s, "query+allpages", "minsize")
			},
			want: []Change{
				{Kind: PrefixChanged, Module: "query+allpages", Old: "ap", New: "aq", Breaking: true},
				{Kind: ParamRemoved, Module: "query+allpages", Param: "apminsize", Breaking: true},
				{Kind: Deprecated, Module: "query+allpages", Param: "aqfrom"},
			},
		},
		{
			name: "templated parameters",
			after: func(s *Schema) {
				m := diffMod(s, "compare")
				diffParam(s, "compare", "fromtext-{slot}").Type = Type{Name: TypeInteger}
				m.Parameters = append(m.Parameters, &Param{Name: "toslots", Type: diffEnum("main"), Multi: true})
				m.TemplatedParameters = append(m.TemplatedParameters,
					&Param{Name: "fromsection-{slot}", Type: Type{Name: TypeString}, TemplateVars: map[string]string{"slot": "fromslots"}},
					&Param{Name: "tomodel-{slot}", Type: Type{Name: TypeString}, Required: true, TemplateVars: map[string]string{"slot": "toslots"}})
			},
			want: []Change{
				{Kind: ParamAdded, Module: "compare", Param: "fromsection-{slot}"},
				{Kind: TypeChanged, Module: "compare", Param: "fromtext-{slot}", Old: "text", New: "integer", Breaking: true},
				{Kind: ParamAdded, Module: "compare", Param: "tomodel-{slot}", Breaking: true},
				{Kind: ParamAdded, Module: "compare", Param: "toslots"},
			},
		},
		{
			name: "templated parameter removed and rebound",
			before: func(s *Schema) {
				m := diffMod(s, "compare")
				m.Parameters = append(m.Parameters, &Param{Name: "slots", Type: diffEnum("main"), Multi: true})
				m.TemplatedParameters = append(m.TemplatedParameters,
					&Param{Name: "fromsection-{slot}", Type: Type{Name: TypeString}, TemplateVars: map[string]string{"slot": "fromslots"}})
			},
			after: func(s *Schema) {
				m := diffMod(s, "compare")
				m.Parameters = append(m.Parameters, &Param{Name: "slots", Type: diffEnum("main"), Multi: true})
				diffParam(s, "compare", "fromtext-{slot}").TemplateVars = map[string]string{"slot": "slots"}
			},
			want: []Change{
				{Kind: ParamRemoved, Module: "compare", Param: "fromsection-{slot}", Breaking: true},
				{Kind: AttributeChanged, Module: "compare", Param: "fromtext-{slot}", Value: "templatevars",
					Old: "slot=fromslots", New: "slot=slots", Breaking: true},
			},
		},
		{
			name: "submodule parameter prefix",
			after: func(s *Schema) {
				diffParam(s, "query", "generator").SubmoduleParamPrefix = "gen"
			},
			want: []Change{
				{Kind: PrefixChanged, Module: "query", Param: "generator", Old: "g", New: "gen", Breaking: true},
			},
		},
		{
			name: "module attributes",
			after: func(s *Schema) {
				diffMod(s, "query+allpages").Generator = false
				diffMod(s, "query+allpages").ReadRights = true
				diffMod(s, "edit").WriteRights = false
				diffMod(s, "tag").Internal = true
				diffMod(s, "compare").DynamicParameters = true
			},
			want: []Change{
				{Kind: AttributeChanged, Module: "compare", Value: "dynamicparameters", Old: "false", New: "true"},
				{Kind: AttributeChanged, Module: "edit", Value: "writerights", Old: "true", New: "false"},
				{Kind: AttributeChanged, Module: "query+allpages", Value: "generator", Old: "true", New: "false", Breaking: true},
				{Kind: AttributeChanged, Module: "query+allpages", Value: "readrights", Old: "false", New: "true", Breaking: true},
				{Kind: AttributeChanged, Module: "tag", Value: "internal", Old: "false", New: "true"},
			},
		},
		{
			name: "parameter attributes",
			after: func(s *Schema) {
				cm := diffParam(s, "query+categorymembers", "namespace")
				cm.AllSpecifier = ""
				cm.ExtraNamespaces = []int{-1}
				diffParam(s, "compare", "fromslots").AllSpecifier = "*"
				diffParam(s, "query+categorymembers", "user").Subtypes = []string{"name", "id", "temp"}
				diffParam(s, "query+categorymembers", "title").MustExist = true
				diffParam(s, "edit", "token").Sensitive = false
				diffParam(s, "tag", "rcid").AllowsDuplicates = true
			},
			want: []Change{
				{Kind: AttributeChanged, Module: "compare", Param: "fromslots", Value: "allspecifier", Old: "", New: "*"},
				{Kind: AttributeChanged, Module: "edit", Param: "token", Value: "sensitive", Old: "true", New: "false"},
				{Kind: AttributeChanged, Module: "query+categorymembers", Param: "cmnamespace", Value: "allspecifier", Old: "*", New: "", Breaking: true},
				{Kind: AttributeChanged, Module: "query+categorymembers", Param: "cmnamespace", Value: "extranamespaces", Old: "", New: "-1"},
				{Kind: AttributeChanged, Module: "query+categorymembers", Param: "cmtitle", Value: "mustExist", Old: "false", New: "true", Breaking: true},
				{Kind: AttributeChanged, Module: "query+categorymembers", Param: "cmuser", Value: "subtypes", Old: "name|ip|id", New: "name|id|temp", Breaking: true},
				{Kind: AttributeChanged, Module: "tag", Param: "rcid", Value: "allowsduplicates", Old: "false", New: "true"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old, cur := diffFixture(), diffFixture()
			if tt.before != nil {
				tt.before(old)
			}
			tt.after(cur)
			d := Diff(old, cur)
			if diff := cmp.Diff(plainChanges(tt.want), plainChanges(d.Changes)); diff != "" {
				t.Errorf("Diff changes (-want +got):\n%s\nreport:\n%s", diff, d)
			}
			if got, want := d.Empty(), len(tt.want) == 0; got != want {
				t.Errorf("Empty() = %v, want %v", got, want)
			}
			wantBreaking := slices.ContainsFunc(tt.want, func(c Change) bool { return c.Breaking })
			if got := d.Breaking(); got != wantBreaking {
				t.Errorf("Breaking() = %v, want %v", got, wantBreaking)
			}

			// Swapping the arguments gives the reverse of every change:
			// at least, the same number of them.
			if n := len(Diff(cur, old).Changes); n != len(d.Changes) {
				t.Errorf("reverse diff has %d changes, forward %d", n, len(d.Changes))
			}
		})
	}
}

func TestDiffIsDeterministic(t *testing.T) {
	mutate := func(s *Schema) {
		diffRemoveModule(s, "query+categorymembers")
		diffRemoveValue(diffParam(s, "query", "list"), "categorymembers")
		diffRemoveValue(diffParam(s, "query", "generator"), "categorymembers")
		diffRemoveParam(s, "query+allpages", "from")
		diffRemoveParam(s, "query+allpages", "minsize")
		diffParam(s, "query+allpages", "filterredir").Type = diffEnum("x", "y", "z")
		diffParam(s, "query+allpages", "limit").Max = diffI64P(50)
		diffParam(s, "edit", "summary").Required = true
		diffMod(s, "tag").Deprecated = true
	}
	old, cur := diffFixture(), diffFixture()
	mutate(cur)
	want := Diff(old, cur)
	if len(want.Changes) < 10 {
		t.Fatalf("want at least 10 changes, got:\n%s", want)
	}
	for i := range 20 {
		old, cur := diffFixture(), diffFixture()
		mutate(cur)
		// Shuffle module and parameter order differently each round.
		for _, s := range []*Schema{old, cur} {
			rotate(s.Modules, i)
			for _, m := range s.Modules {
				rotate(m.Parameters, i)
				for _, p := range m.Parameters {
					rotate(p.Type.Values, i)
				}
			}
		}
		if diff := cmp.Diff(plainChanges(want.Changes), plainChanges(Diff(old, cur).Changes)); diff != "" {
			t.Fatalf("round %d: order-dependent result (-first +now):\n%s", i, diff)
		}
	}
}

func rotate[T any](s []T, n int) {
	if len(s) > 1 {
		n %= len(s)
		slices.Reverse(s[:n])
		slices.Reverse(s[n:])
		slices.Reverse(s)
	}
}

func TestDiffDoesNotModifyArguments(t *testing.T) {
	old, cur := diffFixture(), diffFixture()
	diffParam(cur, "edit", "tags").Type = diffEnum("z", "a")
	diffRemoveParam(cur, "query+allpages", "from")
	before := [2][]byte{}
	for i, s := range []*Schema{old, cur} {
		b, err := s.MarshalSnapshot()
		if err != nil {
			t.Fatal(err)
		}
		before[i] = b
	}
	Diff(old, cur)
	for i, s := range []*Schema{old, cur} {
		b, err := s.MarshalSnapshot()
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(string(before[i]), string(b)); diff != "" {
			t.Errorf("schema %d changed (-before +after):\n%s", i, diff)
		}
	}
}

func TestDiffNil(t *testing.T) {
	if d := Diff(nil, nil); !d.Empty() || d.Breaking() || d.String() != "no changes\n" {
		t.Errorf("Diff(nil, nil) = %q, want no changes", d)
	}
	var d *SchemaDiff
	if !d.Empty() || d.Breaking() || d.String() != "no changes\n" {
		t.Errorf("nil *SchemaDiff: Empty %v, Breaking %v, String %q", d.Empty(), d.Breaking(), d.String())
	}
	s := diffFixture()
	added := Diff(nil, s)
	if len(added.Changes) != len(s.Modules) || added.Breaking() {
		t.Errorf("Diff(nil, s): want %d modules added, none breaking; got:\n%s", len(s.Modules), added)
	}
	removed := Diff(s, &Schema{})
	if len(removed.Changes) != len(s.Modules) || !removed.Breaking() {
		t.Errorf("Diff(s, empty): want %d modules removed, breaking; got:\n%s", len(s.Modules), removed)
	}
}

func TestDiffString(t *testing.T) {
	old, cur := diffFixture(), diffFixture()
	diffRemoveParam(cur, "query+allpages", "from")
	diffParam(cur, "query+allpages", "limit").Max = diffI64P(50)
	diffParam(cur, "query+allpages", "filterredir").Default = diffStr("nonredirects")
	diffParam(cur, "query+allpages", "namespace").Default = nil
	diffParam(cur, "edit", "summary").Required = true
	diffParam(cur, "edit", "tags").Type = diffEnum("ignored")
	cur.Modules = append(cur.Modules, &Module{Name: "purge", Path: "purge", Group: "action"})
	action := diffParam(cur, "main", "action")
	action.Type.Values = append(action.Type.Values, "purge")
	action.Submodules["purge"] = "purge"

	want := `BREAKING  edit  summary: now required
          main  action: value "purge" added
          purge: module added
          query+allpages  apfilterredir: default changed: all → nonredirects
BREAKING  query+allpages  apfrom: parameter removed
BREAKING  query+allpages  aplimit: max changed: 500 → 50
          query+allpages  apnamespace: default changed: 0 → (none)
7 changes, 3 breaking
`
	if diff := cmp.Diff(want, Diff(old, cur).String()); diff != "" {
		t.Errorf("String() (-want +got):\n%s", diff)
	}

	one := &SchemaDiff{Changes: []Change{{Kind: ModuleAdded, Module: "edit"}}}
	if got, want := one.String(), "          edit: module added\n1 change, 0 breaking\n"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if got, want := Diff(old, old).String(), "no changes\n"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestDiffChangeString(t *testing.T) {
	tests := []struct {
		c    Change
		want string
	}{
		{Change{Kind: ModuleRemoved, Module: "query+foo", Breaking: true}, "BREAKING  query+foo: module removed"},
		{Change{Kind: PrefixChanged, Module: "query+allpages", Old: "ap", New: "", Breaking: true}, "BREAKING  query+allpages: parameter prefix changed: ap → (none)"},
		{Change{Kind: PrefixChanged, Module: "query", Param: "generator", Old: "g", New: "gen", Breaking: true}, "BREAKING  query  generator: submodule parameter prefix changed: g → gen"},
		{Change{Kind: MustBePostedChanged, Module: "query", Old: "false", New: "true", Breaking: true}, "BREAKING  query: now must be POSTed"},
		{Change{Kind: MustBePostedChanged, Module: "edit", Old: "true", New: "false"}, "          edit: no longer must be POSTed"},
		{Change{Kind: ParamAdded, Module: "edit", Param: "x", Breaking: true}, "BREAKING  edit  x: required parameter added"},
		{Change{Kind: ParamAdded, Module: "edit", Param: "x"}, "          edit  x: parameter added"},
		{Change{Kind: TypeChanged, Module: "m", Param: "p", Old: "integer", New: "string", Breaking: true}, "BREAKING  m  p: type changed: integer → string"},
		{Change{Kind: EnumValueRemoved, Module: "query", Param: "list", Value: "foo", Breaking: true}, `BREAKING  query  list: value "foo" removed`},
		{Change{Kind: RequiredChanged, Module: "m", Param: "p", Old: "true", New: "false"}, "          m  p: no longer required"},
		{Change{Kind: MultiChanged, Module: "m", Param: "p", Old: "true", New: "false", Breaking: true}, "BREAKING  m  p: no longer takes several values"},
		{Change{Kind: MultiChanged, Module: "m", Param: "p", Old: "false", New: "true"}, "          m  p: now takes several values"},
		{Change{Kind: TokenTypeChanged, Module: "m", Param: "token", New: "csrf", Breaking: true}, "BREAKING  m  token: token type changed: (none) → csrf"},
		{Change{Kind: Deprecated, Module: "m"}, "          m: module deprecated"},
		{Change{Kind: Deprecated, Module: "m", Param: "p"}, "          m  p: parameter deprecated"},
		{Change{Kind: Deprecated, Module: "m", Param: "p", Value: "v"}, `          m  p: value "v" deprecated`},
		{Change{Kind: Undeprecated, Module: "m"}, "          m: module no longer deprecated"},
		{Change{Kind: Undeprecated, Module: "m", Param: "p", Value: "v"}, `          m  p: value "v" no longer deprecated`},
		{Change{Kind: AttributeChanged, Module: "m", Value: "generator", Old: "true", New: "false", Breaking: true}, "BREAKING  m: generator changed: true → false"},
		{Change{Kind: ChangeKind(99), Module: "m", Value: "v", Old: "a", New: "b"}, `          m: ChangeKind(99) "v": a → b`},
	}
	for _, tt := range tests {
		if got := tt.c.String(); got != tt.want {
			t.Errorf("%+v:\n got %q\nwant %q", tt.c, got, tt.want)
		}
	}
}

func TestDiffChangeKindText(t *testing.T) {
	seen := map[string]bool{}
	for k := ModuleRemoved; k <= AttributeChanged; k++ {
		b, err := k.MarshalText()
		if err != nil {
			t.Fatalf("%d: %v", k, err)
		}
		if seen[string(b)] || strings.Contains(string(b), "ChangeKind") {
			t.Errorf("kind %d has name %q", k, b)
		}
		seen[string(b)] = true
		var back ChangeKind
		if err := back.UnmarshalText(b); err != nil || back != k {
			t.Errorf("UnmarshalText(%q) = %v, %v; want %v", b, back, err, k)
		}
	}
	if _, err := ChangeKind(0).MarshalText(); err == nil {
		t.Error("ChangeKind(0).MarshalText: want an error")
	}
	var k ChangeKind
	if err := k.UnmarshalText([]byte("nonsense")); err == nil {
		t.Error("UnmarshalText(nonsense): want an error")
	}

	b, err := json.Marshal(&SchemaDiff{Changes: []Change{
		{Kind: LimitChanged, Module: "query+allpages", Param: "aplimit", Value: "max", Old: "500", New: "50", Breaking: true},
	}})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"changes":[{"kind":"limit-changed","module":"query+allpages","param":"aplimit","value":"max","old":"500","new":"50","breaking":true}],"total":1,"breaking":1}`
	if string(b) != want {
		t.Errorf("JSON:\n got %s\nwant %s", b, want)
	}
}

// TestDiffParaminfoFiles diffs two small paraminfo responses as a user would
// save them with curl, decoded the way the CLI decodes them, against a
// golden report.
func TestDiffParaminfoFiles(t *testing.T) {
	dir := filepath.Join("testdata", "diff")
	read := func(name string) *Schema {
		t.Helper()
		s, err := ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	old, cur := read("old.json"), read("new.json")
	want, err := os.ReadFile(filepath.Join(dir, "want.txt"))
	if err != nil {
		t.Fatal(err)
	}
	d := Diff(old, cur)
	if os.Getenv("MWGEN_UPDATE_DIFF_GOLDEN") != "" {
		// Regenerate after a deliberate change of the report; review it.
		if err := os.WriteFile(filepath.Join(dir, "want.txt"), []byte(d.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		want = []byte(d.String())
	}
	if diff := cmp.Diff(string(want), d.String()); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}
	if !d.Breaking() {
		t.Error("Breaking() = false, want true")
	}
	if !Diff(old, old).Empty() || !Diff(cur, cur).Empty() {
		t.Error("a schema differs from itself")
	}
}
