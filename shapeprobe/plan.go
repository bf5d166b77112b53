package shapeprobe

import (
	"net/url"
	"slices"
	"strings"

	"github.com/mwgen/mwgen/apischema"
)

// Request is one planned API request.
type Request struct {
	Module string
	Role   string
	// Alone is "param=value" for a single-value sample.
	Alone string
	// Tags are the control values in effect.
	Tags   []string
	Params url.Values
	// Continue makes the runner follow the answer's continue once.
	Continue bool
	// Post sends the request as a form POST; Token names the parameter
	// (wire name) that gets a fresh token of type TokenType.
	Post             bool
	Token, TokenType string
	// Anon sends the request without the probe's login, as a reader who
	// may not see what the administrator sees (hidden users, comments).
	Anon bool
}

// Key identifies the request in the samples file (for resuming).
func (r Request) Key() string {
	if r.Anon {
		return "anon " + r.Role + " " + r.Params.Encode()
	}
	if r.Post {
		return "POST " + r.Params.Encode()
	}
	return r.Role + " " + r.Params.Encode()
}

// Plan is every request the probe sends, and what it leaves out.
type Plan struct {
	Requests []Request
	// Controls maps a module path to its prop-like parameters (wire names)
	// with every value paraminfo lists.
	Controls map[string][]apischema.Control
	// Skipped maps a module path to why the plan does not probe it.
	Skipped map[string]string
}

// Modules returns the distinct modules of the plan's requests, in order.
func (p *Plan) Modules() []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range p.Requests {
		if !seen[r.Module] {
			seen[r.Module] = true
			out = append(out, r.Module)
		}
	}
	return out
}

// Titles the seeding script creates, in every page state the probe needs.
// PageStates is the titles= of prop module samples.
var PageStates = []string{
	"Mwgen Page", "Mwgen Target", "Mwgen History", "Mwgen Redirect", "Mwgen Double Redirect",
	"Mwgen Broken Redirect", "Mwgen Missing", "Talk:Mwgen Page", "Special:Version",
	"Mwgen Data.json", "File:Mwgen.png", "File:Mwgen Redirect.png", "File:Mwgen Missing.png",
	"Category:Mwgen Cat", "Category:Mwgen Hidden", "Category:Mwgen Sub", "Template:Mwgen Template",
	"Mwgen Moved To", "Mwgen Protected", "Mwgen Salted", "Mwgen Deleted", "Mwgen<Invalid>",
	"wikipedia:Mwgen Interwiki", "User:Mwgen User", "mwgen_Target",
}

