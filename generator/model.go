package generator

import (
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/mwgen/mwgen/apischema"
	"github.com/mwgen/mwgen/generator/naming"
)

// The model is the generated package in Go terms: every name decided, every
// parameter mapped to a Go type. Emission only walks it.

type pkgModel struct {
	schema  *apischema.Schema
	structs []*paramsStruct // sorted by module path
	byPath  map[string]*paramsStruct
	// selectors by selectorKey (nil: none of its choices is generated), and
	// in the order they were built.
	selectors     map[string]*selector
	selectorOrder []*selector
	selUsers      map[string]int // parameters per selector key
}

// paramsStruct is the parameters type of one module.
type paramsStruct struct {
	mod    *apischema.Module
	name   string // QueryAllpagesParams
	fields []*field
	enums  []*enumType
	sels   []*selector
	// token is the meta=tokens type the runtime fills in ("csrf"), or "".
	token     string
	tokenWire string
	// action is the value of main's action parameter that selects the
	// module, and method its Client method ("Edit"); both "" for others.
	action string
	method string
	// pages is set when the module continues (it has a "continue"
	// parameter); pagesMethod is then the Client method that follows it.
	pages       bool
	pagesMethod string
}

type fieldKind int

const (
	kString     fieldKind = iota // string; "" is unset
	kOptString                   // runtime.Opt[string]: "" is a value
	kStrings                     // []string, multi
	kInt                         // runtime.Opt[int]
	kInts                        // []int
	kBool                        // bool: sent when true
	kLimit                       // runtime.Limit
	kNamespace                   // runtime.Opt[runtime.Namespace]
	kNamespaces                  // []runtime.Namespace
	kTime                        // runtime.Timestamp (its zero value is unset)
	kFile                        // *runtime.File
	kEnum                        // named string type
	kEnums                       // []named string type
	kTemplated                   // map[string]string, one wire name per key
	kSelector                    // a selector struct choosing submodules
)

type field struct {
	name  string // Go field name
	param *apischema.Param
	kind  fieldKind
	enum  *enumType
	sel   *selector
	// unknownType is set when the wiki's type is not one mwgen knows; the
	// field is a string.
	unknownType bool
}

// enumType is a named string type with one constant per value.
type enumType struct {
	name   string
	param  *apischema.Param
	values []enumValue
	// open enums accept values the schema does not list (tags, content
	// models, token types: they depend on the wiki's configuration).
	open bool
	// all names the constant for the parameter's allspecifier ("*"), or "".
	all string
}

type enumValue struct {
	name       string // Go constant name
	value      string
	deprecated bool
	internal   bool
}

// selector picks submodules for a parameter with submodules (prop, list,
// meta, generator): one pointer field per submodule.
type selector struct {
	name    string // QueryLists
	param   *apischema.Param
	multi   bool
	prefix  string // submoduleparamprefix ("g" for generator)
	choices []selChoice
	// fixed selectors do not send their own value: the runtime owns it
	// (main's format, always json).
	fixed bool
	// shared selectors serve several modules and live in their own file.
	shared bool
}

// jsonOnly keeps the json choice of main's format selector, or returns nil.
func jsonOnly(sel *selector) *selector {
	if sel == nil {
		return nil
	}
	for _, c := range sel.choices {
		if c.value == "json" {
			sel.choices = []selChoice{c}
			sel.fixed = true
			return sel
		}
	}
	return nil
}

type selChoice struct {
	field  string // Go field name (Allpages)
	value  string // the selector value ("allpages")
	target *paramsStruct
}

// Names the generated package declares itself; schema-derived names never
// take them.
var reservedPackageNames = []string{"Client", "New"}

// Names of the methods and fields every params struct or Client has.
var (
	reservedFields = []string{"Extra"}
	// Besides the Client's own, names that go vet expects to have a
	// standard signature (MarshalJSON, String...).
	reservedMethods = []string{"Runtime", "WithMain", "Do",
		"As", "Close", "Error", "Format", "GobDecode", "GobEncode", "GoString", "Is",
		"MarshalBinary", "MarshalJSON", "MarshalText", "MarshalXML", "Peek", "Read", "ReadByte",
		"ReadFrom", "ReadRune", "Scan", "Seek", "String", "UnmarshalBinary", "UnmarshalJSON",
		"UnmarshalText", "UnmarshalXML", "UnreadByte", "UnreadRune", "Unwrap", "Write",
		"WriteByte", "WriteTo"}
)

