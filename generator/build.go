package generator

import (
	"fmt"
	"maps"
	"math"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/mwgen/mwgen/apischema"
	"github.com/mwgen/mwgen/generator/naming"
	"github.com/mwgen/mwgen/internal/version"
	"github.com/mwgen/mwgen/templates"
)

// builder makes the model from the schema. It is the only part of the
// generator besides Generate that reads apischema.
type builder struct {
	m      *pkgModel
	byPath map[string]*paramsStruct
	mods   map[*paramsStruct]*apischema.Module
	// names holds every package-level name, by naming key.
	names map[string]string
	// selectors and page sets by key (a nil selector: none of its choices
	// is generated), with the number of parameters (modules) using each.
	selectors map[string]*selector
	selUsers  map[string]int
	pageSets  map[string]*pageSet
	psUsers   map[string]int
	setOrder  []*pageSet
	// shapes are the response shapes the typed answers come from, or nil.
	shapes *apischema.Shapes
	// ver is the union of the versions the package serves, or nil for a
	// package of one schema (versions.go).
	ver *apischema.Versioned
	// shapeVer says which versions' answers have each response field,
	// with ver; nil for none.
	shapeVer *apischema.VersionedShapes
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

// Shared file names; module files all start with "mod_".
const (
	selectorsFile = "selectors" + GeneratedSuffix
	pageSetFile   = "pageset" + GeneratedSuffix
)

func buildModel(s *apischema.Schema, include func(path string) bool, opt Options) (*pkgModel, error) {
	// The hash encodes the whole schema: compute it once.
	hash := s.ShortHash()
	b := &builder{
		m:         &pkgModel{header: header(s, opt, hash)},
		byPath:    map[string]*paramsStruct{},
		mods:      map[*paramsStruct]*apischema.Module{},
		selectors: map[string]*selector{},
		selUsers:  map[string]int{},
		pageSets:  map[string]*pageSet{},
		psUsers:   map[string]int{},
		ver:       opt.Versions,
		shapeVer:  opt.ShapeVersions,
	}
	if b.ver != nil {
		b.m.versions = strings.Join(b.ver.Versions, " ")
	}
	main := s.Main()
	if main == nil {
		return nil, fmt.Errorf("the schema has no main module")
	}

	// Every package-level name is assigned in one scope: params types,
	// enum types, selector types, page sets and enum constants can all
	// collide.
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
		ps := &paramsStruct{path: mod.Path, prefix: mod.Prefix, post: mod.MustBePosted, versions: b.moduleVersions(mod)}
		b.m.structs = append(b.m.structs, ps)
		b.byPath[mod.Path] = ps
		b.mods[ps] = mod
	}
	b.m.main = b.byPath["main"]
	// Selectors with the same choices (the generator parameter of query,
	// purge, watch...) share one type, named after the parameter alone; a
	// selector of its own is named after its module too. Page sets with the
	// same parameters share one type too; the one most modules use (the
	// first in path order on a tie) is PageSet, any other is named after
	// its first module.
	var setKeys []string // in the order of their first module
	for _, ps := range b.m.structs {
		mod := b.mods[ps]
		if key, _ := b.pageSetKey(mod); key != "" {
			if b.psUsers[key] == 0 {
				setKeys = append(setKeys, key)
			}
			b.psUsers[key]++
		}
		for _, p := range allParams(mod) {
			if len(p.Submodules) > 0 {
				b.selUsers[b.selectorKey(mod, p)]++
			}
		}
	}
	mainSet := ""
	for _, key := range setKeys {
		if mainSet == "" || b.psUsers[key] > b.psUsers[mainSet] {
			mainSet = key
		}
	}
	named := map[string]bool{}
	for _, ps := range b.m.structs {
		mod := b.mods[ps]
		base := naming.Exported(mod.Path)
		if key, _ := b.pageSetKey(mod); key != "" && !named[key] {
			named[key] = true
			name := "PageSet"
			if key != mainSet {
				name = base + name
			}
			items = append(items, naming.Item{Key: key, Name: name})
		}
		for _, p := range allParams(mod) {
			typeName := base + naming.Exported(p.Name) + selectorSuffix(p)
			switch {
			case len(p.Submodules) > 0:
				key := b.selectorKey(mod, p)
				if b.selUsers[key] > 1 {
					typeName = naming.Exported(p.Name) + selectorSuffix(p)
				}
				if !named[key] {
					named[key] = true
					items = append(items, naming.Item{Key: key, Name: typeName})
				}
			case p.Type.IsEnum():
				items = append(items, naming.Item{Key: paramKey("enum", mod.Path, p.Name), Name: typeName})
				for _, v := range uniqueValues(p.Type.Values) {
					items = append(items, naming.Item{Key: constKey(mod.Path, p.Name, v), Name: naming.ConstName(typeName, v)})
				}
				if hasAllSpecifier(p) {
					items = append(items, naming.Item{Key: paramKey("all", mod.Path, p.Name), Name: naming.ConstName(typeName, "*")})
				}
			}
		}
	}
	b.names = naming.Assign(reservedPackageNames, items)

	for _, ps := range b.m.structs {
		ps.name = b.names[moduleKey(ps.path)]
	}
	for _, ps := range b.m.structs {
		if err := b.buildStruct(ps); err != nil {
			return nil, fmt.Errorf("module %q: %w", ps.path, err)
		}
	}
	b.buildMethods(main)
	if err := b.buildResponses(opt.Shapes, opt.Overlay); err != nil {
		return nil, fmt.Errorf("response types: %w", err)
	}
	for _, ps := range b.m.structs {
		ps.doc = moduleDoc(b.mods[ps], ps) + b.moduleVersionDoc(b.mods[ps])
	}
	for _, set := range b.setOrder {
		set.doc = fmt.Sprintf("%s is the set of pages a module works on, as MediaWiki's ApiPageSet takes it:\n"+
			"titles, page IDs or revision IDs, or a generator that finds the pages\n(%s).\n\n"+
			"It is embedded in %s.", set.name, strings.Join(set.wires, ", "), strings.Join(set.users, ", "))
	}
	b.fileNames()
	if err := b.docs(s, opt, hash); err != nil {
		return nil, err
	}
	return b.m, nil
}

