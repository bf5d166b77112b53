package apischema

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/mwgen/mwgen/internal/atomicfile"
)

// ShapesFormat identifies mwgen's response-shapes files. It changes only
// when the layout changes incompatibly.
const ShapesFormat = "mwgen-shapes/1"

// Shapes is what one MediaWiki version answers: per module, the merged
// structure of every traced answer the probe took (see `mwgen shapes
// probe`). paraminfo describes requests; Shapes describes responses.
//
// Shapes are learned from samples, so they say only what was seen: a field
// is Required only if every sample that asked for it had it, and a module
// the probe could not make answer has no shape (see the coverage report).
type Shapes struct {
	// Wiki says where the shapes were probed. It is volatile (the address of
	// a throwaway wiki) and takes no part in Hash.
	Wiki Wiki
	// SchemaHash is the Hash of the wiki's paraminfo schema at probe time.
	SchemaHash string
	// Modules holds one shape per probed module, sorted by Path.
	Modules []*ModuleShape
	// Gaps are what the probe tried and could not learn, or left out on
	// purpose, each with its reason; sorted by module and value.
	Gaps []Gap
}

// Gap is a module, or a control value of one ("query+revisions" with
// Value "rvprop=content"), that has no shape, and why.
type Gap struct {
	Module string `json:"module"`
	Value  string `json:"value,omitempty"`
	Reason string `json:"reason"`
}

// ModuleShape is the merged answer of one module.
type ModuleShape struct {
	// Path is the module's path as in the schema: "query+revisions", "parse".
	Path string `json:"path"`
	// Controls are the prop-like parameters the probe varied (wire names),
	// with the values it sampled; Field.By refers to them.
	Controls []Control `json:"controls,omitempty"`
	// Response is the merged whole answer (from its root: "batchcomplete",
	// "continue", "query", ...) of requests that used the module directly.
	Response *Node `json:"response,omitempty"`
	// Generator is the merged whole answer of action=query with
	// generator=<module>, for modules that can be generators.
	Generator *Node `json:"generator,omitempty"`
	// Samples counts the traced answers merged into Response and Generator.
	Samples int `json:"samples"`
}

// Control is a prop-like parameter and the values sampled alone.
type Control struct {
	Param  string   `json:"param"`
	Values []string `json:"values"`
}

// Kinds of Node, as the trace hook saw them in ApiResult's data.
const (
	KindObject = "object" // PHP array with string keys: a JSON object with fixed fields
	KindList   = "list"   // ApiResult type array/BCarray, or 0..n-1 keys: a JSON array
	KindMap    = "map"    // kvp/BCkvp, or an object with int keys: a JSON object with data keys
	KindEmpty  = "empty"  // an empty array without ApiResult type: JSON []
	KindString = "string"
	KindInt    = "int"
	KindFloat  = "float"
	KindBool   = "bool"
	KindNull   = "null"
	KindOther  = "other" // a PHP value of another type (should not happen)
)

var knownKinds = map[string]bool{
	KindObject: true, KindList: true, KindMap: true, KindEmpty: true, KindString: true,
	KindInt: true, KindFloat: true, KindBool: true, KindNull: true, KindOther: true,
}

// Node is the merged shape of one value. A value seen with different kinds
// in different samples has all of them in Kinds (a union): e.g. ["empty",
// "object"] for an object that is sent as [] when it has no entries.
type Node struct {
	// Kinds is the sorted set of kinds seen.
	Kinds []string `json:"kinds"`
	// ArrayTypes is the sorted set of ApiResult _type values seen on the
	// array ("array", "assoc", "BCarray", "BCassoc", "kvp", "BCkvp").
	ArrayTypes []string `json:"arraytypes,omitempty"`
	// KVPKeyName is ApiResult's _kvpkeyname: the key name formatversion=1
	// uses for the map's keys.
	KVPKeyName string `json:"kvpkeyname,omitempty"`
	// BCBools is ApiResult's _BC_bools: the boolean fields formatversion=1
	// keeps as booleans.
	BCBools []string `json:"bcbools,omitempty"`
	// Element is ApiResult's _element, the XML tag of list items.
	Element string `json:"element,omitempty"`
	// MapKeys is "int" when every key of a map was an integer, else "string".
	MapKeys string `json:"mapkeys,omitempty"`
	// Fields are an object's fields.
	Fields map[string]*Field `json:"fields,omitempty"`
	// Items is the merged shape of a list's or a map's values.
	Items *Node `json:"items,omitempty"`
}

