package generator

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/mwgen/mwgen/apischema"
)

type fieldKind int

// The field kinds. Each one has exactly one entry in kinds, which holds
// everything about it: its Go type, how encode sends it, how a required
// one is tested for being set, which checks its bounds become, and the doc
// facts it adds. Emission reads only the entry, never the kind itself.
//
// Adding a paraminfo type (or a new way to represent one):
//
//  1. Add the kind here, before numKinds, with a comment saying its Go type.
//  2. Give it its entry in kinds: every part is required, and
//     TestKindTable fails for an entry with a part missing.
//  3. If a paraminfo type maps to it, add the type to paramTypes. A type
//     that is not there stays a string (kString, kOptString or kStrings)
//     with a doc fact saying so: that is the documented fallback for types
//     mwgen does not know.
//  4. If the kind needs a runtime setter or check that does not exist yet,
//     add it to the runtime, and raise the contract (contractVersion, and
//     gensupport's EnforceVersion constants): generated code that calls it
//     must not build against an older runtime.
//  5. Run go test ./generator -update and review the golden diff.
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
	kPageSet                     // an embedded page set struct
	numKinds
)

// kindInfo is one entry of the kind table.
type kindInfo struct {
	name   string // for tests and messages
	goType goType
	encode encoding
	isSet  setTest
	// slice kinds are sent as several values: a multi parameter's count
	// limit is checked.
	slice bool
	// bounds says which check a parameter's min and max become.
	bounds checkKind
	// values says which check a closed enum's list becomes.
	values checkKind
	// sub says how the field's own type checks its contents.
	sub checkKind
	// facts returns the doc facts of the kind, beyond those of every
	// parameter (required, default, limits...).
	facts func(p *apischema.Param, prefix string, f *field) []string
}

// noCheck marks a check part a kind does not have.
const noCheck checkKind = -1

// goType is a field's Go type: [] or * or map[string] around an element,
// which is a predeclared type, a runtime type (with a type argument for
// runtime.Opt), or the field's own named type.
type goType struct {
	wrap goWrap
	// elem is the element type: "string", "int", "bool", or a runtime
	// type when rt is set ("Opt", "Limit"...). Empty: the field's named
	// type (its enum, selector or page set).
	elem string
	rt   bool
	// arg is runtime.Opt's type argument, a predeclared type or (argRT) a
	// runtime type.
	arg   string
	argRT bool
}

type goWrap int

const (
	wrapNone goWrap = iota
	wrapSlice
	wrapPointer
	wrapMap // map[string]elem
	numWraps
)

// encoding is how encode sends a field.
type encoding struct {
	how encodeHow
	// setter is the runtime.Params method for encodeSetter.
	setter string
	conv   conversion
}

type encodeHow int

const (
	encodeSetter    encodeHow = iota // v.<setter>(prefix+wire, <conv>(p.F))
	encodeSelector                   // p.F.encode(v, prefix+wire)
	encodeEmbedded                   // p.F.encode(v, prefix)
	encodeTemplated                  // gensupport.Templated(v, ...), after the other fields
	numEncodeHows
)

type conversion int

const (
	convNone      conversion = iota
	convString               // string(p.F): a named string type
	convStringsOf            // gensupport.StringsOf(p.F): a slice of one
	numConversions
)

// setTest is how a required field is tested for being set.
type setTest int

const (
	setNonEmpty setTest = iota // p.F != ""
	setIsSet                   // p.F.IsSet()
	setLen                     // len(p.F) > 0
	setTrue                    // p.F
	setNonZero                 // p.F != 0
	setNonNil                  // p.F != nil
	setNotZero                 // p.F != (T{}): a struct of pointers
	// setUnsupported: the kind is never required (a page set, whose
	// parameters are each optional).
	setUnsupported
	numSetTests
)