// Keys for naming.Assign. Lengths make them unambiguous whatever
// characters the wiki's names contain.
func moduleKey(path string) string { return fmt.Sprintf("module:%d:%s", len(path), path) }
func paramKey(kind, path, name string) string {
	return fmt.Sprintf("%s:%d:%s/%s", kind, len(path), path, name)
}
func constKey(path, name, value string) string {
	return fmt.Sprintf("%s:%d:%s", paramKey("const", path, name), len(value), value)
}

func buildModel(s *apischema.Schema, include func(path string) bool) (*pkgModel, error) {
	m := &pkgModel{schema: s, byPath: map[string]*paramsStruct{}, selectors: map[string]*selector{}, selUsers: map[string]int{}}
	main := s.Main()
	if main == nil {
		return nil, fmt.Errorf("the schema has no main module")
	}

	// Every package-level name is assigned in one scope: params types,
	// enum types, selector types and enum constants can all collide.
	var items []naming.Item
	for _, mod := range s.Modules {
		if mod.Path != "main" && !include(mod.Path) {
			continue
		}
		base := naming.Exported(mod.Path)
		if mod.Path == "main" {
			base = "Main"
		}
		items = append(items, naming.Item{Key: moduleKey(mod.Path), Name: base + "Params"})
		ps := &paramsStruct{mod: mod}
		m.structs = append(m.structs, ps)
		m.byPath[mod.Path] = ps
	}
	// Selectors with the same choices (the generator parameter of query,
	// purge, watch...) share one type, named after the parameter alone;
	// a selector of its own is named after its module too.
	selUsers := m.selUsers
	for _, ps := range m.structs {
		for _, p := range allParams(ps.mod) {
			if len(p.Submodules) > 0 {
				selUsers[m.selectorKey(ps.mod, p)]++
			}
		}
	}
	selNamed := map[string]bool{}
	for _, ps := range m.structs {
		base := naming.Exported(ps.mod.Path)
		for _, p := range allParams(ps.mod) {
			typeName := base + naming.Exported(p.Name) + selectorSuffix(p)
			switch {
			case len(p.Submodules) > 0:
				key := m.selectorKey(ps.mod, p)
				if selUsers[key] > 1 {
					typeName = naming.Exported(p.Name) + selectorSuffix(p)
				}
				if !selNamed[key] {
					selNamed[key] = true
					items = append(items, naming.Item{Key: key, Name: typeName})
				}
			case p.Type.IsEnum():
				items = append(items, naming.Item{Key: paramKey("enum", ps.mod.Path, p.Name), Name: typeName})
				for _, v := range uniqueValues(p.Type.Values) {
					items = append(items, naming.Item{Key: constKey(ps.mod.Path, p.Name, v), Name: naming.ConstName(typeName, v)})
				}
				if hasAllSpecifier(p) {
					items = append(items, naming.Item{Key: paramKey("all", ps.mod.Path, p.Name), Name: naming.ConstName(typeName, "*")})
				}
			}
		}
	}
	names := naming.Assign(reservedPackageNames, items)

	for _, ps := range m.structs {
		ps.name = names[moduleKey(ps.mod.Path)]
	}
	for _, ps := range m.structs {
		if err := m.buildStruct(ps, names); err != nil {
			return nil, fmt.Errorf("module %q: %w", ps.mod.Path, err)
		}
	}
	m.buildMethods(main)
	return m, nil
}

// buildMethods makes a Client method for every action module (and a *All
// method for those that continue). Methods are keyed by the action value;
// when several values select one module, the first in sorted order wins.
func (m *pkgModel) buildMethods(main *apischema.Module) {
	action := main.Param("action")
	if action == nil {
		return
	}
	var methods []naming.Item
	var chosen []string
	for _, v := range slices.Sorted(maps.Keys(action.Submodules)) {
		ps := m.byPath[action.Submodules[v]]
		if ps == nil || ps.action != "" {
			continue
		}
		ps.action = v
		chosen = append(chosen, v)
		methods = append(methods, naming.Item{Key: "method:" + v, Name: naming.Exported(v)})
		if ps.pages {
			methods = append(methods, naming.Item{Key: "all:" + v, Name: naming.Exported(v) + "All"})
		}
	}
	mnames := naming.Assign(reservedMethods, methods)
	for _, v := range chosen {
		ps := m.byPath[action.Submodules[v]]
		ps.method = mnames["method:"+v]
		if ps.pages {
			ps.pagesMethod = mnames["all:"+v]
		}
	}
}

