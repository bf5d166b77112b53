package runtime

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Problem is one client-side validation failure of a request.
type Problem struct {
	// Module is the module path as paraminfo names it, e.g. "edit" or
	// "query+allpages".
	Module string
	// Param is the parameter as the wiki spells it, prefix included, e.g.
	// "aplimit"; empty for problems of the module as a whole.
	Param string
	// Message says what is wrong, e.g. "600 is above the maximum 500".
	Message string
}

// String returns "module: param: message", leaving out empty parts.
func (p Problem) String() string {
	var b strings.Builder
	if p.Module != "" {
		b.WriteString(p.Module)
		b.WriteString(": ")
	}
	if p.Param != "" {
		b.WriteString(p.Param)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// ValidationError reports every problem found in a request before it was
// sent. Get at it with errors.As:
//
//	var ve *mw.ValidationError
//	if errors.As(err, &ve) {
//		for _, p := range ve.Problems { ... }
//	}
type ValidationError struct {
	Problems []Problem
}

// Error lists all problems separated by "; ", e.g.
// "query+allpages: aplimit: 600 is above the maximum 500; edit: title: required".
func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.String()
	}
	return strings.Join(parts, "; ")
}

// Checker collects the validation problems of a request, so that generated
// code can report them all at once instead of one per attempt. Each check
// adds a [Problem] when it fails and does nothing otherwise. The module name
// given to [NewChecker] or [Checker.For] labels the problems.
//
//	c := mw.NewChecker("query")
//	ap := c.For("query+allpages")
//	ap.LimitRange("aplimit", p.Limit, 1, 500, 5000)
//	ap.OneOf("apfilterredir", p.FilterRedir, []string{"all", "nonredirects", "redirects"})
//	if err := c.Err(); err != nil {
//		return nil, err // *mw.ValidationError
//	}
//
// A Checker is not safe for concurrent use.
type Checker struct {
	module   string
	problems *[]Problem
	// needs are the version requirements of a package generated from
	// several MediaWiki versions (versions.go).
	needs *[]Need
}

// NewChecker returns an empty Checker for module.
func NewChecker(module string) *Checker {
	return &Checker{module: module, problems: new([]Problem), needs: new([]Need)}
}

// For returns a Checker for another module (a submodule such as
// "query+allpages") that adds to the same list of problems as c.
func (c *Checker) For(module string) *Checker {
	return &Checker{module: module, problems: c.problems, needs: c.needs}
}

// Addf adds a problem with a formatted message; the other checks are
// shorthands for it.
func (c *Checker) Addf(param, format string, args ...any) {
	*c.problems = append(*c.problems, Problem{Module: c.module, Param: param, Message: fmt.Sprintf(format, args...)})
}

// Problems returns the problems collected so far, by this Checker and all
// Checkers sharing its list.
func (c *Checker) Problems() []Problem { return *c.problems }

// Err returns nil when no problem was found, else a [*ValidationError]
// with all of them (in the order they were found).
func (c *Checker) Err() error {
	if len(*c.problems) == 0 {
		return nil
	}
	return &ValidationError{Problems: append([]Problem(nil), *c.problems...)}
}

// Required checks that a required parameter is set.
func (c *Checker) Required(param string, set bool) {
	if !set {
		c.Addf(param, "required")
	}
}

// IntRange checks that v, when set, lies within [min, max]; an unset bound
// is not checked. Note that MediaWiki itself clamps some out-of-range
// integers with a warning; the client is stricter and refuses them.
//
//	c.IntRange("rvsection", p.Section, mw.Set(0), mw.Opt[int]{})
func (c *Checker) IntRange(param string, v Opt[int], min, max Opt[int]) {
	if n, ok := v.Get(); ok {
		c.intRange(param, n, min, max)
	}
}

// IntsRange checks every value of a multi-value integer parameter like
// [Checker.IntRange].
func (c *Checker) IntsRange(param string, vs []int, min, max Opt[int]) {
	for _, n := range vs {
		c.intRange(param, n, min, max)
	}
}

