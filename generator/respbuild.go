package generator

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/mwgen/mwgen/apischema"
	"github.com/mwgen/mwgen/generator/naming"
	"github.com/mwgen/mwgen/templates"
)

// The response family of the model, made from the shapes and the overlay:
// every module with a shape gets XxxResponse, a root struct that embeds
// runtime.Envelope. action=query's answer is composed from the shapes of
// all its submodules: its pages hold one embedded part per prop module
// (nil when that prop did not come), its lists are typed slices, its meta
// answers typed structs.

// envelopeKeys are the answer members runtime.Envelope decodes; a root
// struct must not have fields of its own for them.
var envelopeKeys = map[string]bool{
	"errors": true, "error": true, "warnings": true, "continue": true,
	"batchcomplete": true, "servedby": true, "docref": true, "limits": true,
}

// respBuilder builds the response family.
type respBuilder struct {
	b  *builder
	sh *apischema.Shapes
	// ov holds the overlay entries that apply, by module and path.
	ov map[string]apischema.OverlayEntry
	// structs by naming key; their names are assigned at the end, in one
	// scope with every other package-level name.
	keys    []string
	structs map[string]*respStruct
	want    map[string]string
	enums   []*respEnum
	// dropped are modules some of whose shaped fields come only with prop
	// values this schema does not list (shapes of another version).
	dropped map[string]bool
}

func overlayKey(module, path string) string { return module + "\x00" + path }

// buildResponses adds the typed answers to the model. Without shapes, it
// does nothing: every method returns *runtime.Response.
func (b *builder) buildResponses(sh *apischema.Shapes, ov *apischema.Overlay) error {
	if sh == nil {
		return nil
	}
	b.m.withShapes = true
	if ov != nil {
		applied, err := ov.Apply(sh)
		if err != nil {
			return err
		}
		sh = applied
	}
	r := &respBuilder{b: b, sh: sh, ov: map[string]apischema.OverlayEntry{},
		structs: map[string]*respStruct{}, want: map[string]string{}}
	if ov != nil {
		for _, e := range ov.Entries {
			ok, err := e.AppliesTo(sh.MediaWikiVersion())
			if err != nil {
				return err
			}
			if ok {
				r.ov[overlayKey(e.Module, e.Path)] = e
			}
		}
	}
	for _, ps := range b.m.structs {
		if ps.method == "" {
			continue
		}
		if ps.path == "query" {
			if err := r.query(ps); err != nil {
				return err
			}
			continue
		}
		ms := sh.Module(ps.path)
		if ms == nil || ms.Response == nil || !ms.Response.Has(apischema.KindObject) {
			continue
		}
		r.action(ps, ms)
	}
	// Type names: one scope with the rest of the package.
	reserved := slices.Collect(maps.Values(b.names))
	reserved = append(reserved, reservedPackageNames...)
	var items []naming.Item
	for _, k := range r.keys {
		items = append(items, naming.Item{Key: k, Name: r.want[k]})
	}
	for _, en := range r.enums {
		items = append(items, naming.Item{Key: en.key, Name: en.want})
	}
	names := naming.Assign(reserved, items)
	for _, k := range r.keys {
		r.structs[k].name = names[k]
	}
	r.nameEnums(reserved, names)
	for _, ps := range b.m.structs {
		if ps.resp != nil {
			for _, st := range ps.resp.structs {
				st.doc = strings.ReplaceAll(st.doc, "{{name}}", st.name)
			}
		}
	}
	r.iterators()
	for _, ps := range b.m.structs {
		if ps.resp != nil {
			for _, st := range ps.resp.structs {
				layOut(st)
			}
		}
	}
	b.shapes = sh
	b.m.shapesDropped = slices.Sorted(maps.Keys(r.dropped))
	return nil
}

// newStruct makes a struct to be named want (or a variant of it).
func (r *respBuilder) newStruct(key, want string, rm *respModel) *respStruct {
	st := &respStruct{}
	r.keys = append(r.keys, "resp:"+key)
	r.structs["resp:"+key] = st
	r.want["resp:"+key] = want
	rm.structs = append(rm.structs, st)
	return st
}