// moduleContext holds the parameters (wire names, unprefixed for the page
// set) a module needs to answer something on the seeded wiki.
var moduleContext = map[string]url.Values{
	"query+allmessages":         {"ammessages": {"mainpage|edit|mwgen-no-such-message"}},
	"query+backlinks":           {"bltitle": {"Mwgen Target"}},
	"query+embeddedin":          {"eititle": {"Template:Mwgen Template"}},
	"query+imageusage":          {"iutitle": {"File:Mwgen.png"}},
	"query+categorymembers":     {"cmtitle": {"Category:Mwgen Cat"}},
	"query+prefixsearch":        {"pssearch": {"Mwgen"}},
	"query+search":              {"srsearch": {"Mwgen"}},
	"query+querypage":           {"qppage": {"Uncategorizedpages"}},
	"query+pageswithprop":       {"pwppropname": {"displaytitle"}},
	"query+usercontribs":        {"ucuser": {"Admin|Mwgen User"}},
	"query+users":               {"ususers": {"Admin|Mwgen User|Mwgen Nobody|192.0.2.7"}},
	"query+exturlusage":         {"euquery": {"example.org"}},
	"query+languageinfo":        {"licode": {"en|de|zh|sr"}},
	"query+revisions":           {"rvslots": {"main"}},
	"query+deletedrevisions":    {"drvslots": {"main"}},
	"query+allrevisions":        {"arvslots": {"main"}, "arvlimit": {"50"}}, // every seeded revision in one batch: which ones the default 10 are depends on the seed's timing
	"query+alldeletedrevisions": {"adrslots": {"main"}},
	"query+recentchanges":       {"rclimit": {"100"}},
	"query+watchlist":           {"wllimit": {"100"}},
	"query+logevents":           {"lelimit": {"100"}},
	"query+oath":                {"oathreason": {"mwgen shape probe"}},
	"query+authmanagerinfo":     {"amirequestsfor": {"login"}},
	"parse":                     {"page": {"Mwgen Page"}},
	"expandtemplates":           {"text": {"{{Mwgen Template}} [[Mwgen Target]]"}, "title": {"Mwgen Page"}},
	"compare":                   {"fromtitle": {"Mwgen Target"}, "totitle": {"Mwgen Page"}},
	"paraminfo":                 {"modules": {"query+info|parse"}},
	"help":                      {"modules": {"query+info"}, "wrap": {"1"}},
	"categorytree":              {"category": {"Mwgen Cat"}},
	"templatedata":              {"titles": {"Template:Mwgen Template"}},
	"titleblacklist":            {"tbtitle": {"Mwgen Page"}},
	"spamblacklist":             {"url": {"http://example.org/"}},
	"abusefiltercheckmatch":     {"filter": {"1 == 1"}, "vars": {`{"action":"edit"}`}},
	"abusefilterchecksyntax":    {"filter": {"1 == 1"}},
	"abusefilterevalexpression": {"expression": {"1 + 1"}},
	"checktoken":                {"type": {"csrf"}, "token": {"mwgen-not-a-token"}},
	"scribunto-console":         {"title": {"Module:Mwgen"}, "question": {"=1+1"}, "clear": {"1"}},
	"visualeditor":              {"page": {"Mwgen Page"}, "paction": {"parse"}},
	"query":                     {"titles": {strings.Join(PageStates, "|")}},
}

// pageSetContext is the page set of prop modules and prop-module generators.
var pageSetContext = map[string]url.Values{
	"query+imageinfo":        {"titles": {"File:Mwgen.png|File:Mwgen Redirect.png|File:Mwgen Missing.png"}},
	"query+duplicatefiles":   {"titles": {"File:Mwgen.png|File:Mwgen Copy.png"}},
	"query+fileusage":        {"titles": {"File:Mwgen.png"}},
	"query+categoryinfo":     {"titles": {"Category:Mwgen Cat|Category:Mwgen Hidden|Category:Mwgen Sub|Category:Mwgen Empty"}},
	"query+transcludedin":    {"titles": {"Template:Mwgen Template"}},
	"query+deletedrevisions": {"titles": {"Mwgen Deleted|Mwgen History"}},
}

// continueContext replaces the page set for continuation samples of
// modules that page within one page only.
var continueContext = map[string]url.Values{
	"query+revisions":        {"titles": {"Mwgen History"}, "rvdir": {"newer"}},
	"query+deletedrevisions": {"titles": {"Mwgen Deleted"}},
}

// skipReasons are modules the plan leaves out on purpose.
var skipReasons = map[string]string{
	"main":                 "the main module has no answer of its own",
	"feedcontributions":    "answers an RSS/Atom feed, not JSON",
	"feedrecentchanges":    "answers an RSS/Atom feed, not JSON",
	"feedwatchlist":        "answers an RSS/Atom feed, not JSON",
	"rsd":                  "answers XML only",
	"opensearch":           "answers OpenSearch's fixed JSON array, not ApiResult data",
	"query+stashimageinfo": "needs the file key of a stashed upload, which is random per wiki",
}

// controlParams returns a module's prop-like parameters: multi-valued enums
// named "prop" (and search's "info", tokens' "type").
func controlParams(m *apischema.Module) []*apischema.Param {
	var out []*apischema.Param
	for _, p := range m.Parameters {
		if !p.Multi || !p.Type.IsEnum() || len(p.Submodules) > 0 || len(p.Type.Values) == 0 {
			continue
		}
		switch {
		case p.Name == "prop",
			m.Path == "query+search" && p.Name == "info",
			m.Path == "query+tokens" && p.Name == "type":
			out = append(out, p)
		}
	}
	return out
}