// fileNames gives every module its file.
func (b *builder) fileNames() {
	used := map[string]bool{"client" + GeneratedSuffix: true, selectorsFile: true, pageSetFile: true}
	for _, ps := range b.m.structs {
		ps.file = fileName(ps.path, used)
	}
}

// docs renders the package doc comment and README from templates/.
func (b *builder) docs(s *apischema.Schema, opt Options, hash string) error {
	p := templates.Package{
		Name:             opt.Package,
		Version:          version.Version,
		Wiki:             cmpOr(s.Wiki.API, cmpOr(s.Wiki.Server, "an unnamed wiki")),
		SiteName:         s.Wiki.SiteName,
		MediaWikiVersion: mediaWikiVersions(s, opt),
		SchemaHash:       hash,
		Command:          opt.Command,
		Modules:          len(b.m.structs),
	}
	b.shapesDocs(&p, s)
	var err error
	if b.m.doc, err = templates.PackageDoc(p); err != nil {
		return err
	}
	if b.m.readme, err = templates.PackageReadme(p); err != nil {
		return err
	}
	return nil
}

// buildMethods makes a Client method for every action module (and a *All
// method for those that continue). Methods are keyed by the action value;
// when several values select one module, the first in sorted order wins.
func (b *builder) buildMethods(main *apischema.Module) {
	action := main.Param("action")
	if action == nil {
		return
	}
	var methods []naming.Item
	var chosen []string
	for _, v := range slices.Sorted(maps.Keys(action.Submodules)) {
		ps := b.byPath[action.Submodules[v]]
		if ps == nil || ps.action != "" {
			continue
		}
		ps.action = v
		chosen = append(chosen, v)
		methods = append(methods, naming.Item{Key: "method:" + v, Name: naming.Exported(v)})
		if continues(b.mods[ps]) {
			methods = append(methods, naming.Item{Key: "all:" + v, Name: naming.Exported(v) + "All"})
		}
	}
	mnames := naming.Assign(reservedMethods, methods)
	for _, v := range chosen {
		ps := b.byPath[action.Submodules[v]]
		ps.method = mnames["method:"+v]
		if continues(b.mods[ps]) {
			ps.pagesMethod = mnames["all:"+v]
		}
	}
}