// action builds the answer of a module other than query.
func (r *respBuilder) action(ps *paramsStruct, ms *apischema.ModuleShape) {
	rm := &respModel{}
	base := naming.Exported(ps.path)
	root := r.newStruct(ps.path, base+"Response", rm)
	root.root = true
	root.doc = fmt.Sprintf("{{name}} is the answer of action=%s (%s), decoded from the shapes mwgen learned\n"+
		"on MediaWiki %s. Raw returns the whole body.", ps.action, ps.path, r.sh.MediaWikiVersion())
	rm.root = root
	for _, k := range slices.Sorted(maps.Keys(ms.Response.Fields)) {
		if envelopeKeys[k] {
			continue
		}
		f := ms.Response.Fields[k]
		path := "response." + k
		if k == ps.action && f.Node.Has(apischema.KindObject) && len(f.Node.Kinds) == 1 {
			st := r.object(&f.Node, ps.path, path, base+"Result", rm)
			promotedClear(st, base)
			root.fields = append(root.fields, &respField{wire: k, typ: &respType{kind: rEmbed, st: st},
				doc: strings.ReplaceAll(fieldDoc2(k, f, ""), "{{field}} is", "The module's result is")})
			continue
		}
		root.fields = append(root.fields, r.field(k, f, ps.path, path, base, ms.Response, rm))
	}
	nameFields(root)
	r.fails(ps, root, rm)
	ps.resp = rm
}

// field makes the field for key of an object at path of module; obj is
// that object's node, whose other fields say whether this one is an Opt
// (see optReason).
func (r *respBuilder) field(key string, f *apischema.Field, module, path, parent string, obj *apischema.Node, rm *respModel) *respField {
	rf := r.plainField(key, f, module, path, parent, rm)
	r.optional(rf, module, path, obj)
	return rf
}

// plainField is field without the Opt rule.
func (r *respBuilder) plainField(key string, f *apischema.Field, module, path, parent string, rm *respModel) *respField {
	e := r.ov[overlayKey(module, path)]
	return &respField{
		wire:     key,
		typ:      r.typeOf(&f.Node, module, path, parent+naming.Exported(key), rm),
		doc:      r.fieldDoc(key, f, module, e.Note) + r.versionNote(module, path),
		required: f.Required && len(f.By) == 0 && len(e.AbsentWhen) == 0,
	}
}

// The rule for runtime.Opt in typed answers, in one place. A field is an
// Opt[T] when both hold:
//
//   - T's zero value is also a real value: a number (int, namespace,
//     float: namespace 0 is the main namespace, user id 0 an IP's edit, a
//     size or a count 0), or a string of free text (zeroIsValue: "" is an
//     empty comment or page);
//   - the wiki may leave the field out for a reason the request does not
//     control: the page's state (the overlay's absentwhen: missing,
//     invalid, special pages), or revision deletion (its object has, in
//     the shapes, MediaWiki's hidden flag for it: hiddenBy).
//
// Everything else stays plain: booleans (formatversion=2 leaves false
// out, so absent is false), timestamps (time.Time's zero is no real time),
// enums and other strings ("" is no title, user name or SHA-1), structs,
// lists and maps (nil when absent), and fields that come with a prop value
// the caller chose ("present with rvprop=size") and for no other reason
// are absent: the request says whether they are there, and strict drift
// mode (runtime.DriftStrict) reports one that is not. An Opt costs every
// reader a Get or Or, so it is kept to where a plain zero would lie.
func (r *respBuilder) optReason(key string, kind respKind, module, path string, obj *apischema.Node) string {
	switch {
	case kind == rInt || kind == rNamespace || kind == rFloat:
	case kind == rString && zeroIsValue[key]:
	default:
		return ""
	}
	if states := r.ov[overlayKey(module, path)].AbsentWhen; len(states) > 0 {
		return "unset when the page is " + orJoin(states)
	}
	if flag := hiddenBy[key]; flag != "" && obj != nil && obj.Fields[flag] != nil {
		return "unset when revision deletion hides it from the caller (" + flag + ")"
	}
	return ""
}