// NewPlan plans the probe of every read module of the schema: each control
// value alone, all together and the default, as a list and as a generator,
// and with continuation. Write modules, formats and the modules in
// skipReasons are left out (Plan.Skipped says why).
func NewPlan(s *apischema.Schema) *Plan {
	p := &Plan{Controls: map[string][]apischema.Control{}, Skipped: map[string]string{}}
	for _, m := range s.Modules {
		if r, ok := skipReasons[m.Path]; ok {
			p.Skipped[m.Path] = r
			continue
		}
		switch {
		case m.Group == "format":
			p.Skipped[m.Path] = "a format module: its answer is the others' answers"
			continue
		case m.WriteRights || m.MustBePosted:
			if !slices.ContainsFunc(writeOrder, func(w write) bool { return w.module == m.Path }) {
				reason := writeSkips[m.Path]
				if reason == "" {
					reason = "a write module the write plan does not cover"
				}
				p.Skipped[m.Path] = reason
			}
			continue
		}
		p.planModule(m)
	}
	// Writes last, so that no read sees what they change, in a fixed
	// order (a page is created, changed, moved, deleted, undeleted).
	for _, w := range writeOrder {
		m := s.Module(w.module)
		if m == nil {
			continue
		}
		q := url.Values{"action": {m.Name}}
		for k, v := range w.params {
			q[k] = v
		}
		r := Request{Module: m.Path, Role: RoleResponse, Params: q, Post: true}
		for _, prm := range m.Parameters {
			if prm.TokenType != "" {
				r.Token, r.TokenType = m.WireName(prm), prm.TokenType
			}
		}
		p.Requests = append(p.Requests, r)
	}
	return p
}

type write struct {
	module string
	params url.Values
}

// writeOrder is the write plan: each action as the administrator, on
// throwaway pages and users (TEST-NET addresses for blocks).
var writeOrder = []write{
	{"edit", url.Values{"title": {"Mwgen Throwaway"}, "text": {"Throwaway."}, "summary": {"create"}}},
	{"edit", url.Values{"title": {"Mwgen Throwaway"}, "text": {"Throwaway."}, "summary": {"no change"}}},
	{"edit", url.Values{"title": {"Mwgen Throwaway"}, "appendtext": {" More."}, "summary": {"append"}, "minor": {"1"}}},
	{"purge", url.Values{"titles": {"Mwgen Page|Mwgen Missing|Mwgen<Invalid>"}, "forcelinkupdate": {"1"}}},
	{"watch", url.Values{"titles": {"Mwgen Throwaway|Mwgen Missing"}}},
	{"watch", url.Values{"titles": {"Mwgen Throwaway"}, "unwatch": {"1"}}},
	{"setnotificationtimestamp", url.Values{"titles": {"Mwgen Page|Mwgen Missing"}}},
	{"options", url.Values{"optionname": {"gender"}, "optionvalue": {"female"}}},
	{"changecontentmodel", url.Values{"title": {"Mwgen Throwaway"}, "model": {"text"}, "summary": {"mwgen probe"}}},
	{"protect", url.Values{"title": {"Mwgen Throwaway"}, "protections": {"edit=sysop|move=sysop"}, "expiry": {"infinite|infinite"}, "cascade": {"1"}}},
	{"move", url.Values{"from": {"Mwgen Throwaway"}, "to": {"Mwgen Throwaway Moved"}, "movetalk": {"1"}, "reason": {"mwgen probe"}}},
	{"delete", url.Values{"title": {"Mwgen Throwaway Moved"}, "reason": {"mwgen probe"}}},
	{"undelete", url.Values{"title": {"Mwgen Throwaway Moved"}, "reason": {"mwgen probe"}}},
	{"block", url.Values{"user": {"203.0.113.5"}, "expiry": {"infinite"}, "reason": {"mwgen probe"}, "nocreate": {"1"}}},
	{"unblock", url.Values{"user": {"203.0.113.5"}, "reason": {"mwgen probe"}}},
	{"userrights", url.Values{"user": {"Mwgen User"}, "add": {"interface-admin"}, "remove": {"bot"}, "reason": {"mwgen probe"}}},
	{"managetags", url.Values{"operation": {"create"}, "tag": {"mwgen-probe-tag"}, "reason": {"mwgen probe"}}},
	{"managetags", url.Values{"operation": {"deactivate"}, "tag": {"mwgen-probe-tag"}, "reason": {"mwgen probe"}}},
	{"clearhasmsg", url.Values{}},
	{"validatepassword", url.Values{"password": {"Mwgen-Valid-Passw0rd-1.39"}}},
	{"validatepassword", url.Values{"password": {"a"}}},
	{"createaccount", url.Values{"username": {"Mwgen Created"}, "password": {"Mwgen-Created-Passw0rd-1.39"},
		"retype": {"Mwgen-Created-Passw0rd-1.39"}, "createreturnurl": {"http://127.0.0.1/"}}},
	{"stashedit", url.Values{"title": {"Mwgen Page"}, "text": {"Stashed."}, "contentmodel": {"wikitext"},
		"contentformat": {"text/x-wiki"}, "baserevid": {"0"}, "summary": {"mwgen probe"}}},
	{"imagerotate", url.Values{"titles": {"File:Mwgen.png|File:Mwgen Missing.png"}, "rotation": {"90"}}},
}

