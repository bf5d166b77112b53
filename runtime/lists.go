package runtime

import (
	"reflect"
	"slices"
	"sync"
	"unsafe"
)

// Continued batches of a query are alike: 500 pages, then 500 more. The
// lists of a typed answer (query.pages, query.allpages…) are therefore made
// before each batch is decoded with the lengths the same lists had in the
// previous batch (see ContinueInto), so that the decoder (decodeOptions)
// fills a slice of
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

// listSizes is what a batch's lists were, for making the next batch's:
// per list of listFields, its length, and which of its elements' parts
// (partFields: a page's embedded parts, one per prop) its elements had.
type listSizes struct {
	lens  []int
	parts []uint64
	// windows are the lists of parts whose elements the last batch
	// had one each of (see window).
	windows []window
}

// A window is a list of a part that the elements of a batch had one item
// each of, at most: a page's latest revision, which is what a query with a
// generator and prop=revisions answers. The next batch's elements get that
// list made beforehand with room for one item, all in one slab, so that
// the decoder fills a slot instead of allocating each page's list of one.
type window struct {
	list  int // in listFields
	part  int // in partFields of the list's element type
	field int // the list's field index in the part
}

// sizesOf returns the sizes of the lists of the answer v (a struct),
// reusing prev's slices.
func sizesOf(v reflect.Value, prev listSizes) listSizes {
	paths := listFields(v.Type())
	sz := listSizes{lens: prev.lens[:0], parts: prev.parts[:0], windows: prev.windows[:0]}
	for i, idx := range paths {
		f := v.FieldByIndex(idx)
		bits := partsOf(f)
		sz.lens = append(sz.lens, f.Len())
		sz.parts = append(sz.parts, bits)
		sz.windows = windowsOf(f, i, bits, sz.windows)
	}
	return sz
}

// Pages come with their parts (see partFields), which the decoder
// allocates one by one, a page's revisions part, then the next page's:
// an allocation per page and prop. The lists of the next batch are
// therefore made with, behind their length 0, elements whose parts
// already point into one slab per part, for the parts the last batch's
// pages had; the decoder, which merges into what is there as encoding/json
// does (decodeOptions), decodes each page into the element it appends
// to, and into the part that is there. The parts of a page that did not
// have their prop are set back to nil after decoding (unpresizeLists,
// which does so for every answer: a part is nil when the page has no
// non-zero value of its prop, presized or not). Should the decoder ever zero the element it appends to,
// the parts are allocated one by one again: slower, not different.
//
// Setting and clearing a part pointer per page goes through package
// unsafe (partSlot): through reflect it costs as much as the allocation it
// saves. The pointers written are of the field's own type (the address of
// a slab element of the part's type), so the garbage collector sees them
// as any pointer store.

// maxParts is how many parts of a list's element type partFields handles.
const maxParts = 64

// partFields returns the indexes of the parts of the struct type t: its
// embedded pointers to exported structs, whose fields the decoder
// promotes and which it allocates when a key of theirs comes. They are
// cached per type.
func partFields(t reflect.Type) []int {
	if t.Kind() != reflect.Struct {
		return nil
	}
	if pf, ok := partFieldCache.Load(t); ok {
		return pf.([]int)
	}
	var pf []int
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous && f.Tag.Get("json") == "" && f.Type.Kind() == reflect.Pointer &&
			f.Type.Elem().Kind() == reflect.Struct && f.IsExported() && len(pf) < maxParts {
			pf = append(pf, i)
		}
	}
	actual, _ := partFieldCache.LoadOrStore(t, pf)
	return actual.([]int)
}

var partFieldCache sync.Map // reflect.Type → []int

// partSamples is how many elements of a list partsOf looks at: the parts
// only make the next batch faster, and a batch's pages have the same
// props.
const partSamples = 16