// hiddenBy is MediaWiki's revision deletion in answers: a field it leaves
// out of an object, when the caller may not see it, and the flag the
// object has instead (ApiQueryRevisionsBase, ApiQueryLogEvents,
// ApiQueryRecentChanges, ApiQueryUserContribs, ApiQueryWatchlist,
// ApiQueryImageInfo, ApiQueryFilearchive). A suppressed size is not in
// it: the wiki sends 0.
var hiddenBy = map[string]string{
	"user": "userhidden", "userid": "userhidden",
	"comment": "commenthidden", "parsedcomment": "commenthidden",
	"content": "texthidden", "sha1": "sha1hidden",
	"title": "actionhidden", "ns": "actionhidden", "pageid": "actionhidden",
	"logpage": "actionhidden", "logid": "actionhidden", "revid": "actionhidden", "old_revid": "actionhidden",
	"width": "filehidden", "height": "filehidden", "size": "filehidden",
}

// zeroIsValue are the string fields whose "" is a real value.
var zeroIsValue = map[string]bool{"comment": true, "parsedcomment": true, "content": true}

// optional makes rf an Opt when optReason says so, and says why in its
// doc.
func (r *respBuilder) optional(rf *respField, module, path string, obj *apischema.Node) {
	why := r.optReason(rf.wire, rf.typ.kind, module, path, obj)
	if why == "" {
		return
	}
	rf.typ = &respType{kind: rOpt, elem: rf.typ}
	rf.required = false
	rf.doc += " A runtime.Opt: " + why + "."
}

// orJoin joins words: "a", "a or b", "a, b or c".
func orJoin(ws []string) string {
	if len(ws) < 2 {
		return strings.Join(ws, "")
	}
	return strings.Join(ws[:len(ws)-1], ", ") + " or " + ws[len(ws)-1]
}

// versionNote, in a package of several versions, says in which of the
// versions whose answers of module were probed the field at path came
// (" Seen in MediaWiki 1.43's probed answers, not in 1.39's."), and "" when
// in all of them. It says what the probes saw, not a release note: a
// field one version's probe did not reach reads the same. path is the
// builder's ("response.query.pages.[].revid").
func (r *respBuilder) versionNote(module, path string) string {
	vs, v := r.b.shapeVer, r.b.ver
	if vs == nil || v == nil {
		return ""
	}
	which, rest, _ := strings.Cut(path, ".")
	gen := which == "generator"
	within := vs.Field(module, gen, "")
	has := vs.Field(module, gen, "."+strings.ReplaceAll(rest, ".[]", "[]")) & within
	if has == within || has == 0 {
		return ""
	}
	return " Seen in MediaWiki " + strings.Join(v.Names(has), ", ") + "'s probed answers, not in " +
		strings.Join(v.Names(within&^has), ", ") + "'s."
}

// fieldDoc is fieldDoc2 with the wiki's help text of the prop values that
// bring the field: "present with rvprop=ids (The ID of the revision)".
func (r *respBuilder) fieldDoc(key string, f *apischema.Field, module, note string) string {
	doc := fieldDoc2(key, f, note)
	if len(f.By) == 0 || len(f.By) > 2 {
		return doc
	}
	for _, by := range f.By {
		if h := strings.TrimSuffix(r.valueHelp(module, by), "."); h != "" {
			doc = strings.Replace(doc, by, by+" ("+h+")", 1)
		}
	}
	return doc
}

// byParam finds the schema parameter of a control value ("rvprop=ids") of
// module, and the value.
func (r *respBuilder) byParam(module, by string) (*apischema.Param, string, bool) {
	ps := r.b.byPath[module]
	if ps == nil {
		return nil, "", false
	}
	m := r.b.mods[ps]
	if m == nil {
		return nil, "", false
	}
	wire, value, _ := strings.Cut(by, "=")
	for _, prm := range m.Parameters {
		if m.WireName(prm) == wire {
			return prm, value, true
		}
	}
	return nil, "", false
}

// valueHelp is the help text the schema gives a control value, from the
// definition list of its parameter's description (";ids:The ID of the
// revision."), or "".
func (r *respBuilder) valueHelp(module, by string) string {
	prm, value, ok := r.byParam(module, by)
	if !ok {
		return ""
	}
	for _, line := range strings.Split(docText(prm.Description), "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), ";"+value+":"); ok {
			return strings.TrimSpace(rest)
		}
	}
	return ""
}

