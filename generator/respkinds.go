package generator

// respKind is the kind of a typed answer's field. Each one has exactly one
// entry in respKinds, which says its Go type; emission reads only the
// entry. Adding one: add the kind before numRespKinds, give it its entry
// (TestRespKindTable fails for an entry missing), decide it in
// respbuild.go's typeOf, and run go test ./generator -update.
type respKind int

const (
	rString    respKind = iota // string
	rInt                       // int
	rFloat                     // float64
	rBool                      // bool: false when absent
	rTime                      // time.Time: a timestamp without sentinels
	rNamespace                 // runtime.Namespace
	rRaw                       // json.RawMessage: null, never seen, or of mixed kinds
	rStruct                    // a named struct; a pointer as a field, a value as an element
	rList                      // []elem
	rMap                       // map[string]elem
	rEmbed                     // an embedded named struct with a JSON key (the module's result)
	rEmbedPtr                  // an embedded *named struct without a key (a prop's part of a page)
	rEnum                      // a named string type with constants (the overlay's values)
	rOpt                       // runtime.Opt[elem]: a scalar the wiki may leave out (see optReason)
	numRespKinds
)

// respKindInfo is one entry of the response kind table.
type respKindInfo struct {
	name string
	// qual and id name a leaf type: qual is its package ("" for a
	// predeclared type).
	qual, id string
	// wrap is how a compound kind wraps its element or struct.
	wrap respWrap
}

type respWrap int

const (
	rwLeaf respWrap = iota
	rwSlice
	rwMap
	rwStruct // *T as a field, T as an element
	rwEmbed  // T, embedded
	rwEmbedPtr
	rwNamed // a named type of the package
	rwOpt   // runtime.Opt[elem]
)

var respKinds = [numRespKinds]respKindInfo{
	rString:    {name: "string", id: "string"},
	rInt:       {name: "int", id: "int"},
	rFloat:     {name: "float", id: "float64"},
	rBool:      {name: "bool", id: "bool"},
	rTime:      {name: "time", qual: "time", id: "Time"},
	rNamespace: {name: "namespace", qual: rt, id: "Namespace"},
	rRaw:       {name: "raw", qual: "encoding/json", id: "RawMessage"},
	rStruct:    {name: "struct", wrap: rwStruct},
	rList:      {name: "list", wrap: rwSlice},
	rMap:       {name: "map", wrap: rwMap},
	rEmbed:     {name: "embed", wrap: rwEmbed},
	rEmbedPtr:  {name: "embedptr", wrap: rwEmbedPtr},
	rEnum:      {name: "enum", wrap: rwNamed},
	rOpt:       {name: "opt", wrap: rwOpt},
}
