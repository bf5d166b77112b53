package generator

// The fields of a typed answer's structs are laid out for the memory a
// client spends on them, not alphabetically: an enumeration allocates a
// page struct per page and an item struct per revision, and the garbage
// collector scans each object up to its last pointer. So a struct's fields
// come in three runs, each in the order the builder gave them (by key):
// those holding pointers (strings, lists, maps, times, parts…), then Extra,
// then the pointer-free 8-byte ones (ints, floats, namespaces and their
// Opts), then the 1-byte ones (bools). The pointer-free tail is never
// scanned, and the bools, packed together, pad once instead of once each:
// in the 1.39 package a revision item of query+revisions is 280 bytes
// (312 alphabetically), of which the collector scans 232, and a page 240
// (256), of which it scans 192.

// respLayout is the run of a field's type in its struct.
type respLayout int

const (
	layPointers respLayout = iota // holds a pointer (or a struct that may)
	layWords                      // pointer-free, 8-byte aligned
	layBytes                      // pointer-free, 1-byte aligned
)

// layoutOf returns the run of a field of type t.
func layoutOf(t *respType) respLayout {
	switch t.kind {
	case rInt, rFloat, rNamespace:
		return layWords
	case rBool:
		return layBytes
	case rOpt:
		// Opt[T] is a T and a bool: a pointer if T has one, else T's
		// alignment.
		return layoutOf(t.elem)
	}
	return layPointers
}

// layOut orders st's fields by layoutOf, stably, and places Extra after
// the fields holding pointers.
func layOut(st *respStruct) {
	var runs [3][]*respField
	for _, f := range st.fields {
		l := layoutOf(f.typ)
		runs[l] = append(runs[l], f)
	}
	st.fields = append(append(append(st.fields[:0], runs[layPointers]...), runs[layWords]...), runs[layBytes]...)
	st.extraAt = len(runs[layPointers])
}