// byMatches reports whether a field the shapes attribute to control
// values can come from this schema's module: a field without By always
// can; one with By needs one of its values to be a parameter value the
// schema lists. With shapes of the schema's own version it is always
// true; with another version's, a field only another version's prop value
// brings is left out.
func (r *respBuilder) byMatches(module string, f *apischema.Field) bool {
	if len(f.By) == 0 || r.b.byPath[module] == nil {
		return true
	}
	for _, by := range f.By {
		prm, value, ok := r.byParam(module, by)
		if !ok {
			continue
		}
		if !prm.Type.IsEnum() || slices.Contains(prm.Type.Values, value) {
			return true
		}
	}
	if r.dropped == nil {
		r.dropped = map[string]bool{}
	}
	r.dropped[module] = true
	return false
}

// object makes the struct of an object node.
func (r *respBuilder) object(n *apischema.Node, module, path, want string, rm *respModel) *respStruct {
	st := r.newStruct(module+"\x00"+path, want, rm)
	st.doc = fmt.Sprintf("{{name}} is %s of %s.", path, module)
	for _, k := range slices.Sorted(maps.Keys(n.Fields)) {
		if r.byMatches(module, n.Fields[k]) {
			st.fields = append(st.fields, r.field(k, n.Fields[k], module, path+"."+k, want, n, rm))
		}
	}
	nameFields(st)
	return st
}

// kindOf decides a node's kind, from its kinds and the overlay.
func (r *respBuilder) kindOf(n *apischema.Node, module, path string) respKind {
	e := r.ov[overlayKey(module, path)]
	kinds := slices.DeleteFunc(slices.Clone(n.Kinds), func(k string) bool { return k == apischema.KindNull })
	if e.OpenMap && len(kinds) == 1 && (kinds[0] == apischema.KindObject || kinds[0] == apischema.KindMap) {
		return rMap
	}
	if slices.Contains(kinds, apischema.KindList) {
		// An empty list is sent as [] either way.
		kinds = slices.DeleteFunc(kinds, func(k string) bool { return k == apischema.KindEmpty })
	}
	if len(kinds) == 2 && kinds[0] == apischema.KindFloat && kinds[1] == apischema.KindInt {
		return rFloat
	}
	if len(kinds) != 1 {
		return rRaw
	}
	switch kinds[0] {
	case apischema.KindList:
		return rList
	case apischema.KindMap:
		return rMap
	case apischema.KindObject:
		return rStruct
	case apischema.KindString:
		if len(e.Values) > 0 {
			return rEnum
		}
		if e.Semantic == "timestamp" && len(e.Sentinels) == 0 {
			return rTime
		}
		return rString
	case apischema.KindInt:
		if e.Semantic == "namespace" {
			return rNamespace
		}
		return rInt
	case apischema.KindFloat:
		return rFloat
	case apischema.KindBool:
		return rBool
	}
	return rRaw
}

// typeOf makes a node's Go type, building the structs it needs.
func (r *respBuilder) typeOf(n *apischema.Node, module, path, want string, rm *respModel) *respType {
	k := r.kindOf(n, module, path)
	switch k {
	case rList:
		return &respType{kind: rList, elem: r.elemOf(n.Items, module, path+".[]", want+"Item", rm)}
	case rMap:
		if !n.Has(apischema.KindMap) {
			return &respType{kind: rMap, elem: r.mapValue(n, module, path)}
		}
		return &respType{kind: rMap, elem: r.elemOf(n.Items, module, path+".[]", want+"Item", rm)}
	case rStruct:
		return &respType{kind: rStruct, st: r.object(n, module, path, want, rm)}
	case rEnum:
		return &respType{kind: rEnum, enum: r.enum(module, path, rm)}
	}
	return &respType{kind: k}
}

func (r *respBuilder) elemOf(n *apischema.Node, module, path, want string, rm *respModel) *respType {
	if n == nil {
		return &respType{kind: rRaw}
	}
	return r.typeOf(n, module, path, want, rm)
}

// mapValue is the value type of an open map made from an object: the one
// scalar kind of all its fields, or raw JSON.
func (r *respBuilder) mapValue(n *apischema.Node, module, path string) *respType {
	kind := rRaw
	for i, k := range slices.Sorted(maps.Keys(n.Fields)) {
		fk := r.kindOf(&n.Fields[k].Node, module, path+"."+k)
		if fk >= rRaw || (i > 0 && fk != kind) {
			return &respType{kind: rRaw}
		}
		kind = fk
	}
	return &respType{kind: kind}
}

