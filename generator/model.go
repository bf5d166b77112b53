package generator

// The model is the generated package in Go terms, with every decision
// already made: Go names, Go types (through the kind table, kinds.go), wire
// names, bounds and count limits, template parts, open or closed enums,
// docs and deprecations, file names. build.go makes it from the schema;
// emission (emit*.go) only walks it, and never sees the schema: none of
// the types here refers to apischema, and TestEmissionSeesNoSchema keeps
// the emission files from importing it.
//
// The model is one family of types today, the request side: a params
// struct per module. Response types join as a second family beside
// paramsStruct, with their own kinds in the same table.

// pkgModel is the whole generated package.
type pkgModel struct {
	// header is the comment every file starts with; doc and readme are
	// the package doc text and README.md, rendered from templates/.
	header, doc, readme string
	main                *paramsStruct
	structs             []*paramsStruct // sorted by module path
	// shared selectors and page sets serve several modules and are
	// emitted once, in selectors_gen.go, in the order they were built.
	sharedSelectors []*selector
	sharedPageSets  []*pageSet
	// pages and items are the iterators over typed query answers; nil and
	// empty without shapes.
	pages *pagesIter
	items []*itemsIter
	// withShapes says the package was generated with shapes.
	withShapes bool
	// shapesDropped are the modules some of whose shaped fields only prop
	// values this schema does not list bring (shapes of another version):
	// those fields are left out.
	shapesDropped []string
	// versions are the MediaWiki release series of a package generated
	// from several versions, space-separated ("1.39 1.43"); "" for one.
	versions string
}

// paramsStruct is the parameters type of one module.
type paramsStruct struct {
	path   string // module path, as problems name it: "query+allpages"
	prefix string // module prefix: "ap"
	name   string // QueryAllpagesParams
	file   string // mod_query_allpages_gen.go
	doc    string
	fields []*field
	enums  []*enumType
	// Selectors and page sets of this module alone.
	sels     []*selector
	pageSets []*pageSet
	// post: the module must be POSTed.
	post bool
	// token is the meta=tokens type the runtime fills in ("csrf"), or "";
	// tokenParam its wire name when it is not "token".
	token, tokenParam string
	// action is the value of main's action parameter that selects the
	// module, and method its Client method ("Edit"); both "" for others.
	action, method string
	// pagesMethod is the Client method that follows continuation, for an
	// action module that continues; "" otherwise.
	pagesMethod string
	// resp is the module's typed answer, or nil: the method returns
	// *runtime.Response.
	resp *respModel
	// versions are the release series that have the module, when not all
	// of the package's (space-separated); "" otherwise.
	versions string
}

// field is one field of a params struct or of a page set.
type field struct {
	name string // Go field name
	// wire is the unprefixed parameter name; it is sent as prefix+wire.
	wire string
	kind fieldKind
	doc  string
	// The field's named type, for the kinds that have one.
	enum    *enumType
	sel     *selector
	pageSet *pageSet
	// sensitive values are marked so the runtime never logs them.
	sensitive bool
	// tmpl is set for kTemplated.
	tmpl *template
	// checks run before a request is sent, in this order.
	checks []check
	// versions are the release series of the module that have the
	// parameter, when not all of them; "" otherwise. Recorded as a
	// runtime need when the field is set, after the checks; so are the
	// versions of its enum's values (enumType.versions).
	versions string
}

// template is how a templated parameter ("fromtext-{slot}") is sent: one
// parameter per key, named by replacing placeholder in name, each key
// added to target ("fromslots").
type template struct {
	name, placeholder, target string
}

// check is one validation of a field, with its bounds decided.
type check struct {
	kind checkKind
	// checkIntRange, checkIntsRange: a bound is omitted when unset or
	// beyond 32 bits.
	min, max optInt
	// checkLimitRange: min, max and the apihighlimits max, clamped to 32
	// bits.
	lo, hi, highmax int
	// checkCount: the most values allowed.
	limit int
	// checkAllOf: the value meaning all values, or "".
	allSpecifier string
}

type optInt struct {
	v   int
	set bool
}

type checkKind int

