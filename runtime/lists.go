package runtime

import (
	"reflect"
	"slices"
	"sync"
)

// Continued batches of a query are alike: 500 pages, then 500 more. The
// lists of a typed answer (query.pages, query.allpages…) are therefore made
// before each batch is decoded with the lengths the same lists had in the
// previous batch (see ContinueInto), so that encoding/json fills a slice of
// the right size instead of growing one by doubling, which for a batch of
// 500 pages allocates and copies about twice the batch.

// listFields returns the index paths of t's lists: the slice fields of the
// struct t and of the structs it holds by value (embedded or not, such as
// a typed answer's "query" member), that encoding/json decodes as arrays.
// They are cached per type.
func listFields(t reflect.Type) [][]int {
	if lf, ok := listFieldCache.Load(t); ok {
		return lf.([][]int)
	}
	var paths [][]int
	var collect func(t reflect.Type, index []int, depth int)
	collect = func(t reflect.Type, index []int, depth int) {
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() && !f.Anonymous {
				continue
			}
			if f.Tag.Get("json") == "-" {
				continue
			}
			idx := append(slices.Clone(index), i)
			switch {
			case f.Type.Kind() == reflect.Slice && f.IsExported() && decodesAsArray(f.Type):
				paths = append(paths, idx)
			case f.Type.Kind() == reflect.Struct && depth < 3 && !decodesItself(f.Type):
				collect(f.Type, idx, depth+1)
			}
		}
	}
	collect(t, nil, 0)
	actual, _ := listFieldCache.LoadOrStore(t, paths)
	return actual.([][]int)
}

// listFieldCache caches listFields by type, as encoding/json caches its
// own field lists.
var listFieldCache sync.Map // reflect.Type → [][]int

// decodesItself reports whether encoding/json leaves t (or *t) to its own
// UnmarshalJSON or UnmarshalText.
func decodesItself(t reflect.Type) bool {
	pt := reflect.PointerTo(t)
	return pt.Implements(unmarshalerType) || pt.Implements(textUnmarshalerType)
}

// decodesAsArray reports whether encoding/json decodes a JSON array into
// the slice type t element by element (not []byte, not an Unmarshaler).
func decodesAsArray(t reflect.Type) bool {
	return t.Elem().Kind() != reflect.Uint8 && !decodesItself(t)
}

var textUnmarshalerType = reflect.TypeFor[interface{ UnmarshalText([]byte) error }]()

// listLens appends to lens the length of each list of the answer v (a
// struct), in listFields order.
func listLens(v reflect.Value, lens []int) []int {
	for _, idx := range listFields(v.Type()) {
		lens = append(lens, v.FieldByIndex(idx).Len())
	}
	return lens
}

// presizeLists makes each list of the zero answer v (a struct) with the
// capacity caps gives it (from listLens of a previous answer of the same
// type), when above 0.
func presizeLists(v reflect.Value, caps []int) {
	paths := listFields(v.Type())
	if len(caps) != len(paths) {
		return
	}
	for i, idx := range paths {
		if caps[i] > 0 {
			f := v.FieldByIndex(idx)
			f.Set(reflect.MakeSlice(f.Type(), 0, caps[i]))
		}
	}
}

// unpresizeLists sets back to nil each list that presizeLists made and the
// answer did not have: a key absent from the body stays nil, as without
// presizing. (A JSON [] makes a new empty slice, null a nil one, so an
// empty list that still has the capacity it was made with was absent.)
func unpresizeLists(v reflect.Value, caps []int) {
	paths := listFields(v.Type())
	if len(caps) != len(paths) {
		return
	}
	for i, idx := range paths {
		if caps[i] > 0 {
			f := v.FieldByIndex(idx)
			if f.Len() == 0 && f.Cap() == caps[i] {
				f.SetZero()
			}
		}
	}
}