// fieldDoc2 is a response field's doc: its key and when it comes.
func fieldDoc2(key string, f *apischema.Field, note string) string {
	var facts []string
	switch {
	case len(f.By) == 0 && f.Required:
		facts = append(facts, "always present")
	case len(f.By) > 0 && len(f.By) <= 4:
		s := "present with " + strings.Join(f.By, " or ")
		if f.Together {
			s = "present with " + strings.Join(f.By, " and ") + " together"
		}
		facts = append(facts, s)
	case len(f.By) > 4:
		facts = append(facts, fmt.Sprintf("present with some of %d values of %s", len(f.By), strings.SplitN(f.By[0], "=", 2)[0]))
	default:
		facts = append(facts, "not always present")
	}
	if note != "" {
		facts = append(facts, note)
	}
	return fmt.Sprintf("{{field}} is %q: %s.", key, strings.Join(facts, "; "))
}

// envelopePromoted are the names runtime.Envelope promotes into a root
// struct. A field of the same name in the module's result, embedded beside
// it, would make both ambiguous: resp.Warnings would not compile.
var envelopePromoted = map[string]bool{"Warnings": true, "Continue": true, "BatchComplete": true, "Limits": true, "Raw": true}

// promotedClear renames the fields of a module's result that clash with
// envelopePromoted: upload's warnings are UploadWarnings.
func promotedClear(st *respStruct, base string) {
	taken := map[string]bool{}
	for _, f := range st.fields {
		taken[f.name] = true
	}
	for _, f := range st.fields {
		if !envelopePromoted[f.name] {
			continue
		}
		name := base + f.name
		for taken[name] {
			name += "_"
		}
		taken[name] = true
		f.doc = strings.Replace(f.doc, f.name+" is", name+" is", 1)
		f.name = name
	}
}

// nameFields gives a struct's fields their Go names, in one scope with
// Extra.
func nameFields(st *respStruct) {
	var items []naming.Item
	for _, f := range st.fields {
		if f.typ.kind == rEmbed || f.typ.kind == rEmbedPtr {
			continue
		}
		items = append(items, naming.Item{Key: f.wire, Name: naming.Exported(f.wire)})
	}
	names := naming.Assign(reservedFields, items)
	for _, f := range st.fields {
		if f.typ.kind == rEmbed || f.typ.kind == rEmbedPtr {
			continue
		}
		f.name = names[f.wire]
		f.doc = strings.ReplaceAll(f.doc, "{{field}}", f.name)
	}
}

// querySource is a part of action=query's answer and the module it comes
// from.
type querySource struct {
	module string
	node   *apischema.Node
	path   string
	field  *apischema.Field
	// obj is the page node the field is in.
	obj *apischema.Node
}