const (
	checkRequired   checkKind = iota // c.Required(wire, <set test of the kind>)
	checkIntRange                    // c.IntRange(wire, v, min, max)
	checkIntsRange                   // c.IntsRange(wire, v, min, max)
	checkLimitRange                  // c.LimitRange(wire, v, lo, hi, highmax)
	checkOneOf                       // c.OneOf(wire, string(v), T("").values())
	checkAllOf                       // c.AllOf(wire, StringsOf(v), T("").values(), all)
	checkCount                       // c.Count(wire, len(v), limit)
	checkNested                      // v.check(c, wire): a selector's submodules
	checkEmbedded                    // v.check(c, prefix): a page set's fields
	numCheckKinds
)

// enumType is a named string type with one constant per value.
type enumType struct {
	name   string
	doc    string
	values []enumValue
	// open enums accept values the schema does not list; closed ones are
	// checked.
	open bool
	// all names the constant for the parameter's allspecifier (allValue,
	// "*"), or "".
	all, allValue string
	// versions holds, for each value not in every version of its
	// parameter, the value and its release series: pairs, in value order.
	versions []string
}

type enumValue struct {
	name  string // Go constant name
	value string
	doc   string // deprecation and internal notes, or ""
}

// selector picks submodules for a parameter with submodules (prop, list,
// meta, generator): one pointer field per submodule.
type selector struct {
	name  string // QueryLists
	doc   string
	wire  string // the parameter's unprefixed name, for the choices' comments
	multi bool
	// fixed selectors do not send their own value: the runtime owns it
	// (main's format, always json).
	fixed   bool
	choices []selChoice
}

type selChoice struct {
	field  string // Go field name (Allpages)
	value  string // the selector value ("allpages")
	target string // the submodule's params type
	// prefix is what comes before the submodule's unprefixed names: the
	// submoduleparamprefix ("g" for generator) and the submodule's prefix.
	prefix string
}

// pageSet is the set of pages a module works on (MediaWiki's ApiPageSet:
// titles, pageids, revids, generator, redirects, converttitles), a struct
// that modules embed.
type pageSet struct {
	name   string // PageSet
	doc    string
	fields []*field
	// The enums and selectors of its fields that are not shared.
	enums []*enumType
	sels  []*selector
	// wires are its parameters' wire names; users the params types that
	// embed it.
	wires, users []string
}

// The response family: the typed answers, made from the shapes
// (respbuild.go). A module with a shape has a respStruct for its whole
// answer, which embeds runtime.Envelope; its method returns it.

// respStruct is one struct type of a typed answer.
type respStruct struct {
	name string
	doc  string
	// root structs embed runtime.Envelope; part structs are embedded as
	// pointers in a page (one per prop) and have no Extra of their own,
	// since unknown keys go to the page's.
	root, part bool
	fields     []*respField
	// extraAt is where Extra goes among fields (see layOut): before
	// fields[extraAt].
	extraAt int
}

// respField is one field of a respStruct.
type respField struct {
	// name is the Go field name; "" for an embedded struct.
	name string
	// wire is the JSON key; "" for an embedded part without a tag.
	wire string
	typ  *respType
	doc  string
	// required fields are tagged mw:"required", for runtime drift checks.
	required bool
}

// respType is a field's Go type, one kind of the response kind table
// (respkinds.go) around an element.
type respType struct {
	kind respKind
	// elem is the element of rList and rMap, and the value of rOpt.
	elem *respType
	// st is the struct of rStruct, rEmbed and rEmbedPtr.
	st *respStruct
	// enum is the named string type of rEnum.
	enum *respEnum
}

// respModel is what the typed answers add to a module and to the
// package.
type respModel struct {
	// structs of the module, in emission order (root first).
	structs []*respStruct
	root    *respStruct
	// enums are the named string types of the module's answer, with
	// their constants (from the overlay's values).
	enums []*respEnum
	// fails are the result fields whose values mean the action did not
	// happen (the overlay's fails): the method returns a
	// *runtime.ResultError beside the answer.
	fails []*respFail
}

// pagesIter is the merged page iterator of action=query.
type pagesIter struct {
	method string // QueryPages
	page   string // QueryPage
	pageID string // the page struct's Go field for pageid
	// pageIDOpt is set when that field is a runtime.Opt[int].
	pageIDOpt bool
	title     string // ... and for title
	field     string // the answer's pages field (Pages)
	resp      string // QueryResponse
	all       string // QueryAll
	params    string // QueryParams
}

// itemsIter is a list module's item iterator.
type itemsIter struct {
	method string // AllpagesItems
	params string // QueryAllpagesParams
	item   string // QueryAllpagesItem
	field  string // the answer's field (Allpages)
	// how to select the list in the query's params: p.<sel>.<choice>
	sel, choice string
}
