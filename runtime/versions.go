package runtime

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/mwgen/mwgen/internal/mwversion"
)

// A package generated from the schemas of several MediaWiki versions (mwgen
// generate --versions) has modules, parameters and enum values that only
// some of those versions know. Its checks record them as [Need]s on the
// [Request]; before sending such a request the Client learns the wiki's
// version (siteinfo's generator, fetched once per Client) and refuses,
// with a [*VersionError], what that version lacks.

// Need is one element of a request that only some MediaWiki versions have.
type Need struct {
	// Module is the module path ("query+allpages").
	Module string
	// Param is the parameter as sent (prefix included), or "" for the
	// module itself.
	Param string
	// Value is the enum value, or "" for the parameter or module.
	Value string
	// In are the release series that have it ("1.43"), oldest first.
	In []string
}

// Needs are the version requirements of one request.
type Needs struct {
	// Versions are the release series the package was generated from,
	// oldest first ("1.39", "1.43").
	Versions []string
	// List holds the elements of the request that some of them lack.
	List []Need
}

// InVersions records that the Checker's module exists only in versions,
// a space-separated list of release series ("1.43").
func (c *Checker) InVersions(versions string) {
	c.need(Need{Module: c.module, In: strings.Fields(versions)})
}

// ParamIn records that param, when set, exists only in versions (see
// [Checker.InVersions]).
func (c *Checker) ParamIn(param string, set bool, versions string) {
	if set {
		c.need(Need{Module: c.module, Param: param, In: strings.Fields(versions)})
	}
}

// ValueIn records the version needs of the value v of an enum parameter:
// table holds pairs of a value and the versions that have it, for the
// values not in every version of the parameter.
func (c *Checker) ValueIn(param, v string, table []string) {
	if v == "" {
		return
	}
	for i := 0; i+1 < len(table); i += 2 {
		if table[i] == v {
			c.need(Need{Module: c.module, Param: param, Value: v, In: strings.Fields(table[i+1])})
		}
	}
}

// ValuesIn is [Checker.ValueIn] for each value of a multi-value parameter.
func (c *Checker) ValuesIn(param string, vs []string, table []string) {
	for _, v := range vs {
		c.ValueIn(param, v, table)
	}
}

func (c *Checker) need(n Need) {
	if c.needs == nil {
		c.needs = new([]Need)
	}
	*c.needs = append(*c.needs, n)
}

// Needs returns the version needs recorded so far for [Request].Needs, or
// nil when there are none. versions are the release series the package
// was generated from, space-separated, oldest first.
func (c *Checker) Needs(versions string) *Needs {
	if c.needs == nil || len(*c.needs) == 0 {
		return nil
	}
	return &Needs{Versions: strings.Fields(versions), List: append([]Need(nil), *c.needs...)}
}

// Add appends the needs of o (the main module's, say) to n and returns
// the result; either may be nil.
func (n *Needs) Add(o *Needs) *Needs {
	switch {
	case o == nil:
		return n
	case n == nil:
		return o
	}
	out := *n
	out.List = append(append([]Need(nil), n.List...), o.List...)
	return &out
}

// VersionError reports the elements of a request that the wiki's
// MediaWiki version lacks; nothing was sent.
type VersionError struct {
	// Wiki is the wiki's MediaWiki version, e.g. "1.39.17".
	Wiki string
	// Problems holds one entry per element the wiki lacks.
	Problems []Problem
}

// Error lists the problems separated by "; ", e.g.
// `query+foo: parameter "bar" exists from MediaWiki 1.43; this wiki runs 1.39.17`.
func (e *VersionError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.Module + ": " + p.Message
	}
	return strings.Join(parts, "; ")
}

// versionCache is the wiki's MediaWiki version, fetched once per Client.
// Its zero value is ready; it is safe for concurrent use, and concurrent
// callers wait for one fetch (or their context).
type versionCache struct {
	mu       sync.Mutex
	version  string
	fetching chan struct{}
	warned   bool
}

// MediaWikiVersion returns the wiki's MediaWiki version ("1.39.17") from
// siteinfo's generator. It is fetched on first use and cached; a failed
// fetch is not cached.
func (c *Client) MediaWikiVersion(ctx context.Context) (string, error) {
	vc := &c.mwVersion
	for {
		vc.mu.Lock()
		if vc.version != "" {
			v := vc.version
			vc.mu.Unlock()
			return v, nil
		}
		if wait := vc.fetching; wait != nil {
			vc.mu.Unlock()
			select {
			case <-wait:
				continue
			case <-ctx.Done():
				return "", ctx.Err()
			}
		}
		done := make(chan struct{})
		vc.fetching = done
		vc.mu.Unlock()
		v, err := c.fetchVersion(ctx)
		vc.mu.Lock()
		vc.version = v
		vc.fetching = nil
		close(done)
		vc.mu.Unlock()
		return v, err
	}
}