// query builds action=query's answer from the shapes of query and every
// generated submodule.
func (r *respBuilder) query(ps *paramsStruct) error {
	qs := r.sh.Module("query")
	if qs == nil || qs.Response == nil {
		return nil
	}
	rm := &respModel{}
	root := r.newStruct("query", "QueryResponse", rm)
	root.root = true
	root.doc = fmt.Sprintf("{{name}} is the answer of action=query, decoded from the shapes mwgen learned\n"+
		"on MediaWiki %s for query and each of its submodules: Pages hold, per page, one\n"+
		"embedded part per prop module, nil when that prop did not come; lists and meta\n"+
		"answers are typed. Raw returns the whole body.", r.sh.MediaWikiVersion())
	rm.root = root
	result := r.newStruct("query\x00result", "QueryResult", rm)
	result.doc = "{{name}} is the \"query\" member of action=query's answer."
	root.fields = append(root.fields, &respField{wire: "query", typ: &respType{kind: rEmbed, st: result},
		doc: "The \"query\" member; its fields are promoted."})

	// Submodules in path order, query itself first.
	subs := []*apischema.ModuleShape{qs}
	for _, sub := range r.b.m.structs {
		if strings.HasPrefix(sub.path, "query+") {
			if ms := r.sh.Module(sub.path); ms != nil {
				subs = append(subs, ms)
			}
		}
	}
	// Root members beside query (limits...), and query's members beside
	// pages: the first module (in path order, query first) that has one
	// decides its type.
	rootSeen, resultSeen := map[string]bool{"query": true}, map[string]bool{"pages": true}
	pageBase := map[string][]querySource{}
	propOwn := map[string]map[string]querySource{} // prop module → key → source
	for _, ms := range subs {
		for _, top := range []struct {
			node *apischema.Node
			path string
		}{{ms.Response, "response"}, {ms.Generator, "generator"}} {
			if top.node == nil {
				continue
			}
			for _, k := range slices.Sorted(maps.Keys(top.node.Fields)) {
				if envelopeKeys[k] || rootSeen[k] {
					continue
				}
				rootSeen[k] = true
				rf := r.field(k, top.node.Fields[k], ms.Path, top.path+"."+k, "Query", top.node, rm)
				rf.required = rf.required && ms.Path == "query"
				root.fields = append(root.fields, rf)
			}
			q := top.node.Lookup("query")
			if q == nil {
				continue
			}
			for _, k := range slices.Sorted(maps.Keys(q.Fields)) {
				if resultSeen[k] {
					continue
				}
				resultSeen[k] = true
				want := naming.Exported(ms.Path)
				if k != strings.TrimPrefix(ms.Path, "query+") {
					want += naming.Exported(k)
				}
				f := q.Fields[k]
				path := top.path + ".query." + k
				rf := &respField{wire: k, doc: r.fieldDoc(k, f, ms.Path, r.ov[overlayKey(ms.Path, path)].Note) + r.versionNote(ms.Path, path),
					required: false}
				if f.Node.Has(apischema.KindList) && f.Node.Items != nil && f.Node.Items.Has(apischema.KindObject) && len(f.Node.Items.Kinds) == 1 {
					rf.typ = &respType{kind: rList, elem: &respType{kind: rStruct, st: r.object(f.Node.Items, ms.Path, path+".[]", want+"Item", rm)}}
				} else {
					rf.typ = r.typeOf(&f.Node, ms.Path, path, want, rm)
				}
				if ms.Path != "query" {
					rf.doc += " From " + moduleTitleOf(ms.Path) + "."
				}
				result.fields = append(result.fields, rf)
			}
			pages := q.Lookup("pages", "[]")
			if pages == nil {
				continue
			}
			base := ms.Path == "query" || top.path == "generator"
			for k, f := range pages.Fields {
				src := querySource{module: ms.Path, node: &f.Node, path: top.path + ".query.pages.[]." + k, field: f, obj: pages}
				if base {
					pageBase[k] = append(pageBase[k], src)
					continue
				}
				if propOwn[ms.Path] == nil {
					propOwn[ms.Path] = map[string]querySource{}
				}
				propOwn[ms.Path][k] = src
			}
		}
	}
	// A key that several props bring, or that the base has, belongs to
	// the page itself: encoding/json drops a key two embedded parts share.
	owners := map[string][]string{}
	for _, mod := range slices.Sorted(maps.Keys(propOwn)) {
		for k := range propOwn[mod] {
			owners[k] = append(owners[k], mod)
		}
	}
	for k, mods := range owners {
		if len(mods) > 1 || pageBase[k] != nil {
			for _, mod := range mods {
				pageBase[k] = append(pageBase[k], propOwn[mod][k])
				delete(propOwn[mod], k)
			}
		}
	}
	page := r.newStruct("query\x00page", "QueryPage", rm)
	page.doc = "{{name}} is one page of action=query's answer. The fields every page can have\n" +
		"are its own; what a prop module brings is in its embedded part, nil when that\n" +
		"prop did not come for the page."
	for _, k := range slices.Sorted(maps.Keys(pageBase)) {
		srcs := pageBase[k]
		first := srcs[0]
		rf := r.plainField(k, first.field, first.module, first.path, "QueryPage", rm)
		var mods []string
		for _, s := range srcs {
			if baseKind(r.kindOf(s.node, s.module, s.path)) != baseKind(rf.typ.kind) {
				rf.typ = &respType{kind: rRaw}
			}
			if !s.field.Required {
				rf.required = false
			}
			if s.module != "query" && !slices.Contains(mods, s.module) {
				mods = append(mods, s.module)
			}
		}
		// Required only when the query module itself always sends it.
		if rf.required && first.module != "query" {
			rf.required = false
			nf := *first.field
			nf.Required = false
			rf.doc = fieldDoc2(k, &nf, r.ov[overlayKey(first.module, first.path)].Note)
			if len(mods) > 0 {
				rf.doc += " From " + strings.Join(mods, ", ") + "."
			}
		}
		r.optional(rf, first.module, first.path, first.obj)
		page.fields = append(page.fields, rf)
	}
	nameFields(page)
	for _, mod := range slices.Sorted(maps.Keys(propOwn)) {
		own := propOwn[mod]
		if len(own) == 0 {
			continue
		}
		want := naming.Exported(mod) + "Page"
		part := r.newStruct(mod+"\x00page", want, rm)
		part.part = true
		part.doc = "{{name}} is what " + moduleTitleOf(mod) + " brings to a page, embedded in QueryPage."
		for _, k := range slices.Sorted(maps.Keys(own)) {
			s := own[k]
			if r.byMatches(mod, s.field) {
				part.fields = append(part.fields, r.field(k, s.field, mod, s.path, want, s.obj, rm))
			}
		}
		nameFields(part)
		page.fields = append(page.fields, &respField{typ: &respType{kind: rEmbedPtr, st: part},
			doc: "From " + moduleTitleOf(mod) + "."})
	}
	result.fields = append([]*respField{{wire: "pages", typ: &respType{kind: rList, elem: &respType{kind: rStruct, st: page}},
		doc: "{{field}} is \"pages\": the pages, when the query has titles, page IDs, revision IDs or a generator."}}, result.fields...)
	nameFields(result)
	nameFields(root)
	ps.resp = rm
	return nil
}

