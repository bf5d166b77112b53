package runtime

import (
	"iter"
	"slices"
	"strings"
)

// This file holds small helpers that generated clients call. They are
// exported because generated code lives in another package; they are of
// little use by hand.

// StringsOf converts a slice of a string type (a generated enum) to
// []string.
func StringsOf[T ~string](vs []T) []string {
	if vs == nil {
		return nil
	}
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// Fail returns a sequence that yields err once: what a generated *All
// method returns when its parameters do not validate.
func Fail(err error) iter.Seq2[*Response, error] {
	return func(yield func(*Response, error) bool) { yield(nil, err) }
}

// SplitMulti decodes a multi-value parameter as [JoinMulti] encodes it.
func SplitMulti(s string) []string {
	switch {
	case s == "", s == multiSep:
		return nil
	case strings.HasPrefix(s, multiSep):
		return strings.Split(s[len(multiSep):], multiSep)
	default:
		return strings.Split(s, "|")
	}
}

// Templated sets a templated parameter (MediaWiki's templatevars, such as
// compare's "fromtext-{slot}"): one parameter per key of values, named by
// replacing placeholder ("{slot}") in name with the key, and each key added
// to the multi-valued parameter target ("fromslots") that controls them, so
// the two always agree. Keys are handled in sorted order; an empty map sets
// nothing.
func (p *Params) Templated(name, placeholder, target string, values map[string]string) {
	if len(values) == 0 {
		return
	}
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	current, _ := p.Get(target)
	have := SplitMulti(current)
	for _, k := range keys {
		p.Set(strings.ReplaceAll(name, placeholder, k), values[k])
		if !slices.Contains(have, k) {
			have = append(have, k)
		}
	}
	p.Strings(target, have)
}

// CountSet counts the true values: how many alternatives of a group are
// set, for [Checker.Exclusive].
func CountSet(set ...bool) int {
	n := 0
	for _, s := range set {
		if s {
			n++
		}
	}
	return n
}