func (c *Checker) intRange(param string, n int, min, max Opt[int]) {
	if lo, ok := min.Get(); ok && n < lo {
		c.Addf(param, "%d is below the minimum %d", n, lo)
	}
	if hi, ok := max.Get(); ok && n > hi {
		c.Addf(param, "%d is above the maximum %d", n, hi)
	}
}

// LimitRange checks a limit parameter: unset (0) and [Max] always pass;
// other values must be at least min and at most highmax. max is the limit
// for ordinary users and highmax the one for users with the apihighlimits
// right (bots, administrators); values between the two are allowed because
// the client cannot know the user's rights, and the wiki lowers them to max
// with a warning for ordinary users. Pass highmax = max when the module has
// no high limit.
func (c *Checker) LimitRange(param string, v Limit, min, max, highmax int) {
	switch {
	case v == 0 || v == Max:
	case v < 0:
		c.Addf(param, "%d is neither a positive number nor max", int(v))
	case int(v) < min:
		c.Addf(param, "%d is below the minimum %d", int(v), min)
	case int(v) > highmax && highmax > max:
		c.Addf(param, "%d is above the maximum %d (%d with apihighlimits)", int(v), max, highmax)
	case int(v) > highmax:
		c.Addf(param, "%d is above the maximum %d", int(v), highmax)
	}
}

// Count checks that a multi-value parameter has at most limit values (the
// wiki answers "toomanyvalues" otherwise). Generated code passes the high
// limit (paraminfo's highlimit, usually 500) rather than the ordinary one
// (50): bots have apihighlimits, and the wiki still rejects too many values
// for others.
func (c *Checker) Count(param string, n, limit int) {
	if n > limit {
		c.Addf(param, "%d values given, at most %d allowed", n, limit)
	}
}

// OneOf checks that a single-value parameter of a closed set of values
// (paraminfo type given as a list) is one of allowed; "" (unset) passes.
func (c *Checker) OneOf(param, v string, allowed []string) {
	if v != "" && !contains(allowed, v) {
		c.Addf(param, "%s is not one of %s", strconv.Quote(v), list(allowed))
	}
}

// AllOf checks that every value of a multi-value parameter of a closed set
// is one of allowed. allSpecifier is the value meaning "all of them"
// (paraminfo's allspecifier, usually "*"), or "" when the parameter has
// none. All unknown values are reported in one problem.
func (c *Checker) AllOf(param string, vs []string, allowed []string, allSpecifier string) {
	var bad []string
	for _, v := range vs {
		if (allSpecifier == "" || v != allSpecifier) && !contains(allowed, v) {
			bad = append(bad, strconv.Quote(v))
		}
	}
	switch len(bad) {
	case 0:
	case 1:
		c.Addf(param, "%s is not one of %s", bad[0], list(allowed))
	default:
		c.Addf(param, "%s are not among %s", strings.Join(bad, ", "), list(allowed))
	}
}

// Exclusive checks that at most one of a group of alternatives is set,
// where n is the number set: e.g. the generator of a query, which generated
// code offers as one field per generator module. what names the group as
// the wiki does ("generator").
func (c *Checker) Exclusive(what string, n int) {
	if n > 1 {
		c.Addf(what, "%d alternatives given, at most one allowed", n)
	}
}

// MaxBytes checks a string parameter's length in bytes (paraminfo's
// maxbytes, e.g. an edit summary).
func (c *Checker) MaxBytes(param, v string, max int) {
	if len(v) > max {
		c.Addf(param, "%d bytes is above the maximum %d", len(v), max)
	}
}

// MaxChars checks a string parameter's length in characters (paraminfo's
// maxchars).
func (c *Checker) MaxChars(param, v string, max int) {
	if n := utf8.RuneCountInString(v); n > max {
		c.Addf(param, "%d characters is above the maximum %d", n, max)
	}
}

func contains(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

// maxListed bounds how many allowed values a message shows.
const maxListed = 12

// list formats allowed values for a message: "a, b or c".
func list(allowed []string) string {
	q := make([]string, 0, min(len(allowed), maxListed))
	for i, a := range allowed {
		if i == maxListed {
			q = append(q, fmt.Sprintf("%d more", len(allowed)-maxListed))
			break
		}
		q = append(q, strconv.Quote(a))
	}
	switch len(q) {
	case 0:
		return "(no values)"
	case 1:
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}
