package naming

import (
	"fmt"
	"hash/fnv"
	"sort"
	"strconv"
	"unicode"
)

// scope is the set of identifiers taken in one Go scope while Assign
// hands out names.
type scope struct {
	taken map[string]bool
}

// Item is one name to assign: Key is what identifies it on the wiki (a wire
// parameter name, an enum value, a module path) and Name the Go identifier
// it would like, normally Exported(Key) or ConstName(type,
// Key).
type Item struct {
	Key  string
	Name string
}

// Assign gives every item a distinct identifier within one Go scope (a
// package, the fields and methods of a struct, the constants of a type)
// and returns them by Key. reserved are the names the generated code
// defines itself in that scope, which no item may take: the generator
// passes its own lists (Client and New at package level, Extra among a
// params struct's fields, the Client's methods and the method names go vet
// checks). Items with the same Key must have the same Name (Assign panics
// otherwise); duplicates are merged.
//
//	naming.Assign([]string{"Extra"}, []naming.Item{
//		{Key: "all", Name: "All"},
//		{Key: "*", Name: "All"},
//		{Key: "extra", Name: "Extra"},
//	})
//	// map[*:All__2f0c9f3d all:All extra:Extra_]
//
// Items that want the same Name form a group. The group's first key keeps
// the Name; the others get Name+"__"+hash, where hash is the 32-bit FNV-1a
// hash of their own Key in 8 hex digits. The first key is the one with the
// fewest runes that are not lower-case letters or digits (the empty key
// counts as having one), then the smallest in byte order: "all" before "*",
// "id" before "Id", "a-b" before "a_b". When Name is reserved, the first
// key gets Name+"_" instead, with more "_" while that is taken too.
//
//	"all" → "All", "*" → "All__2f0c9f3d"
//	"extra" → "Extra_" (when "Extra" is reserved)
//
// The result for an item thus depends only on its own Key and Name, the
// reserved names, and the Keys of its group, not on the order of items
// nor on any other item: adding an item never renames an item that wants a
// different Name. Adding one that wants the same Name can move the plain
// Name to the newcomer; the other suffixed items keep their names.
//
// Suffixed names end in "_" or contain "__", which no name from Exported or
// ConstName does; the guarantee holds as long as no item wants such a Name
// itself. Should a suffixed name be taken already (by a 32-bit hash
// collision within the group, or a contrived Name or reserved name), the
// 64-bit FNV-1a hash in 16 hex digits is used instead, then a further "_2",
// "_3"... in group order: the result is unique and independent of the order
// of items in every case.
func Assign(reserved []string, items []Item) map[string]string {
	s := &scope{taken: make(map[string]bool, len(reserved)+len(items))}
	for _, n := range reserved {
		s.taken[n] = true
	}
	return s.assign(items)
}

func (s *scope) assign(items []Item) map[string]string {
	byKey := make(map[string]string, len(items))
	groups := make(map[string][]string) // Name → keys, each once
	for _, it := range items {
		if name, ok := byKey[it.Key]; ok {
			if name != it.Name {
				panic(fmt.Sprintf("naming.Assign: key %q wants both %q and %q", it.Key, name, it.Name))
			}
			continue
		}
		byKey[it.Key] = it.Name
		groups[it.Name] = append(groups[it.Name], it.Key)
	}
	names := make([]string, 0, len(groups))
	for name, keys := range groups {
		names = append(names, name)
		sort.Slice(keys, func(i, j int) bool { return keyBefore(keys[i], keys[j]) })
	}
	sort.Strings(names)

	out := make(map[string]string, len(byKey))
	// 1. Free names go to their group's first key. Every wanted Name is
	// taken from here on, so no suffixed name below can take one.
	var reservedGroups []string
	for _, name := range names {
		if s.taken[name] {
			reservedGroups = append(reservedGroups, name)
			continue
		}
		out[groups[name][0]] = name
		s.taken[name] = true
	}
	// 2. Names taken before: the first key gets Name+"_".
	for _, name := range reservedGroups {
		cand := name + "_"
		for s.taken[cand] {
			cand += "_"
		}
		out[groups[name][0]] = cand
		s.taken[cand] = true
	}
	// 3. Everybody else: Name+"__"+hash of the key.
	for _, name := range names {
		for _, key := range groups[name][1:] {
			cand := name + "__" + hash32(key)
			if s.taken[cand] {
				base := name + "__" + hash64(key)
				cand = base
				for i := 2; s.taken[cand]; i++ {
					cand = base + "_" + strconv.Itoa(i)
				}
			}
			out[key] = cand
			s.taken[cand] = true
		}
	}
	return out
}

// keyBefore orders the keys of a group: fewest runes other than lower-case
// letters and digits first (the empty key counting one), then byte order.
func keyBefore(a, b string) bool {
	if wa, wb := keyWeight(a), keyWeight(b); wa != wb {
		return wa < wb
	}
	return a < b
}

func keyWeight(key string) int {
	if key == "" {
		return 1
	}
	n := 0
	for _, r := range key {
		if !unicode.IsLower(r) && !unicode.IsDigit(r) {
			n++
		}
	}
	return n
}

func hash32(key string) string {
	h := fnv.New32a()
	h.Write([]byte(key))
	return fmt.Sprintf("%08x", h.Sum32())
}

func hash64(key string) string {
	h := fnv.New64a()
	h.Write([]byte(key))
	return fmt.Sprintf("%016x", h.Sum64())
}