// continues reports whether a module follows continuation: it has an
// optional "continue" parameter.
func continues(mod *apischema.Module) bool {
	p := mod.Param("continue")
	return p != nil && !p.Required && p.TokenType == ""
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

// fieldParams are the parameters of a module that become fields: all but
// main's action (the Client's methods choose it) and token parameters
// (the runtime fills them in).
func fieldParams(mod *apischema.Module) []*apischema.Param {
	var out []*apischema.Param
	for _, p := range allParams(mod) {
		if (mod.Path == "main" && p.Name == "action") || p.TokenType != "" {
			continue
		}
		out = append(out, p)
	}
	return out
}

func (b *builder) buildStruct(ps *paramsStruct) error {
	mod := b.mods[ps]
	for _, p := range allParams(mod) {
		if p.TokenType != "" {
			ps.token = p.TokenType
			if wire := mod.Prefix + p.Name; wire != "token" {
				ps.tokenParam = wire
			}
		}
	}
	psKey, members := b.pageSetKey(mod)
	var set *pageSet
	reserved := reservedFields
	if psKey != "" {
		set = b.buildPageSet(mod, psKey, members)
		// The embedded page set's name and its promoted fields are
		// taken in the module's struct.
		reserved = slices.Concat(reserved, []string{set.name})
		for _, f := range set.fields {
			reserved = append(reserved, f.name)
		}
	}
	var items []naming.Item
	var params []*apischema.Param
	for _, p := range fieldParams(mod) {
		if slices.Contains(members, p) {
			continue
		}
		params = append(params, p)
		items = append(items, naming.Item{Key: p.Name, Name: naming.Exported(p.Name)})
	}
	fieldNames := naming.Assign(reserved, items)
	for _, p := range fieldParams(mod) {
		if set != nil && p == members[0] {
			ps.fields = append(ps.fields, b.pageSetField(set))
			set.users = append(set.users, ps.name)
			if !b.isShared(psKey) {
				ps.pageSets = append(ps.pageSets, set)
			}
		}
		if !slices.Contains(params, p) {
			continue
		}
		f := b.buildField(mod, p, fieldNames[p.Name])
		ps.fields = append(ps.fields, f)
		ps.enums, ps.sels = b.ownTypes(mod, p, f, ps.enums, ps.sels)
	}
	return nil
}

// ownTypes adds f's enum and its selector, unless shared, to the types
// emitted with the struct that holds f.
func (b *builder) ownTypes(mod *apischema.Module, p *apischema.Param, f *field, enums []*enumType, sels []*selector) ([]*enumType, []*selector) {
	if f.enum != nil {
		enums = append(enums, f.enum)
	}
	if f.sel != nil && !b.isShared(b.selectorKey(mod, p)) {
		sels = append(sels, f.sel)
	}
	return enums, sels
}

func (b *builder) isShared(key string) bool { return b.selUsers[key] > 1 || b.psUsers[key] > 1 }

// buildField decides everything about the field of p: kind, type, doc and
// checks.
func (b *builder) buildField(mod *apischema.Module, p *apischema.Param, name string) *field {
	f := &field{name: name, wire: p.Name, sensitive: p.Sensitive}
	switch {
	case len(p.TemplateVars) > 0:
		f.kind = kTemplated
		f.tmpl = templateOf(p)
	case len(p.Submodules) > 0:
		key := b.selectorKey(mod, p)
		f.sel = b.buildSelector(mod, p, key, b.names[key])
		switch {
		case f.sel != nil:
			f.kind = kSelector
		case p.Multi:
			// No submodule of this selector was generated (--modules).
			f.kind = kStrings
		default:
			f.kind = kString
		}
	case p.Type.IsEnum():
		f.enum = buildEnum(mod, p, b.names)
		f.kind = kEnum
		if p.Multi {
			f.kind = kEnums
		}
	default:
		f.kind, _ = scalarKind(p)
	}
	f.doc = fieldDoc(mod, p, f) + b.paramVersionDoc(mod, p)
	f.checks = fieldChecks(p, f)
	b.fieldVersions(mod, p, f)
	return f
}

// templateOf splits "fromtext-{slot}" into what gensupport.Templated
// needs: the name, its placeholder and the parameter that controls it.
func templateOf(p *apischema.Param) *template {
	for _, v := range slices.Sorted(maps.Keys(p.TemplateVars)) {
		return &template{name: p.Name, placeholder: "{" + v + "}", target: p.TemplateVars[v]}
	}
	return nil
}

// fieldChecks decides the checks of one field: required, then the kind's
// bounds, closed-enum membership and contents, then the number of values.
func fieldChecks(p *apischema.Param, f *field) []check {
	k := kinds[f.kind]
	var out []check
	if p.Required {
		out = append(out, check{kind: checkRequired})
	}
	switch k.bounds {
	case checkIntRange, checkIntsRange:
		if p.Min != nil || p.Max != nil {
			out = append(out, check{kind: k.bounds, min: optBound(p.Min), max: optBound(maxOf(p))})
		}
	case checkLimitRange:
		out = append(out, check{kind: k.bounds, lo: intOr(p.Min, 0), hi: intOr(p.Max, math.MaxInt32), highmax: intOr(maxOf(p), math.MaxInt32)})
	}
	if k.values != noCheck && f.enum != nil && !f.enum.open && len(f.enum.values) > 0 {
		out = append(out, check{kind: k.values, allSpecifier: p.AllSpecifier})
	}
	if k.sub != noCheck {
		out = append(out, check{kind: k.sub})
	}
	if k.slice && p.Multi && p.HighLimit != nil {
		out = append(out, check{kind: checkCount, limit: *p.HighLimit})
	}
	return out
}

func maxOf(p *apischema.Param) *int64 {
	if p.HighMax != nil {
		return p.HighMax
	}
	return p.Max
}

// optBound is a runtime.Opt[int] bound: set, or unset for none. A bound
// beyond 32 bits is left out, so the code compiles where int is 32 bits
// wide; the wiki still enforces it.
func optBound(v *int64) optInt {
	if v == nil || *v > math.MaxInt32 || *v < math.MinInt32 {
		return optInt{}
	}
	return optInt{v: int(*v), set: true}
}

// intOr is a bound as an int, clamped to 32 bits (see optBound).
func intOr(v *int64, def int) int {
	if v == nil {
		return def
	}
	return int(max(min(*v, math.MaxInt32), math.MinInt32))
}

// hasAllSpecifier reports whether a multi-value enum has a value meaning
// "all of them" that is not one of its listed values.
func hasAllSpecifier(p *apischema.Param) bool {
	return p.Multi && p.AllSpecifier != "" && !slices.Contains(p.Type.Values, p.AllSpecifier)
}

func buildEnum(mod *apischema.Module, p *apischema.Param, names map[string]string) *enumType {
	e := &enumType{name: names[paramKey("enum", mod.Path, p.Name)], open: apischema.OpenEnum(mod, p)}
	if hasAllSpecifier(p) {
		e.all, e.allValue = names[paramKey("all", mod.Path, p.Name)], p.AllSpecifier
	}
	for _, v := range uniqueValues(p.Type.Values) {
		var notes []string
		if slices.Contains(p.DeprecatedValues, v) {
			notes = append(notes, "Deprecated: the wiki marks this value as deprecated.")
		}
		if slices.Contains(p.InternalValues, v) {
			notes = append(notes, "Internal: this value may change without notice.")
		}
		e.values = append(e.values, enumValue{name: names[constKey(mod.Path, p.Name, v)], value: v, doc: strings.Join(notes, "\n")})
	}
	e.doc = fmt.Sprintf("%s is a value of %s%s of %s.", e.name, mod.Prefix, p.Name, moduleTitle(mod))
	if e.open {
		e.doc += "\nThe list is open: the wiki may accept values it does not list here."
	}
	return e
}

// selectorKey identifies a selector by what it offers: two parameters
// with the same name, prefix, arity and generated choices get one type.
func (b *builder) selectorKey(mod *apischema.Module, p *apischema.Param) string {
	if mod.Path == "main" && p.Name == "format" {
		return paramKey("sel", mod.Path, p.Name)
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "selector:%d:%s/%d:%s/%t", len(p.Name), p.Name, len(p.SubmoduleParamPrefix), p.SubmoduleParamPrefix, p.Multi)
	for _, v := range slices.Sorted(maps.Keys(p.Submodules)) {
		if path := p.Submodules[v]; b.byPath[path] != nil {
			fmt.Fprintf(&sb, "/%d:%s=%d:%s", len(v), v, len(path), path)
		}
	}
	return sb.String()
}

// buildSelector returns the selector for p, built once per key; nil when
// none of its submodules is generated (--modules).
func (b *builder) buildSelector(mod *apischema.Module, p *apischema.Param, key, name string) *selector {
	if sel, ok := b.selectors[key]; ok {
		return sel
	}
	sel := &selector{name: name, wire: p.Name, multi: p.Multi}
	var items []naming.Item
	for _, v := range slices.Sorted(maps.Keys(p.Submodules)) {
		if b.byPath[p.Submodules[v]] == nil {
			continue
		}
		items = append(items, naming.Item{Key: v, Name: naming.Exported(v)})
	}
	fields := naming.Assign(nil, items)
	for _, item := range items {
		target := b.byPath[p.Submodules[item.Key]]
		sel.choices = append(sel.choices, selChoice{field: fields[item.Key], value: item.Key, target: target.name,
			prefix: p.SubmoduleParamPrefix + target.prefix})
	}
	if mod.Path == "main" && p.Name == "format" {
		// The runtime always asks for format=json: the field only carries
		// the json module's own parameters.
		sel = jsonOnly(sel)
	}
	if sel == nil || len(sel.choices) == 0 {
		b.selectors[key] = nil
		return nil
	}
	how := "Set one field to use that submodule"
	switch {
	case sel.fixed:
		how = "The runtime always sends format=json (and formatversion=2, errorformat=plaintext,\nwhich win over the same settings here), so only json is offered"
	case sel.multi:
		how = "Set any number of fields to use those submodules together"
	}
	sel.doc = fmt.Sprintf("%s selects submodules for %s. %s;\neach carries that submodule's parameters.", sel.name, p.Name, how)
	b.selectors[key] = sel
	if b.isShared(key) {
		b.m.sharedSelectors = append(b.m.sharedSelectors, sel)
	}
	return sel
}

// jsonOnly keeps the json choice of main's format selector, or returns nil.
func jsonOnly(sel *selector) *selector {
	for _, c := range sel.choices {
		if c.value == "json" {
			sel.choices = []selChoice{c}
			sel.fixed = true
			return sel
		}
	}
	return nil
}

// The parameters of MediaWiki's ApiPageSet, in its order; the first four
// must all be there for a module to have a page set.
var pageSetParams = []string{"titles", "pageids", "revids", "generator", "redirects", "converttitles"}

// pageSetKey returns the key of the module's page set and the parameters
// it is made of, or "" and nil when the module has none. Two modules with
// the same key share one page set type: the key holds everything that
// shapes the fields and checks (not the help text, which then comes from
// the first module in path order).
func (b *builder) pageSetKey(mod *apischema.Module) (string, []*apischema.Param) {
	var members []*apischema.Param
	for i, name := range pageSetParams {
		p := mod.Param(name)
		if p == nil || p.TokenType != "" || len(p.TemplateVars) > 0 || slices.Contains(mod.TemplatedParameters, p) {
			if i < 4 {
				return "", nil
			}
			continue
		}
		members = append(members, p)
	}
	if g := mod.Param("generator"); len(g.Submodules) == 0 {
		return "", nil
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "pageset:%d:%s", len(mod.Prefix), mod.Prefix)
	for _, p := range members {
		def := ""
		if p.Default != nil {
			def = p.Default.String()
		}
		fmt.Fprintf(&sb, "|%q %q %t %t %q %t %t %v %v %v %v %v %v %q %q %q",
			p.Name, p.Type.String(), p.Multi, p.Required, def, p.Deprecated, p.Sensitive,
			derefOr(p.Limit), derefOr(p.LowLimit), derefOr(p.HighLimit),
			derefOr(p.Min), derefOr(p.Max), derefOr(p.HighMax),
			p.AllSpecifier, strings.Join(p.DeprecatedValues, "|"), strings.Join(p.InternalValues, "|"))
		if len(p.Submodules) > 0 {
			fmt.Fprintf(&sb, " %q", b.selectorKey(mod, p))
		}
	}
	return sb.String(), members
}

func derefOr[T any](p *T) any {
	if p == nil {
		return "-"
	}
	return *p
}

// buildPageSet returns the page set for key, built once from the first
// module that has it.
func (b *builder) buildPageSet(mod *apischema.Module, key string, members []*apischema.Param) *pageSet {
	if set, ok := b.pageSets[key]; ok {
		return set
	}
	set := &pageSet{name: b.names[key]}
	var items []naming.Item
	for _, p := range members {
		items = append(items, naming.Item{Key: p.Name, Name: naming.Exported(p.Name)})
	}
	names := naming.Assign(nil, items)
	for _, p := range members {
		f := b.buildField(mod, p, names[p.Name])
		// A page set serves several modules: its parameters are those of
		// ApiPageSet, the same in every version, and carry no needs.
		f.versions = ""
		if f.enum != nil {
			f.enum.versions = nil
		}
		set.fields = append(set.fields, f)
		set.enums, set.sels = b.ownTypes(mod, p, f, set.enums, set.sels)
	}
	for _, p := range members {
		set.wires = append(set.wires, mod.Prefix+p.Name)
	}
	b.setOrder = append(b.setOrder, set)
	b.pageSets[key] = set
	if b.isShared(key) {
		b.m.sharedPageSets = append(b.m.sharedPageSets, set)
	}
	return set
}

// pageSetField is the embedded field of a module with a page set.
func (b *builder) pageSetField(set *pageSet) *field {
	f := &field{name: set.name, kind: kPageSet, pageSet: set,
		doc: set.name + " is the set of pages to work on: " + strings.Join(set.wires, ", ") + "."}
	f.checks = []check{{kind: kinds[kPageSet].sub}}
	return f
}

// moduleTitle names a module as users know it: "list=allpages" for query
// submodules, "action=edit" for actions.
func moduleTitle(mod *apischema.Module) string {
	switch {
	case mod.Path == "main":
		return "the main module"
	case mod.Group != "":
		return mod.Group + "=" + mod.Name + " (" + mod.Path + ")"
	default:
		return mod.Path
	}
}

func moduleDoc(mod *apischema.Module, ps *paramsStruct) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s are the parameters of %s.", ps.name, moduleTitle(mod))
	if d := docText(mod.Description); d != "" {
		b.WriteString("\n\n" + d)
	}
	var notes []string
	if mod.MustBePosted {
		notes = append(notes, "sent as a POST")
	}
	if ps.token != "" {
		notes = append(notes, "needs a "+ps.token+" token, which the runtime fetches")
	}
	if mod.WriteRights {
		notes = append(notes, "needs write rights")
	}
	if mod.Generator {
		notes = append(notes, "can be used as a generator")
	}
	if mod.DynamicParameters {
		notes = append(notes, "accepts parameters the schema does not list: put them in Extra")
	}
	if len(notes) > 0 {
		b.WriteString("\n\nAbout the module: " + strings.Join(notes, "; ") + ".")
	}
	if mod.DynamicParametersHelp != "" {
		b.WriteString("\n\n" + docText(mod.DynamicParametersHelp))
	}
	for _, u := range mod.HelpURLs {
		b.WriteString("\n\nSee " + naming.CommentSafe(u))
	}
	if mod.Internal {
		b.WriteString("\n\nThe module is internal: it may change or go away without notice.")
	}
	if mod.Deprecated {
		b.WriteString("\n\nDeprecated: the wiki marks this module as deprecated.")
	}
	return b.String()
}