var kinds = [numKinds]kindInfo{
	kString: {name: "string", goType: goType{elem: "string"},
		encode: encoding{setter: "Text"}, isSet: setNonEmpty,
		bounds: noCheck, values: noCheck, sub: noCheck, facts: unknownTypeFact},
	kOptString: {name: "optional string", goType: goType{elem: "Opt", rt: true, arg: "string"},
		encode: encoding{setter: "OptText"}, isSet: setIsSet,
		bounds: noCheck, values: noCheck, sub: noCheck, facts: unknownTypeFact},
	kStrings: {name: "strings", goType: goType{wrap: wrapSlice, elem: "string"},
		encode: encoding{setter: "Strings"}, isSet: setLen, slice: true,
		bounds: noCheck, values: noCheck, sub: noCheck, facts: unknownTypeFact},
	kInt: {name: "integer", goType: goType{elem: "Opt", rt: true, arg: "int"},
		encode: encoding{setter: "Int"}, isSet: setIsSet,
		bounds: checkIntRange, values: noCheck, sub: noCheck, facts: noFacts},
	kInts: {name: "integers", goType: goType{wrap: wrapSlice, elem: "int"},
		encode: encoding{setter: "Ints"}, isSet: setLen, slice: true,
		bounds: checkIntsRange, values: noCheck, sub: noCheck, facts: noFacts},
	kBool: {name: "boolean", goType: goType{elem: "bool"},
		encode: encoding{setter: "Bool"}, isSet: setTrue,
		bounds: noCheck, values: noCheck, sub: noCheck, facts: noFacts},
	kLimit: {name: "limit", goType: goType{elem: "Limit", rt: true},
		encode: encoding{setter: "Limit"}, isSet: setNonZero,
		bounds: checkLimitRange, values: noCheck, sub: noCheck, facts: noFacts},
	kNamespace: {name: "namespace", goType: goType{elem: "Opt", rt: true, arg: "Namespace", argRT: true},
		encode: encoding{setter: "Namespace"}, isSet: setIsSet,
		bounds: noCheck, values: noCheck, sub: noCheck, facts: noFacts},
	kNamespaces: {name: "namespaces", goType: goType{wrap: wrapSlice, elem: "Namespace", rt: true},
		encode: encoding{setter: "Namespaces"}, isSet: setLen, slice: true,
		bounds: noCheck, values: noCheck, sub: noCheck, facts: noFacts},
	kTime: {name: "timestamp", goType: goType{elem: "Timestamp", rt: true},
		encode: encoding{setter: "Timestamp"}, isSet: setIsSet,
		bounds: noCheck, values: noCheck, sub: noCheck, facts: noFacts},
	kFile: {name: "file", goType: goType{wrap: wrapPointer, elem: "File", rt: true},
		encode: encoding{setter: "File"}, isSet: setNonNil,
		bounds: noCheck, values: noCheck, sub: noCheck, facts: noFacts},
	kEnum: {name: "enum", goType: goType{},
		encode: encoding{setter: "Text", conv: convString}, isSet: setNonEmpty,
		bounds: noCheck, values: checkOneOf, sub: noCheck, facts: openEnumFact},
	kEnums: {name: "enums", goType: goType{wrap: wrapSlice},
		encode: encoding{setter: "Strings", conv: convStringsOf}, isSet: setLen, slice: true,
		bounds: noCheck, values: checkAllOf, sub: noCheck, facts: openEnumFact},
	kTemplated: {name: "templated", goType: goType{wrap: wrapMap, elem: "string"},
		encode: encoding{how: encodeTemplated}, isSet: setLen,
		bounds: noCheck, values: noCheck, sub: noCheck, facts: templatedFacts},
	kSelector: {name: "selector", goType: goType{},
		encode: encoding{how: encodeSelector}, isSet: setNotZero,
		bounds: noCheck, values: noCheck, sub: checkNested, facts: noFacts},
	kPageSet: {name: "page set", goType: goType{},
		encode: encoding{how: encodeEmbedded}, isSet: setUnsupported,
		bounds: noCheck, values: noCheck, sub: checkEmbedded, facts: noFacts},
}

// paramTypes maps a paraminfo type to its kinds, single- and multi-valued.
// Enums, selectors, templated parameters and page sets are recognised by
// their shape before this table is consulted; a type missing from it is
// sent as a string (see the checklist at fieldKind).
var paramTypes = map[string]struct{ single, multi fieldKind }{
	apischema.TypeBoolean:   {kBool, kBool},
	apischema.TypeInteger:   {kInt, kInts},
	apischema.TypeLimit:     {kLimit, kLimit},
	apischema.TypeNamespace: {kNamespace, kNamespaces},
	apischema.TypeTimestamp: {kTime, kStrings},
	apischema.TypeUpload:    {kFile, kFile},
	apischema.TypeString:    {kString, kStrings},
	apischema.TypeText:      {kString, kStrings},
	apischema.TypeUser:      {kString, kStrings},
	apischema.TypeTitle:     {kString, kStrings},
	apischema.TypePassword:  {kString, kStrings},
	apischema.TypeRaw:       {kString, kStrings},
	apischema.TypeExpiry:    {kString, kStrings},
}

// scalarKind maps a parameter that is not an enum, selector or template to
// its kind; unknown reports the string fallback for a type mwgen does not
// know.
func scalarKind(p *apischema.Param) (kind fieldKind, unknown bool) {
	k, ok := paramTypes[p.Type.Name]
	if !ok {
		k, unknown = paramTypes[apischema.TypeString], true
	}
	kind = k.single
	if p.Multi {
		kind = k.multi
	}
	if kind == kString && emptyIsAValue(p) {
		kind = kOptString
	}
	return kind, unknown
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

func noFacts(*apischema.Param, string, *field) []string { return nil }

func unknownTypeFact(p *apischema.Param, _ string, _ *field) []string {
	if _, known := paramTypes[p.Type.Name]; known || p.Type.IsEnum() {
		return nil
	}
	return []string{fmt.Sprintf("the wiki's type %q is unknown to mwgen, so it is sent as a string", p.Type.Name)}
}

func openEnumFact(_ *apischema.Param, _ string, f *field) []string {
	if f.enum != nil && f.enum.open {
		return []string{"open: values outside the listed constants are accepted"}
	}
	return nil
}

func templatedFacts(p *apischema.Param, prefix string, _ *field) []string {
	var vars []string
	for _, v := range slices.Sorted(maps.Keys(p.TemplateVars)) {
		vars = append(vars, fmt.Sprintf("{%s} from %s%s", v, prefix, p.TemplateVars[v]))
	}
	return []string{"keyed by " + strings.Join(vars, ", ") + "; each key is added to that parameter"}
}