// uniqueValues drops repeated enum values, keeping the first.
func uniqueValues(vs []string) []string {
	var out []string
	for _, v := range vs {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

func selectorSuffix(p *apischema.Param) string {
	if len(p.Submodules) > 0 && p.Multi {
		return "s"
	}
	return ""
}

func allParams(mod *apischema.Module) []*apischema.Param {
	return slices.Concat(mod.Parameters, mod.TemplatedParameters)
}

func (m *pkgModel) buildStruct(ps *paramsStruct, typeNames map[string]string) error {
	mod := ps.mod
	var items []naming.Item
	var params []*apischema.Param
	for _, p := range allParams(mod) {
		if mod.Path == "main" && p.Name == "action" {
			// The Client's methods choose the action.
			continue
		}
		if p.TokenType != "" {
			ps.token, ps.tokenWire = p.TokenType, mod.Prefix+p.Name
			continue
		}
		if p.Name == "continue" && !p.Required {
			ps.pages = true
		}
		params = append(params, p)
		items = append(items, naming.Item{Key: p.Name, Name: naming.Exported(p.Name)})
	}
	fieldNames := naming.Assign(reservedFields, items)
	for _, p := range params {
		f := &field{name: fieldNames[p.Name], param: p}
		ps.fields = append(ps.fields, f)
		switch {
		case len(p.TemplateVars) > 0:
			f.kind = kTemplated
		case len(p.Submodules) > 0:
			key := m.selectorKey(mod, p)
			sel := m.buildSelector(mod, p, key, typeNames[key])
			if sel == nil {
				// No submodule of this selector was generated (--modules).
				f.kind = kStrings
				if !p.Multi {
					f.kind = kString
				}
				continue
			}
			f.kind, f.sel = kSelector, sel
			if !sel.shared {
				ps.sels = append(ps.sels, sel)
			}
		case p.Type.IsEnum():
			e := buildEnum(mod, p, typeNames)
			ps.enums = append(ps.enums, e)
			f.enum = e
			f.kind = kEnum
			if p.Multi {
				f.kind = kEnums
			}
		default:
			f.kind, f.unknownType = scalarKind(p)
		}
	}
	return nil
}

// scalarKind maps a non-enum parameter type to a field kind.
func scalarKind(p *apischema.Param) (kind fieldKind, unknown bool) {
	switch p.Type.Name {
	case apischema.TypeBoolean:
		return kBool, false
	case apischema.TypeInteger:
		if p.Multi {
			return kInts, false
		}
		return kInt, false
	case apischema.TypeLimit:
		return kLimit, false
	case apischema.TypeNamespace:
		if p.Multi {
			return kNamespaces, false
		}
		return kNamespace, false
	case apischema.TypeTimestamp:
		if p.Multi {
			return kStrings, false
		}
		return kTime, false
	case apischema.TypeUpload:
		return kFile, false
	case apischema.TypeString, apischema.TypeText, apischema.TypeUser, apischema.TypeTitle,
		apischema.TypePassword, apischema.TypeRaw, apischema.TypeExpiry:
	default:
		unknown = true
	}
	switch {
	case p.Multi:
		return kStrings, unknown
	case emptyIsAValue(p):
		return kOptString, unknown
	default:
		return kString, unknown
	}
}

// emptyIsAValue reports whether sending "" differs from leaving the
// parameter out: text ("" blanks a page), or a default that is not empty.
func emptyIsAValue(p *apischema.Param) bool {
	if p.Required {
		return false
	}
	if p.Type.Name == apischema.TypeText {
		return true
	}
	return p.Default != nil && p.Default.String() != ""
}

// hasAllSpecifier reports whether a multi-value enum has a value meaning
// "all of them" that is not one of its listed values.
func hasAllSpecifier(p *apischema.Param) bool {
	return p.Multi && p.AllSpecifier != "" && !slices.Contains(p.Type.Values, p.AllSpecifier)
}

func buildEnum(mod *apischema.Module, p *apischema.Param, names map[string]string) *enumType {
	e := &enumType{name: names[paramKey("enum", mod.Path, p.Name)], param: p, open: openEnum(mod, p)}
	if hasAllSpecifier(p) {
		e.all = names[paramKey("all", mod.Path, p.Name)]
	}
	for _, v := range uniqueValues(p.Type.Values) {
		e.values = append(e.values, enumValue{
			name:       names[constKey(mod.Path, p.Name, v)],
			value:      v,
			deprecated: slices.Contains(p.DeprecatedValues, v),
			internal:   slices.Contains(p.InternalValues, v),
		})
	}
	return e
}

// openEnum reports whether an enum's values depend on the wiki's state or
// configuration rather than on its software, so values outside the list
// must be accepted: change tags, content models and formats, user groups
// and rights, languages, skins, token types. The list is by parameter name,
// as paraminfo does not say where a list of values comes from.
func openEnum(mod *apischema.Module, p *apischema.Param) bool {
	if apischema.VolatileEnum(mod, p) || len(p.Type.Values) == 0 {
		return true
	}
	name := strings.ToLower(mod.Prefix + p.Name)
	for _, suffix := range []string{"contentmodel", "contentformat", "tags", "tag", "tagfilter", "group", "groups", "rights", "skin", "lang", "language", "variant"} {
		if strings.HasSuffix(name, suffix) {
			return true
		}
	}
	return mod.Path == "query+tokens" && p.Name == "type"
}

// selectorKey identifies a selector by what it offers: two parameters
// with the same name, prefix, arity and generated choices get one type.
func (m *pkgModel) selectorKey(mod *apischema.Module, p *apischema.Param) string {
	if mod.Path == "main" && p.Name == "format" {
		return paramKey("sel", mod.Path, p.Name)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "selector:%d:%s/%d:%s/%t", len(p.Name), p.Name, len(p.SubmoduleParamPrefix), p.SubmoduleParamPrefix, p.Multi)
	for _, v := range slices.Sorted(maps.Keys(p.Submodules)) {
		if path := p.Submodules[v]; m.byPath[path] != nil {
			fmt.Fprintf(&b, "/%d:%s=%d:%s", len(v), v, len(path), path)
		}
	}
	return b.String()
}

// buildSelector returns the selector for p, built once per key; nil when
// none of its submodules is generated (--modules).
func (m *pkgModel) buildSelector(mod *apischema.Module, p *apischema.Param, key, name string) *selector {
	if sel, ok := m.selectors[key]; ok {
		return sel
	}
	sel := &selector{name: name, param: p, multi: p.Multi, prefix: p.SubmoduleParamPrefix, shared: m.selUsers[key] > 1}
	var items []naming.Item
	for _, v := range slices.Sorted(maps.Keys(p.Submodules)) {
		if m.byPath[p.Submodules[v]] == nil {
			continue
		}
		items = append(items, naming.Item{Key: v, Name: naming.Exported(v)})
	}
	fields := naming.Assign(nil, items)
	for _, item := range items {
		sel.choices = append(sel.choices, selChoice{field: fields[item.Key], value: item.Key, target: m.byPath[p.Submodules[item.Key]]})
	}
	if mod.Path == "main" && p.Name == "format" {
		// The runtime always asks for format=json: the field only carries
		// the json module's own parameters.
		sel = jsonOnly(sel)
	}
	if sel == nil || len(sel.choices) == 0 {
		m.selectors[key] = nil
		return nil
	}
	m.selectors[key] = sel
	m.selectorOrder = append(m.selectorOrder, sel)
	return sel
}

// matchModules returns a filter for --modules patterns (path.Match syntax
// on module paths: "edit", "query+*"). No patterns selects everything. The
// modules a selected module needs (its parents up to main) come along.
func matchModules(s *apischema.Schema, patterns []string) (func(string) bool, error) {
	if len(patterns) == 0 {
		return func(string) bool { return true }, nil
	}
	selected := map[string]bool{}
	for _, pat := range patterns {
		if _, err := path.Match(pat, ""); err != nil {
			return nil, fmt.Errorf("bad module pattern %q: %w", pat, err)
		}
		n := 0
		for _, mod := range s.Modules {
			if ok, _ := path.Match(pat, mod.Path); ok {
				selected[mod.Path] = true
				n++
			}
		}
		if n == 0 {
			return nil, fmt.Errorf("module pattern %q matches no module of the schema", pat)
		}
	}
	// Parents: query for query+allpages.
	for _, p := range slices.Sorted(maps.Keys(selected)) {
		for i := strings.LastIndex(p, "+"); i > 0; i = strings.LastIndex(p, "+") {
			p = p[:i]
			selected[p] = true
		}
	}
	return func(p string) bool { return selected[p] }, nil
}