// writeSkips are write modules the write plan leaves out, and why.
var writeSkips = map[string]string{
	"abusefilterunblockautopromote": "needs a user AbuseFilter blocked from autopromotion",
	"abuselogprivatedetails":        "needs an AbuseFilter log entry (filters cannot be made through the API)",
	"changeauthenticationdata":      "changes the administrator's password",
	"clientlogin":                   "logs the probe's session in again",
	"cspreport":                     "an endpoint for browsers' Content-Security-Policy reports",
	"emailuser":                     "the test wiki sends no email",
	"filerevert":                    "needs an archive name that is a timestamp of the wiki's run",
	"import":                        "needs an XML upload (the seed imports a page untraced)",
	"linkaccount":                   "needs a linking authentication provider",
	"login":                         "logs the probe's session in again",
	"logout":                        "would end the probe's session",
	"mergehistory":                  "needs pages a second apart (the seed merges one untraced)",
	"oathvalidate":                  "needs a user with two-factor authentication",
	"patrol":                        "needs an unpatrolled change; the administrator's edits are autopatrolled",
	"removeauthenticationdata":      "needs removable authentication data",
	"resetpassword":                 "the test wiki sends no email",
	"revisiondelete":                "needs revision ids of the wiki's run (the seed deletes one untraced)",
	"rollback":                      "needs a page whose last edits are another user's",
	"setpagelanguage":               "$wgPageLanguageUseDB is off on the test wiki",
	"tag":                           "needs revision, log or change ids of the wiki's run",
	"unlinkaccount":                 "needs a linked account",
	"upload":                        "needs a file body in a multipart POST (the seed uploads untraced)",
	"visualeditoredit":              "needs a Parsoid/RESTBase service the test wiki does not have",
}