// Field is one field of an object.
type Field struct {
	// Required is set when every sample that asked for the field (see By)
	// and had the object also had the field.
	Required bool `json:"required,omitempty"`
	// By lists the control values that produce the field ("rvprop=ids");
	// empty when the field comes whatever the controls say, and for fields
	// seen only in continued batches (continue itself, or an item only a
	// later batch had), which are not attributed.
	By []string `json:"by,omitempty"`
	// Together is set when the field was never seen with one value of By
	// alone, only when all of them were asked for together.
	Together bool `json:"together,omitempty"`
	Node
}

// Has reports whether kind is among n's kinds.
func (n *Node) Has(kind string) bool { return n != nil && slices.Contains(n.Kinds, kind) }

// Module returns the shape of the module with the given path, or nil.
func (s *Shapes) Module(path string) *ModuleShape {
	for _, m := range s.Modules {
		if m.Path == path {
			return m
		}
	}
	return nil
}

// MediaWikiVersion is the version of the wiki the shapes were probed on.
func (s *Shapes) MediaWikiVersion() string { return s.Wiki.MediaWikiVersion() }

// Lookup follows a path of field names from the node; "[]" steps into
// Items. It returns nil when the path does not exist.
func (n *Node) Lookup(path ...string) *Node {
	cur := n
	for _, p := range path {
		if cur == nil {
			return nil
		}
		if p == "[]" {
			cur = cur.Items
			continue
		}
		f := cur.Fields[p]
		if f == nil {
			return nil
		}
		cur = &f.Node
	}
	return cur
}

type shapesJSON struct {
	Format     string         `json:"format"`
	MediaWiki  string         `json:"mediawiki"`
	Wiki       Wiki           `json:"wiki"`
	SchemaHash string         `json:"schemahash,omitempty"`
	Hash       string         `json:"hash"`
	Modules    []*ModuleShape `json:"modules"`
	Gaps       []Gap          `json:"gaps,omitempty"`
}