// moduleTitleOf names a module as its parameter selects it:
// "prop=revisions", or the path.
func moduleTitleOf(path string) string {
	return path
}

// iterators adds the merged page iterator of action=query and an item
// iterator per list module with a list answer.
func (r *respBuilder) iterators() {
	q := r.b.byPath["query"]
	if q == nil || q.resp == nil || q.pagesMethod == "" {
		return
	}
	var result, page *respStruct
	for _, st := range q.resp.structs {
		switch r.want[keyOf(r, st)] {
		case "QueryResult":
			result = st
		case "QueryPage":
			page = st
		}
	}
	if result == nil || page == nil {
		return
	}
	byWire := func(st *respStruct, wire string) *respField {
		for _, f := range st.fields {
			if f.wire == wire && f.name != "" {
				return f
			}
		}
		return nil
	}
	id, title, pages := byWire(page, "pageid"), byWire(page, "title"), byWire(result, "pages")
	if id == nil || title == nil || pages == nil || title.typ.kind != rString {
		return
	}
	idKind := id.typ.kind
	idOpt := idKind == rOpt
	if idOpt {
		idKind = id.typ.elem.kind
	}
	if idKind != rInt {
		return
	}
	reserved := slices.Clone(reservedMethods)
	for _, ps := range r.b.m.structs {
		reserved = append(reserved, ps.method, ps.pagesMethod)
	}
	items := []naming.Item{{Key: "pages", Name: "QueryPages"}}
	// The list selector of query's params.
	var listSel *field
	for _, f := range q.fields {
		if f.kind == kSelector && f.wire == "list" {
			listSel = f
		}
	}
	type cand struct {
		it   *itemsIter
		list string
	}
	var cands []cand
	if listSel != nil && listSel.sel != nil {
		for _, ch := range listSel.sel.choices {
			f := byWire(result, ch.value)
			if f == nil || f.typ.kind != rList || f.typ.elem.kind != rStruct {
				continue
			}
			cands = append(cands, cand{it: &itemsIter{params: ch.target, item: f.typ.elem.st.name,
				field: f.name, sel: listSel.name, choice: ch.field}, list: ch.value})
			items = append(items, naming.Item{Key: "items:" + ch.value, Name: naming.Exported(ch.value) + "Items"})
		}
	}
	names := naming.Assign(reserved, items)
	r.b.m.pages = &pagesIter{method: names["pages"], page: page.name, pageID: id.name, pageIDOpt: idOpt, title: title.name,
		field: pages.name, resp: q.resp.root.name, all: q.pagesMethod, params: q.name}
	for _, c := range cands {
		c.it.method = names["items:"+c.list]
		r.b.m.items = append(r.b.m.items, c.it)
	}
}

func keyOf(r *respBuilder, st *respStruct) string {
	for k, s := range r.structs {
		if s == st {
			return k
		}
	}
	return ""
}

// baseKind is the JSON kind of a kind: the overlay's semantic types
// (timestamps, namespaces) on the same JSON as their plain kinds.
func baseKind(k respKind) respKind {
	switch k {
	case rTime:
		return rString
	case rNamespace:
		return rInt
	}
	return k
}