// partsOf returns the bits (by partFields order) of the parts that
// elements of the list f have, from up to partSamples elements spread
// over it.
func partsOf(f reflect.Value) uint64 {
	n := f.Len()
	if n == 0 {
		return 0
	}
	et := f.Type().Elem()
	pf := partFields(et)
	if len(pf) == 0 {
		return 0
	}
	var bits uint64
	base, step := f.UnsafePointer(), max(1, n/partSamples)
	for j, fi := range pf {
		off := et.Field(fi).Offset
		for k := 0; k < n; k += step {
			if *partSlot(base, k, et.Size(), off) != nil {
				bits |= 1 << j
				break
			}
		}
	}
	return bits
}

// partListFields returns the indexes of the lists of the part type t (a
// struct): its exported slice fields that the decoder fills as arrays.
// They are cached per type.
func partListFields(t reflect.Type) []int {
	if lf, ok := partListCache.Load(t); ok {
		return lf.([]int)
	}
	var lf []int
	for i := range t.NumField() {
		f := t.Field(i)
		if f.IsExported() && f.Type.Kind() == reflect.Slice && f.Tag.Get("json") != "-" && decodesAsArray(f.Type) {
			lf = append(lf, i)
		}
	}
	actual, _ := partListCache.LoadOrStore(t, lf)
	return actual.([]int)
}

var partListCache sync.Map // reflect.Type → []int

// windowsOf appends to ws the windows of the list f (list i of its
// answer, whose elements have the parts bits): the lists of those parts
// that, in up to partSamples elements spread over f, had one item at
// least once and never more.
func windowsOf(f reflect.Value, i int, bits uint64, ws []window) []window {
	if bits == 0 {
		return ws
	}
	n, et := f.Len(), f.Type().Elem()
	base, step := f.UnsafePointer(), max(1, n/partSamples)
	for j, fi := range partFields(et) {
		if bits&(1<<j) == 0 {
			continue
		}
		off, pt := et.Field(fi).Offset, et.Field(fi).Type.Elem()
		for _, lfi := range partListFields(pt) {
			loff, one := pt.Field(lfi).Offset, false
			for k := 0; k < n; k += step {
				p := *partSlot(base, k, et.Size(), off)
				if p == nil {
					continue
				}
				l := (*sliceHeader)(unsafe.Add(p, loff)).len
				if l > 1 {
					one = false
					break
				}
				one = one || l == 1
			}
			if one {
				ws = append(ws, window{list: i, part: j, field: lfi})
			}
		}
	}
	return ws
}

// sliceHeader is the layout of every slice: windows are written and read
// through it, like parts through partSlot. Its data pointer is an
// unsafe.Pointer, so the garbage collector sees each store of it.
type sliceHeader struct {
	data     unsafe.Pointer
	len, cap int
}

// presizeLists makes each list of the zero answer v (a struct) with the
// capacity sizes gives it (from sizesOf a previous answer of the same
// type), when above 0, its elements' parts pointing into a slab per part
// that the previous answer's elements had.
func presizeLists(v reflect.Value, sizes listSizes) {
	paths := listFields(v.Type())
	if len(sizes.lens) != len(paths) || len(sizes.parts) != len(paths) {
		return
	}
	for i, idx := range paths {
		n := sizes.lens[i]
		if n <= 0 {
			continue
		}
		f := v.FieldByIndex(idx)
		s := reflect.MakeSlice(f.Type(), n, n)
		if bits := sizes.parts[i]; bits != 0 {
			for j, fi := range partFields(f.Type().Elem()) {
				if bits&(1<<j) == 0 {
					continue
				}
				et, pf := s.Type().Elem(), s.Type().Elem().Field(fi)
				slab := reflect.MakeSlice(reflect.SliceOf(pf.Type.Elem()), n, n).UnsafePointer()
				base, psize := s.UnsafePointer(), pf.Type.Elem().Size()
				for k := range n {
					*partSlot(base, k, et.Size(), pf.Offset) = unsafe.Add(slab, uintptr(k)*psize)
				}
				openWindows(sizes.windows, i, j, pf.Type.Elem(), slab, n)
			}
		}
		f.Set(s.Slice(0, 0))
	}
}