// Hash returns the shapes' content hash (SHA-256 over the modules, hex). It
// ignores where the shapes were probed; two probes of the same wiki version
// in the same state give the same hash.
func (s *Shapes) Hash() string {
	h := sha256.New()
	enc := json.NewEncoder(h)
	for _, m := range sortedShapes(s.Modules) {
		if err := enc.Encode(m); err != nil {
			fmt.Fprintf(h, "unencodable module %q: %v\n", m.Path, err)
		}
	}
	for _, g := range sortedGaps(s.Gaps) {
		fmt.Fprintf(h, "gap %q %q %q\n", g.Module, g.Value, g.Reason)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func sortedGaps(gs []Gap) []Gap {
	gs = slices.Clone(gs)
	slices.SortStableFunc(gs, func(a, b Gap) int {
		if c := strings.Compare(a.Module, b.Module); c != 0 {
			return c
		}
		return strings.Compare(a.Value, b.Value)
	})
	return gs
}

func sortedShapes(ms []*ModuleShape) []*ModuleShape {
	ms = slices.Clone(ms)
	slices.SortStableFunc(ms, func(a, b *ModuleShape) int { return strings.Compare(a.Path, b.Path) })
	return ms
}

// Marshal encodes the shapes as deterministic, indented JSON (modules by
// path, map keys sorted) with a trailing newline.
func (s *Shapes) Marshal() ([]byte, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	out := shapesJSON{
		Format:     ShapesFormat,
		MediaWiki:  s.MediaWikiVersion(),
		Wiki:       s.Wiki,
		SchemaHash: s.SchemaHash,
		Hash:       s.Hash(),
		Modules:    sortedShapes(s.Modules),
		Gaps:       sortedGaps(s.Gaps),
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(out); err != nil {
		return nil, fmt.Errorf("encode shapes: %w", err)
	}
	return buf.Bytes(), nil
}

// WriteFile writes the shapes to path atomically; on error nothing at path
// changes.
func (s *Shapes) WriteFile(path string) error {
	data, err := s.Marshal()
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(path, data, 0o644)
}

// DecodeShapes reads a shapes file written by Marshal. name is used in error
// messages. It checks the format, the hash and the structure.
func DecodeShapes(data []byte, name string) (*Shapes, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var in shapesJSON
	if err := dec.Decode(&in); err != nil {
		return nil, fmt.Errorf("%s: not a shapes file: %w", name, err)
	}
	if in.Format != ShapesFormat {
		return nil, fmt.Errorf("%s: format %q, want %q", name, in.Format, ShapesFormat)
	}
	s := &Shapes{Wiki: in.Wiki, SchemaHash: in.SchemaHash, Modules: in.Modules, Gaps: in.Gaps}
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if got := s.Hash(); in.Hash != got {
		return nil, fmt.Errorf("%s: hash %q does not match the content (%q): the file was edited or truncated", name, in.Hash, got)
	}
	return s, nil
}

// Validate checks the structure: unique module paths, known kinds, fields
// only on objects, items only on lists and maps, By values among the
// module's controls.
func (s *Shapes) Validate() error {
	var errs []error
	seen := map[string]bool{}
	for i, m := range s.Modules {
		if m == nil || m.Path == "" {
			errs = append(errs, fmt.Errorf("module #%d has no path", i+1))
			continue
		}
		if seen[m.Path] {
			errs = append(errs, fmt.Errorf("module %q appears twice", m.Path))
		}
		seen[m.Path] = true
		controls := map[string]bool{}
		for _, c := range m.Controls {
			for _, v := range c.Values {
				controls[c.Param+"="+v] = true
			}
		}
		for _, root := range []struct {
			name string
			n    *Node
		}{{"response", m.Response}, {"generator", m.Generator}} {
			if root.n != nil {
				errs = append(errs, root.n.validate(m.Path+" "+root.name, controls)...)
			}
		}
	}
	return errors.Join(errs...)
}

func (n *Node) validate(where string, controls map[string]bool) []error {
	var errs []error
	if len(n.Kinds) == 0 {
		errs = append(errs, fmt.Errorf("%s: no kinds", where))
	}
	for _, k := range n.Kinds {
		if !knownKinds[k] {
			errs = append(errs, fmt.Errorf("%s: unknown kind %q", where, k))
		}
	}
	if !slices.IsSorted(n.Kinds) {
		errs = append(errs, fmt.Errorf("%s: kinds not sorted", where))
	}
	if len(n.Fields) > 0 && !n.Has(KindObject) {
		errs = append(errs, fmt.Errorf("%s: fields on a non-object", where))
	}
	if n.Items != nil && !n.Has(KindList) && !n.Has(KindMap) {
		errs = append(errs, fmt.Errorf("%s: items on a non-list", where))
	}
	for _, name := range slices.Sorted(maps.Keys(n.Fields)) {
		f := n.Fields[name]
		if f == nil {
			errs = append(errs, fmt.Errorf("%s.%s: null field", where, name))
			continue
		}
		for _, b := range f.By {
			if !controls[b] {
				errs = append(errs, fmt.Errorf("%s.%s: by %q, which is not a control value of the module", where, name, b))
			}
		}
		errs = append(errs, f.Node.validate(where+"."+name, controls)...)
	}
	if n.Items != nil {
		errs = append(errs, n.Items.validate(where+"[]", controls)...)
	}
	return errs
}