// respEnum is a named string type of an answer: a field the overlay gives
// values ("Success", "Failed"...), with one constant per value.
type respEnum struct {
	key, want string
	name, doc string
	module    string
	wire      string
	values    []string
	consts    []string
	fails     []string
}

// respFail is a result field whose values can mean that the action did
// not happen: sel is the chain of fields from the answer to it.
type respFail struct {
	sel  []*respField
	enum *respEnum
}

// enum makes the named string type of the field at path of module. Its
// name is the module's and the field's, "Status" for a result or status
// field: LoginStatus, ClientloginStatus.
func (r *respBuilder) enum(module, path string, rm *respModel) *respEnum {
	e := r.ov[overlayKey(module, path)]
	parts := strings.Split(path, ".")
	wire := parts[len(parts)-1]
	want := naming.Exported(module)
	if wire == "result" || wire == "status" {
		want += "Status"
	} else {
		want += naming.Exported(wire)
	}
	en := &respEnum{key: "enum:" + module + "\x00" + path, want: want, module: module, wire: wire,
		values: slices.Clone(e.Values), fails: slices.Clone(e.Fails)}
	r.enums = append(r.enums, en)
	rm.enums = append(rm.enums, en)
	return en
}

// nameEnums sets the names of the enum types (assigned with the structs')
// and of their constants, in one scope with every other name.
func (r *respBuilder) nameEnums(reserved []string, names map[string]string) {
	reserved = append(slices.Clone(reserved), slices.Collect(maps.Values(names))...)
	var items []naming.Item
	for _, en := range r.enums {
		en.name = names[en.key]
		for _, v := range en.values {
			items = append(items, naming.Item{Key: en.key + "\x00" + v, Name: naming.ConstName(en.name, v)})
		}
	}
	consts := naming.Assign(reserved, items)
	for _, en := range r.enums {
		en.consts = nil
		for _, v := range en.values {
			en.consts = append(en.consts, consts[en.key+"\x00"+v])
		}
		en.doc = fmt.Sprintf("%s is the %q of action=%s's answer. MediaWiki documents the values below;\nanother one (from a newer MediaWiki or an extension) decodes as it is.", en.name, en.wire, en.module)
		if len(en.fails) > 0 {
			en.doc += fmt.Sprintf("\n%s: the action did not happen, and the method returns the answer\nwith a *runtime.ResultError.", quoteJoin(en.fails))
		}
	}
}

// fails records the module's result fields whose overlay entry has fails:
// a field of the root, or of the module's result embedded in it.
func (r *respBuilder) fails(ps *paramsStruct, root *respStruct, rm *respModel) {
	for _, f := range root.fields {
		switch {
		case f.typ.kind == rEnum && len(f.typ.enum.fails) > 0:
			rm.fails = append(rm.fails, &respFail{sel: []*respField{f}, enum: f.typ.enum})
		case f.typ.kind == rEmbed:
			for _, g := range f.typ.st.fields {
				if g.typ.kind == rEnum && len(g.typ.enum.fails) > 0 {
					rm.fails = append(rm.fails, &respFail{sel: []*respField{f, g}, enum: g.typ.enum})
				}
			}
		}
	}
}

// quoteJoin quotes values and joins them: `"A", "B" or "C"`.
func quoteJoin(vs []string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = strconv.Quote(v)
	}
	if len(q) == 1 {
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}

// shapesDocs tells the package doc and README about the typed answers:
// the shapes' MediaWiki version, whether it is another than the schema's,
// and what of them was left out.
func (b *builder) shapesDocs(p *templates.Package, s *apischema.Schema) {
	if b.shapes == nil {
		return
	}
	p.ShapesVersion = cmpOr(b.shapes.MediaWikiVersion(), "an unknown version")
	p.ShapesOther = apischema.CheckShapesFor(s, b.shapes) != nil
	p.ShapesDropped = strings.Join(b.m.shapesDropped, ", ")
	for _, ps := range b.m.structs {
		if ps.resp == nil {
			continue
		}
		p.Typed++
		for _, st := range ps.resp.structs {
			for _, f := range st.fields {
				if f.typ.kind == rOpt {
					p.Opts++
				}
			}
		}
	}
	p.PageIDOpt = b.m.pages != nil && b.m.pages.pageIDOpt
}