func (p *Plan) planModule(m *apischema.Module) {
	var base url.Values
	isQuery := strings.HasPrefix(m.Path, "query+")
	if isQuery {
		base = url.Values{"action": {"query"}, m.Group: {m.Name}}
		if m.Group == "prop" {
			base.Set("titles", strings.Join(PageStates, "|"))
			for k, v := range pageSetContext[m.Path] {
				base[k] = v
			}
		}
	} else {
		base = url.Values{"action": {m.Name}}
	}
	for k, v := range moduleContext[m.Path] {
		base[k] = v
	}

	controls := controlParams(m)
	var allTags, defTags []string
	for _, c := range controls {
		wire := m.WireName(c)
		p.Controls[m.Path] = append(p.Controls[m.Path], apischema.Control{Param: wire, Values: slices.Clone(c.Type.Values)})
		for _, v := range c.Type.Values {
			allTags = append(allTags, wire+"="+v)
		}
		if c.Default != nil {
			for _, v := range strings.Split(c.Default.String(), "|") {
				if v != "" {
					defTags = append(defTags, wire+"="+v)
				}
			}
		}
	}
	add := func(r Request) { p.Requests = append(p.Requests, r) }
	with := func(extra url.Values) url.Values {
		q := url.Values{}
		for k, v := range base {
			q[k] = v
		}
		for k, v := range extra {
			q[k] = v
		}
		return q
	}

	// Revision modules answer with slots (the current form) and without
	// (the legacy form); prop=parsetree works only without.
	slots := ""
	if m.Param("slots") != nil && base.Get(m.Prefix+"slots") != "" {
		slots = m.Prefix + "slots"
	}
	noSlots := func(v string) bool { return slots != "" && v == "parsetree" }

	// The default, then each value alone, then all together.
	add(Request{Module: m.Path, Role: RoleResponse, Tags: defTags, Params: with(nil)})
	for _, c := range controls {
		wire := m.WireName(c)
		for _, v := range c.Type.Values {
			q := with(url.Values{wire: {v}})
			if noSlots(v) {
				delete(q, slots)
			}
			add(Request{Module: m.Path, Role: RoleResponse, Alone: wire + "=" + v,
				Tags: []string{wire + "=" + v}, Params: q})
		}
	}
	all, allSlots := url.Values{}, url.Values{}
	var allSlotsTags []string
	for _, c := range controls {
		wire := m.WireName(c)
		all.Set(wire, strings.Join(c.Type.Values, "|"))
		var vs []string
		for _, v := range c.Type.Values {
			if !noSlots(v) {
				vs = append(vs, v)
				allSlotsTags = append(allSlotsTags, wire+"="+v)
			}
		}
		allSlots.Set(wire, strings.Join(vs, "|"))
	}
	if slots != "" {
		add(Request{Module: m.Path, Role: RoleResponse, Tags: allSlotsTags, Params: with(allSlots)})
		q := with(all)
		delete(q, slots)
		add(Request{Module: m.Path, Role: RoleResponse, Tags: allTags, Params: q})
		all, allTags = allSlots, allSlotsTags
	} else if len(controls) > 0 {
		add(Request{Module: m.Path, Role: RoleResponse, Tags: allTags, Params: with(all)})
	}

	// Continuation: everything, one item per batch, followed once.
	if lim := m.Param("limit"); lim != nil && isQuery {
		q := with(all)
		q.Set(m.Prefix+"limit", "1")
		for k, v := range continueContext[m.Path] {
			q[k] = v
		}
		add(Request{Module: m.Path, Role: RoleResponse, Tags: allTags, Params: q, Continue: true})
		add(Request{Module: m.Path, Role: RoleResponse, Tags: allTags, Params: q, Continue: true, Anon: true})
	}

	// As a generator.
	// Everything once more as an anonymous reader.
	if len(controls) > 0 && isQuery {
		add(Request{Module: m.Path, Role: RoleResponse, Tags: allTags, Params: with(all), Anon: true})
	}

	if m.Generator {
		q := url.Values{"action": {"query"}, "generator": {m.Name}}
		if m.Group == "prop" {
			q.Set("titles", strings.Join(PageStates, "|"))
			for k, v := range pageSetContext[m.Path] {
				q[k] = v
			}
		}
		for k, v := range moduleContext[m.Path] {
			q["g"+k] = v
		}
		add(Request{Module: m.Path, Role: RoleGenerator, Params: q})
		if m.Param("limit") != nil {
			c := url.Values{}
			for k, v := range q {
				c[k] = v
			}
			c.Set("g"+m.Prefix+"limit", "1")
			add(Request{Module: m.Path, Role: RoleGenerator, Params: c, Continue: true})
		}
	}

	// The main query module: page sets with their options.
	if m.Path == "query" {
		for _, extra := range []url.Values{
			{"redirects": {"1"}},
			{"indexpageids": {"1"}},
			{"converttitles": {"1"}},
			{"pageids": {"1|999999"}, "titles": nil},
			{"revids": {"1|999999"}, "titles": nil},
			{"export": {"1"}, "titles": {"Mwgen Page"}},
		} {
			q := with(extra)
			for k, v := range extra {
				if v == nil {
					delete(q, k)
				}
			}
			add(Request{Module: m.Path, Role: RoleResponse, Params: q})
		}
	}
}