func (c *Client) fetchVersion(ctx context.Context) (string, error) {
	p := new(Params)
	p.Text("meta", "siteinfo")
	p.Text("siprop", "general")
	resp, err := c.Do(ctx, &Request{Action: "query", Params: p})
	if err != nil {
		return "", fmt.Errorf("mediawiki: learning the wiki's MediaWiki version: %w", err)
	}
	var si struct {
		Query struct {
			General struct {
				Generator string `json:"generator"`
			} `json:"general"`
		} `json:"query"`
	}
	if err := resp.Decode(&si); err != nil {
		return "", fmt.Errorf("mediawiki: learning the wiki's MediaWiki version: %w", err)
	}
	v, ok := strings.CutPrefix(si.Query.General.Generator, "MediaWiki ")
	if !ok || mwversion.Series(v) == "" {
		return "", fmt.Errorf("mediawiki: learning the wiki's MediaWiki version: siteinfo generator %q is not MediaWiki's", si.Query.General.Generator)
	}
	return v, nil
}

// checkNeeds refuses a request with elements the wiki's version lacks.
func (c *Client) checkNeeds(ctx context.Context, action string, n *Needs) error {
	if n == nil || len(n.List) == 0 || len(n.Versions) == 0 {
		return nil
	}
	wiki, err := c.MediaWikiVersion(ctx)
	if err != nil {
		return fmt.Errorf("mediawiki: action=%s: %w", action, err)
	}
	as := c.judgedAs(ctx, wiki, n.Versions)
	var probs []Problem
	for _, need := range n.List {
		if contains(need.In, as) {
			continue
		}
		what := "module"
		switch {
		case need.Value != "":
			what = fmt.Sprintf("value %s of parameter %s", strconv.Quote(need.Value), strconv.Quote(need.Param))
		case need.Param != "":
			what = "parameter " + strconv.Quote(need.Param)
		}
		probs = append(probs, Problem{Module: need.Module, Param: need.Param,
			Message: fmt.Sprintf("%s %s; this wiki runs %s", what, presence(need.In, n.Versions), wiki)})
	}
	if len(probs) > 0 {
		return &VersionError{Wiki: wiki, Problems: probs}
	}
	return nil
}

// judgedAs maps the wiki's version to the release series of the package
// whose elements it has: the newest not newer than the wiki. A wiki newer
// than all of them is judged as the newest, and one older as the oldest,
// each with one warning per Client.
func (c *Client) judgedAs(ctx context.Context, wiki string, versions []string) string {
	s := mwversion.Series(wiki)
	as := ""
	for _, v := range versions {
		if mwversion.Compare(v, s) <= 0 {
			as = v
		}
	}
	newest, oldest := versions[len(versions)-1], versions[0]
	warn := ""
	switch {
	case as == "":
		as = oldest
		warn = "older than every MediaWiki version the client was generated for: requests are checked as for the oldest"
	case mwversion.Compare(s, newest) > 0:
		warn = "newer than every MediaWiki version the client was generated for: requests are checked as for the newest, and what the wiki added since is not typed"
	}
	if warn != "" {
		c.mwVersion.mu.Lock()
		first := !c.mwVersion.warned
		c.mwVersion.warned = true
		c.mwVersion.mu.Unlock()
		if first {
			c.log.WarnContext(ctx, "mediawiki: the wiki's MediaWiki version is "+warn,
				"wiki", wiki, "versions", strings.Join(versions, ", "), "checked_as", as)
		}
	}
	return as
}

// presence says which of versions have an element present in in:
// "exists from MediaWiki 1.43", "was removed in MediaWiki 1.43 (present
// in 1.39)", or "exists only in MediaWiki 1.40, 1.42".
func presence(in, versions []string) string {
	first, last := -1, -1
	for i, v := range versions {
		if contains(in, v) {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	contiguous := first >= 0
	for i := first; contiguous && i <= last; i++ {
		contiguous = contains(in, versions[i])
	}
	switch {
	case contiguous && last == len(versions)-1:
		return "exists from MediaWiki " + versions[first]
	case contiguous && first == 0:
		return fmt.Sprintf("was removed in MediaWiki %s (present in %s)", versions[last+1], strings.Join(in, ", "))
	case len(in) == 0:
		return "exists in no MediaWiki version the client was generated for"
	}
	return "exists only in MediaWiki " + strings.Join(in, ", ")
}
