package apischema

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// ChangeKind says what kind of difference a Change is.
type ChangeKind int

// The kinds of change, in the order Diff sorts them within one module and
// parameter. Module-level kinds leave Change.Param empty.
const (
	// ModuleRemoved: the module is gone. Breaking.
	ModuleRemoved ChangeKind = iota + 1
	// ModuleAdded: a new module. Not breaking.
	ModuleAdded
	// PrefixChanged: the module's parameter prefix changed, so every wire
	// name changed (Param empty); or, with Param set, a submodule selector's
	// submoduleparamprefix changed ("g" of gapnamespace). Breaking.
	PrefixChanged
	// MustBePostedChanged: the module now must be, or no longer must be,
	// sent by POST. Breaking when it now must be (GET requests fail).
	MustBePostedChanged
	// ParamRemoved: the parameter is gone. Breaking.
	ParamRemoved
	// ParamAdded: a new parameter. Breaking when it is required.
	ParamAdded
	// TypeChanged: the parameter's type changed; Old and New are type names
	// ("enum" for enums). Not breaking when it relaxes the type (an enum or
	// a free-text type becoming a free-text type: string, text, raw).
	TypeChanged
	// EnumValueRemoved: an enum (or submodule selector) value is gone;
	// Value names it. Breaking.
	EnumValueRemoved
	// EnumValueAdded: an enum (or submodule selector) value is new; Value
	// names it. Not breaking.
	EnumValueAdded
	// RequiredChanged: Old and New are "false"/"true". Breaking when the
	// parameter becomes required.
	RequiredChanged
	// MultiChanged: Old and New are "false"/"true". Breaking when the
	// parameter no longer takes several values.
	MultiChanged
	// LimitChanged: a bound changed; Value names it as paraminfo does
	// ("limit", "lowlimit", "highlimit", "min", "max", "highmax",
	// "maxbytes", "maxchars"), Old and New are the numbers ("" for none).
	// Breaking when the bound got stricter.
	LimitChanged
	// TokenTypeChanged: the parameter now carries a different token type,
	// or one where it carried none. Breaking unless the token type was
	// removed.
	TokenTypeChanged
	// DefaultChanged: the default value changed; Old and New are the values
	// ("" for none). Not breaking, but requests that leave the parameter out
	// behave differently.
	DefaultChanged
	// Deprecated: a module (Param empty), parameter, or enum value (Value
	// set) is newly deprecated. Not breaking.
	Deprecated
	// Undeprecated: a module, parameter or enum value is no longer
	// deprecated. Not breaking.
	Undeprecated
	// AttributeChanged: a secondary attribute changed; Value names it as
	// paraminfo does. Module attributes: "readrights", "writerights"
	// (breaking when newly required), "generator" (breaking when the module
	// can no longer be a generator), "dynamicparameters" (breaking when
	// lost), "internal". Parameter attributes: "allspecifier" (breaking when
	// removed or changed), "subtypes" and "extranamespaces" (breaking when
	// one is removed), "templatevars" (breaking when a placeholder is bound
	// differently), "mustExist" (breaking when it becomes true),
	// "sensitive", "allowsduplicates".
	AttributeChanged
)

var changeKindNames = [...]string{
	ModuleRemoved:       "module-removed",
	ModuleAdded:         "module-added",
	PrefixChanged:       "prefix-changed",
	MustBePostedChanged: "mustbeposted-changed",
	ParamRemoved:        "param-removed",
	ParamAdded:          "param-added",
	TypeChanged:         "type-changed",
	EnumValueRemoved:    "enum-value-removed",
	EnumValueAdded:      "enum-value-added",
	RequiredChanged:     "required-changed",
	MultiChanged:        "multi-changed",
	LimitChanged:        "limit-changed",
	TokenTypeChanged:    "tokentype-changed",
	DefaultChanged:      "default-changed",
	Deprecated:          "deprecated",
	Undeprecated:        "undeprecated",
	AttributeChanged:    "attribute-changed",
}