// unpresizeLists sets back to nil each list that presizeLists made and the
// answer did not have: a key absent from the body stays nil, as without
// presizing. (A JSON [] makes a new empty slice, null a nil one, so an
// empty list that still has the capacity it was made with was absent.)
//
// And in every answer, presized or not, it sets back to nil each part of
// an element that is all zero: the part of a prop a page did not have,
// which presizeLists gave it, or one whose keys all came with zero values
// (an empty "extract"). So the rule a caller sees is one, whichever batch
// a page came in: a page's part is nil when the page has no non-zero value
// of that prop.
func unpresizeLists(v reflect.Value, sizes listSizes) {
	paths := listFields(v.Type())
	presized := len(sizes.lens) == len(paths) && len(sizes.parts) == len(paths)
	for i, idx := range paths {
		f := v.FieldByIndex(idx)
		if presized && sizes.lens[i] > 0 && f.Len() == 0 && f.Cap() == sizes.lens[i] {
			f.SetZero()
			continue
		}
		if presized {
			closeWindows(f, i, sizes.lens[i], sizes.windows)
		}
		clearZeroParts(f)
	}
}

// openWindows gives each of the n parts of type pt in slab, those of part
// j of list i, the windows ws has for them: the list field made with
// length 0 and room for one item, the items of all n in one slab.
func openWindows(ws []window, i, j int, pt reflect.Type, slab unsafe.Pointer, n int) {
	for _, w := range ws {
		if w.list != i || w.part != j {
			continue
		}
		lf := pt.Field(w.field)
		items := reflect.MakeSlice(lf.Type, n, n).UnsafePointer()
		isize, psize := lf.Type.Elem().Size(), pt.Size()
		for k := range n {
			*(*sliceHeader)(unsafe.Add(slab, uintptr(k)*psize+lf.Offset)) = sliceHeader{
				data: unsafe.Add(items, uintptr(k)*isize), cap: 1,
			}
		}
	}
}

// closeWindows sets back to nil each window of list i of ws, in the list's
// first n elements (those presizeLists made; the decoder makes the parts
// of any after them), that the decoder left as openWindows made it
// (length 0, room for 1): the part's list was absent from that element. (A JSON [] makes a new empty list,
// null a nil one; an item makes the length 1.) Then the part is all zero
// again if nothing else of it came, and clearZeroParts sets it to nil.
func closeWindows(f reflect.Value, i, n int, ws []window) {
	et := f.Type().Elem()
	pf := partFields(et)
	for _, w := range ws {
		if w.list != i {
			continue
		}
		off := et.Field(pf[w.part]).Offset
		loff := et.Field(pf[w.part]).Type.Elem().Field(w.field).Offset
		base := f.UnsafePointer()
		for k := range min(f.Len(), n) {
			p := *partSlot(base, k, et.Size(), off)
			if p == nil {
				continue
			}
			if h := (*sliceHeader)(unsafe.Add(p, loff)); h.len == 0 && h.cap == 1 {
				*h = sliceHeader{}
			}
		}
	}
}

// clearZeroParts sets to nil the parts of the elements of the list f that
// are all zero.
func clearZeroParts(f reflect.Value) {
	if f.Len() == 0 {
		return
	}
	et := f.Type().Elem()
	for _, fi := range partFields(et) {
		pf := et.Field(fi)
		base, psize := f.UnsafePointer(), pf.Type.Elem().Size()
		for k := range f.Len() {
			if slot := partSlot(base, k, et.Size(), pf.Offset); *slot != nil && zeroMemory(*slot, psize) {
				*slot = nil
			}
		}
	}
}

// partSlot returns the address of the part pointer at offset off in
// element k of the list whose first element is at base, its elements of
// size size.
func partSlot(base unsafe.Pointer, k int, size, off uintptr) *unsafe.Pointer {
	return (*unsafe.Pointer)(unsafe.Add(base, uintptr(k)*size+off))
}

// zeroMemory reports whether the size bytes at p are all zero: a part
// the decoder left as it was made.
func zeroMemory(p unsafe.Pointer, size uintptr) bool {
	for _, b := range unsafe.Slice((*byte)(p), size) {
		if b != 0 {
			return false
		}
	}
	return true
}
