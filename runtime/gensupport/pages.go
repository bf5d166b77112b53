package gensupport

import (
	"encoding/json"
	"iter"
	"reflect"
	"strconv"
)

// FailAs returns a sequence that yields err once, for iterators of any
// element type.
func FailAs[T any](err error) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		yield(zero, err)
	}
}

// Pages merges the pages of continued query batches: seq yields the
// batches, pages returns a batch's pages and complete its batchcomplete,
// key a page's identity (its page id, or its title when it has none). A
// page that comes in several batches (its revisions in one, its categories
// in the next) is merged into the first copy (see [Merge]) and yielded
// once, in the order it first came, when a batch says the pages so far are
// complete; the pages of a batch that is complete by itself are yielded as
// they come, without keys. So at most one generator batch of pages is
// held. Breaking out of the loop stops seq, and with it the requests.
func Pages[R any, P any, K comparable](seq iter.Seq2[R, error], pages func(R) []P, complete func(R) bool, key func(*P) K) iter.Seq2[*P, error] {
	return func(yield func(*P, error) bool) {
		var order []*P
		var byKey map[K]*P
		flush := func() bool {
			for _, p := range order {
				if !yield(p, nil) {
					return false
				}
			}
			order = order[:0]
			clear(byKey)
			return true
		}
		for r, err := range seq {
			if err != nil {
				yield(nil, err)
				return
			}
			ps := pages(r)
			if len(order) == 0 && complete(r) {
				// A batch complete by itself (no prop continues into the
				// next) has each of its pages whole and once: yield them
				// as they are, without keys.
				for i := range ps {
					if !yield(&ps[i], nil) {
						return
					}
				}
				continue
			}
			if byKey == nil {
				byKey = make(map[K]*P, len(ps))
			}
			for i := range ps {
				p := &ps[i]
				k := key(p)
				if old, ok := byKey[k]; ok {
					Merge(old, p)
					continue
				}
				byKey[k] = p
				order = append(order, p)
			}
			if complete(r) && !flush() {
				return
			}
		}
		flush()
	}
}

// Items yields the items of each batch seq yields, following
// continuation until the wiki has no more or the loop stops.
func Items[R any, I any](seq iter.Seq2[R, error], items func(R) []I) iter.Seq2[*I, error] {
	return func(yield func(*I, error) bool) {
		for r, err := range seq {
			if err != nil {
				yield(nil, err)
				return
			}
			is := items(r)
			for i := range is {
				if !yield(&is[i], nil) {
					return
				}
			}
		}
	}
}

var (
	rawType         = reflect.TypeFor[json.RawMessage]()
	unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
)

// Merge adds what src has to dst, two parts of the same page: slices are
// appended (revisions, categories...), a nil pointer or map takes src's, a
// map gets src's keys it lacks, and any other value that is zero in dst
// takes src's.
func Merge[T any](dst, src *T) {
	mergeValue(reflect.ValueOf(dst).Elem(), reflect.ValueOf(src).Elem())
}

func mergeValue(dst, src reflect.Value) {
	t := dst.Type()
	switch {
	case t == rawType || (t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(unmarshalerType)):
		if dst.IsZero() {
			dst.Set(src)
		}
		return
	}
	switch t.Kind() {
	case reflect.Slice:
		if src.Len() > 0 {
			dst.Set(reflect.AppendSlice(dst, src))
		}
	case reflect.Pointer:
		switch {
		case src.IsNil():
		case dst.IsNil():
			dst.Set(src)
		default:
			mergeValue(dst.Elem(), src.Elem())
		}
	case reflect.Map:
		switch {
		case src.IsNil():
		case dst.IsNil():
			dst.Set(src)
		default:
			for it := src.MapRange(); it.Next(); {
				if !dst.MapIndex(it.Key()).IsValid() {
					dst.SetMapIndex(it.Key(), it.Value())
				}
			}
		}
	case reflect.Struct:
		for i := range t.NumField() {
			if t.Field(i).IsExported() {
				mergeValue(dst.Field(i), src.Field(i))
			}
		}
	default:
		if dst.IsZero() {
			dst.Set(src)
		}
	}
}

// PageKey is a page's identity in a query answer: its page id, or its
// title for pages without one (missing, invalid, special).
func PageKey(id int, title string) string {
	if id != 0 {
		var b [24]byte
		b[0] = '#'
		return string(strconv.AppendInt(b[:1], int64(id), 10))
	}
	return "t:" + title
}