// String returns the kind's stable name, e.g. "param-removed".
func (k ChangeKind) String() string {
	if k > 0 && int(k) < len(changeKindNames) {
		return changeKindNames[k]
	}
	return "ChangeKind(" + strconv.Itoa(int(k)) + ")"
}

// MarshalText implements encoding.TextMarshaler: the kind's String.
func (k ChangeKind) MarshalText() ([]byte, error) {
	if k <= 0 || int(k) >= len(changeKindNames) {
		return nil, fmt.Errorf("unknown change kind %d", int(k))
	}
	return []byte(changeKindNames[k]), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (k *ChangeKind) UnmarshalText(b []byte) error {
	for i, name := range changeKindNames {
		if i > 0 && name == string(b) {
			*k = ChangeKind(i)
			return nil
		}
	}
	return fmt.Errorf("unknown change kind %q", b)
}

// Change is one difference between two schemas.
type Change struct {
	Kind ChangeKind `json:"kind"`
	// Module is the module path, e.g. "query+allpages".
	Module string `json:"module"`
	// Param is the parameter's wire name as users see it (the module's
	// Prefix + Name, e.g. "apfrom"; templated names keep their
	// placeholders). It uses the new prefix, or the old one for a removed
	// parameter. Empty for module-level changes.
	Param string `json:"param,omitempty"`
	// Value is the enum value of a value-level change (EnumValueAdded,
	// EnumValueRemoved, Deprecated, Undeprecated), or the attribute name
	// of a LimitChanged or AttributeChanged.
	Value string `json:"value,omitempty"`
	// Old and New are the value before and after, where the kind has one
	// ("integer" → "string", "50" → "500"); "" means none.
	Old string `json:"old,omitempty"`
	New string `json:"new,omitempty"`
	// Breaking is true when code or requests that worked against the old
	// schema may fail against the new one.
	Breaking bool `json:"breaking"`
}

// SchemaDiff is what changed between two schemas; see Diff.
type SchemaDiff struct {
	// Changes are sorted by Module, Param, Kind, then Value.
	Changes []Change `json:"changes"`
}

// Breaking reports whether any change is breaking.
func (d *SchemaDiff) Breaking() bool {
	if d == nil {
		return false
	}
	for _, c := range d.Changes {
		if c.Breaking {
			return true
		}
	}
	return false
}

// Empty reports whether the schemas are the same as far as Diff looks.
func (d *SchemaDiff) Empty() bool { return d == nil || len(d.Changes) == 0 }

// String returns a report for people: one line per change, then a summary
// line ("3 changes, 1 breaking"), or just "no changes". Every line ends in a
// newline.
//
//	BREAKING  query+allpages  apfrom: parameter removed
//	          edit: module added
//	2 changes, 1 breaking
func (d *SchemaDiff) String() string {
	if d.Empty() {
		return "no changes\n"
	}
	var b strings.Builder
	breaking := 0
	for _, c := range d.Changes {
		if c.Breaking {
			breaking++
		}
		b.WriteString(c.String())
		b.WriteByte('\n')
	}
	noun := "changes"
	if len(d.Changes) == 1 {
		noun = "change"
	}
	fmt.Fprintf(&b, "%d %s, %d breaking\n", len(d.Changes), noun, breaking)
	return b.String()
}

// String returns the change as one line of SchemaDiff.String, without a
// newline: "BREAKING  query+allpages  apfrom: parameter removed".
func (c Change) String() string {
	var b strings.Builder
	if c.Breaking {
		b.WriteString("BREAKING  ")
	} else {
		b.WriteString("          ")
	}
	b.WriteString(c.Module)
	if c.Param != "" {
		b.WriteString("  ")
		b.WriteString(c.Param)
	}
	b.WriteString(": ")
	b.WriteString(c.describe())
	return b.String()
}

func (c Change) describe() string {
	oldNew := func(what string) string {
		return what + ": " + diffShow(c.Old) + " → " + diffShow(c.New)
	}
	level := "module"
	if c.Param != "" {
		level = "parameter"
	}
	switch c.Kind {
	case ModuleRemoved:
		return "module removed"
	case ModuleAdded:
		return "module added"
	case PrefixChanged:
		if c.Param != "" {
			return oldNew("submodule parameter prefix changed")
		}
		return oldNew("parameter prefix changed")
	case MustBePostedChanged:
		if c.New == "true" {
			return "now must be POSTed"
		}
		return "no longer must be POSTed"
	case ParamRemoved:
		return "parameter removed"
	case ParamAdded:
		if c.Breaking {
			return "required parameter added"
		}
		return "parameter added"
	case TypeChanged:
		return oldNew("type changed")
	case EnumValueRemoved:
		return "value " + strconv.Quote(c.Value) + " removed"
	case EnumValueAdded:
		return "value " + strconv.Quote(c.Value) + " added"
	case RequiredChanged:
		if c.New == "true" {
			return "now required"
		}
		return "no longer required"
	case MultiChanged:
		if c.New == "true" {
			return "now takes several values"
		}
		return "no longer takes several values"
	case LimitChanged, AttributeChanged:
		return oldNew(c.Value + " changed")
	case TokenTypeChanged:
		return oldNew("token type changed")
	case DefaultChanged:
		return oldNew("default changed")
	case Deprecated:
		if c.Value != "" {
			return "value " + strconv.Quote(c.Value) + " deprecated"
		}
		return level + " deprecated"
	case Undeprecated:
		if c.Value != "" {
			return "value " + strconv.Quote(c.Value) + " no longer deprecated"
		}
		return level + " no longer deprecated"
	}
	s := c.Kind.String()
	if c.Value != "" {
		s += " " + strconv.Quote(c.Value)
	}
	if c.Old != "" || c.New != "" {
		s += ": " + diffShow(c.Old) + " → " + diffShow(c.New)
	}
	return s
}

func diffShow(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// Diff reports what changed from old to new, as it matters to a client of
// the API: modules and parameters added and removed, and changes to types,
// enum values, requiredness, limits, defaults, deprecation, prefixes, POST
// and token requirements. Each change says whether it is breaking.
//
// Diff ignores what does not change how the API is used: help text
// (descriptions, examples, help URLs, parameter info), license links,
// parameter indexes, class names, sources, unknown fields kept in Extra,
// Schema.Wiki, FetchedAt and HelpFormat, and the values of enums whose
// values depend on the wiki's state (see VolatileEnum). Parameters are
// matched by their unprefixed names, so a changed prefix is one change, not
// every parameter removed and added. A nil schema counts as one without
// modules. Diff does not modify its arguments.
func Diff(old, new *Schema) *SchemaDiff {
	var d diffBuilder
	oldMods, newMods := diffModuleIndex(old), diffModuleIndex(new)
	for path, om := range oldMods {
		nm, ok := newMods[path]
		if !ok {
			d.add(Change{Kind: ModuleRemoved, Module: path, Breaking: true})
			continue
		}
		d.module(om, nm)
	}
	for path := range newMods {
		if _, ok := oldMods[path]; !ok {
			d.add(Change{Kind: ModuleAdded, Module: path})
		}
	}
	slices.SortFunc(d.changes, func(a, b Change) int {
		return cmp.Or(
			strings.Compare(a.Module, b.Module),
			strings.Compare(a.Param, b.Param),
			cmp.Compare(a.Kind, b.Kind),
			strings.Compare(a.Value, b.Value),
			strings.Compare(a.Old, b.Old),
			strings.Compare(a.New, b.New),
		)
	})
	return &SchemaDiff{Changes: d.changes}
}

// DiffCommon is Diff over the modules both schemas have: for partial
// dumps, and for wikis with different sets of extensions, where modules
// present on one side only are not changes.
func DiffCommon(old, new *Schema) *SchemaDiff {
	oldMods, newMods := diffModuleIndex(old), diffModuleIndex(new)
	keep := func(s *Schema, other map[string]*Module) *Schema {
		out := &Schema{}
		if s == nil {
			return out
		}
		for _, m := range s.Modules {
			if m != nil && other[m.Path] != nil {
				out.Modules = append(out.Modules, m)
			}
		}
		return out
	}
	return Diff(keep(old, newMods), keep(new, oldMods))
}

// Counts returns the number of changes and of breaking ones.
func (d *SchemaDiff) Counts() (changes, breaking int) {
	if d == nil {
		return 0, 0
	}
	for _, c := range d.Changes {
		if c.Breaking {
			breaking++
		}
	}
	return len(d.Changes), breaking
}

// MarshalJSON writes the changes and a summary, for scripts:
// {"changes": [...], "total": 3, "breaking": 1}. Changes is never null.
func (d *SchemaDiff) MarshalJSON() ([]byte, error) {
	total, breaking := d.Counts()
	changes := []Change{}
	if d != nil && d.Changes != nil {
		changes = d.Changes
	}
	return marshal(struct {
		Changes  []Change `json:"changes"`
		Total    int      `json:"total"`
		Breaking int      `json:"breaking"`
	}{changes, total, breaking})
}

// diffModuleIndex maps module paths to modules; the first of duplicates wins.
func diffModuleIndex(s *Schema) map[string]*Module {
	idx := map[string]*Module{}
	if s == nil {
		return idx
	}
	for _, m := range s.Modules {
		if m == nil {
			continue
		}
		if _, dup := idx[m.Path]; !dup {
			idx[m.Path] = m
		}
	}
	return idx
}

// diffParamIndex maps the unprefixed names of plain and templated
// parameters to parameters; the first of duplicates wins.
func diffParamIndex(m *Module) map[string]*Param {
	idx := map[string]*Param{}
	for _, p := range slices.Concat(m.Parameters, m.TemplatedParameters) {
		if p == nil {
			continue
		}
		if _, dup := idx[p.Name]; !dup {
			idx[p.Name] = p
		}
	}
	return idx
}

type diffBuilder struct {
	changes []Change
}

func (d *diffBuilder) add(c Change) { d.changes = append(d.changes, c) }

func (d *diffBuilder) module(om, nm *Module) {
	path := nm.Path
	if om.Prefix != nm.Prefix {
		d.add(Change{Kind: PrefixChanged, Module: path, Old: om.Prefix, New: nm.Prefix, Breaking: true})
	}
	if om.MustBePosted != nm.MustBePosted {
		d.add(Change{Kind: MustBePostedChanged, Module: path,
			Old: strconv.FormatBool(om.MustBePosted), New: strconv.FormatBool(nm.MustBePosted),
			Breaking: nm.MustBePosted})
	}
	d.deprecation(path, "", "", om.Deprecated, nm.Deprecated)
	flag := func(name string, o, n, breakingWhen bool) {
		if o != n {
			d.add(Change{Kind: AttributeChanged, Module: path, Value: name,
				Old: strconv.FormatBool(o), New: strconv.FormatBool(n), Breaking: n == breakingWhen})
		}
	}
	flag("readrights", om.ReadRights, nm.ReadRights, true)
	flag("writerights", om.WriteRights, nm.WriteRights, true)
	flag("generator", om.Generator, nm.Generator, false)
	flag("dynamicparameters", om.DynamicParameters, nm.DynamicParameters, false)
	if om.Internal != nm.Internal {
		d.add(Change{Kind: AttributeChanged, Module: path, Value: "internal",
			Old: strconv.FormatBool(om.Internal), New: strconv.FormatBool(nm.Internal)})
	}

	oldParams, newParams := diffParamIndex(om), diffParamIndex(nm)
	for name, op := range oldParams {
		np, ok := newParams[name]
		if !ok {
			d.add(Change{Kind: ParamRemoved, Module: path, Param: om.WireName(op), Breaking: true})
			continue
		}
		d.param(om, op, nm, np)
	}
	for name, np := range newParams {
		if _, ok := oldParams[name]; !ok {
			d.add(Change{Kind: ParamAdded, Module: path, Param: nm.WireName(np), Breaking: np.Required})
		}
	}
}

func (d *diffBuilder) deprecation(module, param, value string, o, n bool) {
	switch {
	case !o && n:
		d.add(Change{Kind: Deprecated, Module: module, Param: param, Value: value})
	case o && !n:
		d.add(Change{Kind: Undeprecated, Module: module, Param: param, Value: value})
	}
}

func (d *diffBuilder) param(om *Module, op *Param, nm *Module, np *Param) {
	module, wire := nm.Path, nm.WireName(np)
	add := func(c Change) {
		c.Module, c.Param = module, wire
		d.add(c)
	}
	boolChange := func(kind ChangeKind, value string, o, n, breakingWhen bool) {
		if o != n {
			add(Change{Kind: kind, Value: value,
				Old: strconv.FormatBool(o), New: strconv.FormatBool(n), Breaking: n == breakingWhen})
		}
	}

	// Type and enum values.
	switch {
	case op.Type.IsEnum() && np.Type.IsEnum():
		if VolatileEnum(om, op) || VolatileEnum(nm, np) {
			break
		}
		for _, v := range diffMissing(op.Type.Values, np.Type.Values) {
			add(Change{Kind: EnumValueRemoved, Value: v, Breaking: true})
		}
		for _, v := range diffMissing(np.Type.Values, op.Type.Values) {
			add(Change{Kind: EnumValueAdded, Value: v})
		}
		for _, v := range np.Type.Values {
			if slices.Contains(op.Type.Values, v) {
				d.deprecation(module, wire, v,
					slices.Contains(op.DeprecatedValues, v), slices.Contains(np.DeprecatedValues, v))
			}
		}
	case op.Type.Name != np.Type.Name:
		add(Change{Kind: TypeChanged, Old: op.Type.Name, New: np.Type.Name,
			Breaking: !diffTypeRelaxes(op.Type.Name, np.Type.Name)})
	}

	boolChange(RequiredChanged, "", op.Required, np.Required, true)
	boolChange(MultiChanged, "", op.Multi, np.Multi, false)

	// Bounds. How many values a request may carry matters only when both
	// sides take several; numeric bounds only when the type is the same
	// (a type change is reported already).
	if op.Multi && np.Multi {
		d.upperBound(add, "limit", diffInt64(op.Limit), diffInt64(np.Limit))
		d.upperBound(add, "lowlimit", diffInt64(op.LowLimit), diffInt64(np.LowLimit))
		d.upperBound(add, "highlimit", diffInt64(op.HighLimit), diffInt64(np.HighLimit))
	}
	if op.Type.Name == np.Type.Name {
		if !diffSameInt(op.Min, np.Min) {
			// A minimum is a lower bound: raising it, or adding one, is stricter.
			add(Change{Kind: LimitChanged, Value: "min", Old: diffFormat(op.Min), New: diffFormat(np.Min),
				Breaking: np.Min != nil && (op.Min == nil || *np.Min > *op.Min)})
		}
		d.upperBound(add, "max", op.Max, np.Max)
		d.upperBound(add, "highmax", op.HighMax, np.HighMax)
	}
	d.upperBound(add, "maxbytes", diffInt64(op.MaxBytes), diffInt64(np.MaxBytes))
	d.upperBound(add, "maxchars", diffInt64(op.MaxChars), diffInt64(np.MaxChars))

	if op.TokenType != np.TokenType {
		add(Change{Kind: TokenTypeChanged, Old: op.TokenType, New: np.TokenType, Breaking: np.TokenType != ""})
	}
	if o, n := diffDefault(op), diffDefault(np); o != n {
		add(Change{Kind: DefaultChanged, Old: o, New: n})
	}
	d.deprecation(module, wire, "", op.Deprecated, np.Deprecated)
	if op.SubmoduleParamPrefix != np.SubmoduleParamPrefix {
		add(Change{Kind: PrefixChanged, Old: op.SubmoduleParamPrefix, New: np.SubmoduleParamPrefix, Breaking: true})
	}

	// Secondary attributes.
	if op.AllSpecifier != np.AllSpecifier {
		add(Change{Kind: AttributeChanged, Value: "allspecifier", Old: op.AllSpecifier, New: np.AllSpecifier,
			Breaking: op.AllSpecifier != ""})
	}
	d.set(add, "subtypes", op.Subtypes, np.Subtypes)
	d.set(add, "extranamespaces", diffInts(op.ExtraNamespaces), diffInts(np.ExtraNamespaces))
	if o, n := diffVars(op.TemplateVars), diffVars(np.TemplateVars); o != n {
		breaking := false
		for k, v := range op.TemplateVars {
			if nv, ok := np.TemplateVars[k]; !ok || nv != v {
				breaking = true
			}
		}
		add(Change{Kind: AttributeChanged, Value: "templatevars", Old: o, New: n, Breaking: breaking})
	}
	boolChange(AttributeChanged, "mustExist", op.MustExist, np.MustExist, true)
	if op.Sensitive != np.Sensitive {
		add(Change{Kind: AttributeChanged, Value: "sensitive",
			Old: strconv.FormatBool(op.Sensitive), New: strconv.FormatBool(np.Sensitive)})
	}
	if op.AllowsDuplicates != np.AllowsDuplicates {
		// Without it MediaWiki drops duplicates; requests still succeed.
		add(Change{Kind: AttributeChanged, Value: "allowsduplicates",
			Old: strconv.FormatBool(op.AllowsDuplicates), New: strconv.FormatBool(np.AllowsDuplicates)})
	}
}

// upperBound reports a changed upper bound (nil: none). Lowering it, or
// adding one, is breaking.
func (d *diffBuilder) upperBound(add func(Change), name string, o, n *int64) {
	if diffSameInt(o, n) {
		return
	}
	add(Change{Kind: LimitChanged, Value: name, Old: diffFormat(o), New: diffFormat(n),
		Breaking: n != nil && (o == nil || *n < *o)})
}

// set reports a changed list of allowed things; losing one is breaking.
func (d *diffBuilder) set(add func(Change), name string, o, n []string) {
	removed, added := diffMissing(o, n), diffMissing(n, o)
	if len(removed) == 0 && len(added) == 0 {
		return
	}
	add(Change{Kind: AttributeChanged, Value: name,
		Old: strings.Join(o, "|"), New: strings.Join(n, "|"), Breaking: len(removed) > 0})
}

// diffTypeRelaxes reports whether every value valid for type from is valid
// for type to: an enum or free text becoming free text.
func diffTypeRelaxes(from, to string) bool {
	freeText := func(t string) bool { return t == TypeString || t == TypeText || t == TypeRaw }
	return freeText(to) && (from == TypeEnum || freeText(from))
}

// diffMissing returns the values of a that are not in b, sorted, without
// duplicates.
func diffMissing(a, b []string) []string {
	var out []string
	for _, v := range a {
		if !slices.Contains(b, v) {
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// diffDefault returns a parameter's default as text, "" for none. A boolean
// parameter without a default defaults to false.
func diffDefault(p *Param) string {
	if p.Default == nil {
		if p.Type.Name == TypeBoolean {
			return "false"
		}
		return ""
	}
	return p.Default.String()
}

func diffInt64(p *int) *int64 {
	if p == nil {
		return nil
	}
	v := int64(*p)
	return &v
}

func diffSameInt(a, b *int64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

func diffFormat(p *int64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatInt(*p, 10)
}

func diffInts(vs []int) []string {
	if vs == nil {
		return nil
	}
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = strconv.Itoa(v)
	}
	return out
}

// diffVars formats template variables as "a=x,b=y", sorted.
func diffVars(vars map[string]string) string {
	keys := make([]string, 0, len(vars))
	for k := range vars {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + vars[k]
	}
	return strings.Join(parts, ",")
}