// fieldDoc is a field's doc comment: its wire name (so users can grep for
// it), the wiki's help text, then the facts in parentheses.
func fieldDoc(mod *apischema.Module, p *apischema.Param, f *field) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s is %s", f.name, mod.Prefix+p.Name)
	if d := docText(p.Description); d != "" {
		b.WriteString(": " + d)
	} else {
		b.WriteString(".")
	}
	var facts []string
	if p.Required {
		facts = append(facts, "required")
	}
	if d := defaultDoc(p.Default); d != "" {
		facts = append(facts, d)
	}
	if p.Min != nil {
		facts = append(facts, fmt.Sprintf("min %d", *p.Min))
	}
	if p.Max != nil {
		facts = append(facts, fmt.Sprintf("max %d", *p.Max))
	}
	if p.HighMax != nil {
		facts = append(facts, fmt.Sprintf("max %d with apihighlimits", *p.HighMax))
	}
	if p.Multi && p.HighLimit != nil {
		facts = append(facts, fmt.Sprintf("up to %d values (%d with apihighlimits)", deref(p.LowLimit), *p.HighLimit))
	}
	if p.AllSpecifier != "" {
		facts = append(facts, fmt.Sprintf("%q means all values", p.AllSpecifier))
	}
	if p.Sensitive {
		facts = append(facts, "sensitive: never logged")
	}
	facts = append(facts, kinds[f.kind].facts(p, mod.Prefix, f)...)
	if len(facts) > 0 {
		b.WriteString("\n(" + strings.Join(facts, "; ") + ")")
	}
	if p.Deprecated {
		b.WriteString("\n\nDeprecated: the wiki marks this parameter as deprecated.")
	}
	return b.String()
}

func deref(p *int) int {
	if p == nil {
		return 0
	}
	return *p
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

// defaultDoc describes a parameter's default for its field's doc, whatever
// shape paraminfo gave it: a string, number or boolean (`default "10"`), an
// array of values for a multi-value parameter, written as it goes on the
// wire (`default "content|links"`), an empty array, or null.
func defaultDoc(d *apischema.Scalar) string {
	if d == nil {
		return ""
	}
	switch d.Kind() {
	case apischema.ScalarNull:
		return "default null (none)"
	case apischema.ScalarArray:
		if len(d.Values()) == 0 {
			return `default "" (no values)`
		}
	}
	return "default " + strconv.Quote(naming.CommentSafe(d.String()))
}
