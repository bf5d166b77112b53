package generator

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/mwgen/mwgen/generator/naming"
)

// Emission walks the model (model.go) and writes it with jennifer. It
// decides nothing about the schema, which it never sees: every name, type,
// bound and doc text is in the model, and each field is written from its
// kind's entry in the kind table (kinds.go).

// rt is the import path of the runtime the generated code stands on.
const rt = "github.com/mwgen/mwgen/runtime"

// support is the import path of the helpers only generated code calls.
const support = rt + "/gensupport"

type emitter struct {
	m   *pkgModel
	pkg string
	// contract overrides contractVersion, for tests.
	contract int
	// err is the first inconsistency found in the model: a bug in the
	// generator, reported as an error rather than a panic.
	err error
}

func (g *emitter) bug(format string, args ...any) jen.Code {
	if g.err == nil {
		g.err = fmt.Errorf("internal error: "+format, args...)
	}
	return jen.Null()
}

func (g *emitter) newFile() *jen.File {
	f := jen.NewFile(g.pkg)
	// One call per line: jennifer renders a multi-line header as a /* */
	// block, and Go only recognises "// Code generated ... DO NOT EDIT."
	// as a line comment.
	for _, line := range commentLines(g.m.header) {
		f.HeaderComment(line)
	}
	f.ImportName(rt, "runtime")
	f.ImportName(support, "gensupport")
	return f
}

// files renders the package: doc, client, the shared types, one file per
// module, and the README.
func (g *emitter) files() ([]File, error) {
	var out []File
	add := func(name string, f *jen.File) error {
		if g.err != nil {
			return g.err
		}
		var buf bytes.Buffer
		if err := f.Render(&buf); err != nil {
			return fmt.Errorf("render %s: %w", name, err)
		}
		out = append(out, File{Name: name, Data: buf.Bytes()})
		return nil
	}
	docFile := g.newFile()
	for _, line := range commentLines(g.m.doc) {
		docFile.PackageComment(line)
	}
	if err := add("doc"+GeneratedSuffix, docFile); err != nil {
		return nil, err
	}
	client := g.newFile()
	g.client(client)
	if err := add("client"+GeneratedSuffix, client); err != nil {
		return nil, err
	}
	// The shared types, each kind in its own file when there are any.
	shared := func(name string, n int, each func(f *jen.File, i int)) error {
		if n == 0 {
			return nil
		}
		f := g.newFile()
		for i := range n {
			if i > 0 {
				f.Line()
			}
			each(f, i)
		}
		return add(name, f)
	}
	if err := shared(selectorsFile, len(g.m.sharedSelectors), func(f *jen.File, i int) { g.selector(f, g.m.sharedSelectors[i]) }); err != nil {
		return nil, err
	}
	if err := shared(pageSetFile, len(g.m.sharedPageSets), func(f *jen.File, i int) { g.pageSet(f, g.m.sharedPageSets[i]) }); err != nil {
		return nil, err
	}
	for _, ps := range g.m.structs {
		f := g.newFile()
		g.module(f, ps)
		if err := add(ps.file, f); err != nil {
			return nil, err
		}
	}
	out = append(out, File{Name: "README.md", Data: []byte(g.m.readme)})
	slices.SortFunc(out, func(a, b File) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// comment renders text as // lines, never a /* */ block, whatever the
// text: it is made comment-safe, and a line that starts with // or /*
// (which jennifer would write verbatim) is indented.
func comment(g *jen.Group, text string) {
	for _, line := range commentLines(text) {
		g.Comment(line)
	}
}

func commentLines(text string) []string {
	lines := strings.Split(strings.TrimRight(naming.CommentSafe(text), "\n"), "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "//") || strings.HasPrefix(l, "/*") {
			lines[i] = " " + l
		}
	}
	return lines
}

// inline makes text fit on one comment line.
func inline(text string) string {
	return strings.Join(commentLines(text), " ")
}

// commentCode returns comment lines as one jen.Code for top-level use.
func commentCode(text string) jen.Code {
	return jen.CustomFunc(jen.Options{Separator: "\n"}, func(g *jen.Group) { comment(g, text) })
}

// module writes one module's types and methods into f.
func (g *emitter) module(f *jen.File, ps *paramsStruct) {
	f.Add(commentCode(ps.doc))
	f.Type().Id(ps.name).StructFunc(func(grp *jen.Group) {
		g.structFields(grp, ps.fields)
		comment(grp, "Extra holds raw parameters, sent as they are after the typed ones\n(a key set here replaces a typed parameter of the same wire name).")
		grp.Id("Extra").Qual("net/url", "Values")
	})
	for _, e := range ps.enums {
		f.Line()
		g.enum(f, e)
	}
	for _, s := range ps.sels {
		f.Line()
		g.selector(f, s)
	}
	for _, set := range ps.pageSets {
		f.Line()
		g.pageSet(f, set)
	}
	f.Line()
	g.encode(f, ps.name, ps.fields, true)
	f.Line()
	g.check(f, ps.name, ps.fields, ps.path, ps.versions)
	if ps.method != "" {
		f.Line()
		g.method(f, ps)
	}
	if ps.resp != nil {
		g.respStructs(f, ps.resp)
	}
	if ps.path == "query" {
		g.iterators(f)
	}
}

func (g *emitter) structFields(grp *jen.Group, fields []*field) {
	for _, fl := range fields {
		comment(grp, fl.doc)
		if fl.kind == kPageSet {
			grp.Id(fl.name) // embedded
			continue
		}
		grp.Id(fl.name).Add(g.goType(fl))
	}
}

// goType renders a field's Go type from its kind's entry.
func (g *emitter) goType(fl *field) jen.Code {
	t := kinds[fl.kind].goType
	var elem *jen.Statement
	switch {
	case t.elem == "":
		elem = jen.Id(g.namedType(fl))
	case t.rt:
		elem = jen.Qual(rt, t.elem)
	default:
		elem = jen.Id(t.elem)
	}
	if t.arg != "" {
		if t.argRT {
			elem = elem.Types(jen.Qual(rt, t.arg))
		} else {
			elem = elem.Types(jen.Id(t.arg))
		}
	}
	switch t.wrap {
	case wrapNone:
		return elem
	case wrapSlice:
		return jen.Index().Add(elem)
	case wrapPointer:
		return jen.Op("*").Add(elem)
	case wrapMap:
		return jen.Map(jen.String()).Add(elem)
	}
	return g.bug("field %s: unknown type wrapper %d", fl.name, t.wrap)
}

// namedType is the name of a field's own type (enum, selector, page set).
func (g *emitter) namedType(fl *field) string {
	switch {
	case fl.enum != nil:
		return fl.enum.name
	case fl.sel != nil:
		return fl.sel.name
	case fl.pageSet != nil:
		return fl.pageSet.name
	}
	g.bug("field %s of kind %s has no named type", fl.name, kinds[fl.kind].name)
	return "_"
}

func (g *emitter) enum(f *jen.File, e *enumType) {
	f.Add(commentCode(e.doc))
	f.Type().Id(e.name).String()
	if len(e.values) == 0 && e.all == "" {
		return
	}
	f.Const().DefsFunc(func(grp *jen.Group) {
		if e.all != "" {
			comment(grp, fmt.Sprintf("%s means every value; send it on its own.", e.all))
			grp.Id(e.all).Id(e.name).Op("=").Lit(e.allValue)
		}
		for _, v := range e.values {
			if v.doc != "" {
				comment(grp, v.doc)
			}
			grp.Id(v.name).Id(e.name).Op("=").Lit(v.value)
		}
	})
	if len(e.versions) > 0 {
		// The values only some MediaWiki versions have: value, versions.
		f.Line()
		f.Func().Params(jen.Id(e.name)).Id("versions").Params().Index().String().Block(
			jen.Return(jen.Index().String().ValuesFunc(func(grp *jen.Group) {
				for _, v := range e.versions {
					grp.Lit(v)
				}
			})),
		)
	}
	// The allowed values, for validation of closed enums.
	f.Line()
	f.Func().Params(jen.Id(e.name)).Id("values").Params().Index().String().Block(
		jen.Return(jen.Index().String().ValuesFunc(func(grp *jen.Group) {
			for _, v := range e.values {
				grp.Lit(v.value)
			}
		})),
	)
}

func (g *emitter) selector(f *jen.File, s *selector) {
	f.Add(commentCode(s.doc))
	f.Type().Id(s.name).StructFunc(func(grp *jen.Group) {
		for _, c := range s.choices {
			grp.Id(c.field).Op("*").Id(c.target).Comment(inline(s.wire + "=" + c.value))
		}
	})
	f.Line()
	// encode: the chosen values under name, and each chosen submodule's
	// parameters with its own prefix.
	f.Func().Params(jen.Id("s").Op("*").Id(s.name)).Id("encode").Params(
		jen.Id("v").Op("*").Qual(rt, "Params"), jen.Id("name").String(),
	).BlockFunc(func(grp *jen.Group) {
		if !s.fixed {
			grp.Var().Id("chosen").Index().String()
		}
		for _, c := range s.choices {
			grp.If(jen.Id("s").Dot(c.field).Op("!=").Nil()).BlockFunc(func(grp *jen.Group) {
				if !s.fixed {
					grp.Id("chosen").Op("=").Append(jen.Id("chosen"), jen.Lit(c.value))
				}
				grp.Id("s").Dot(c.field).Dot("encode").Call(jen.Id("v"), jen.Lit(c.prefix))
			})
		}
		if !s.fixed {
			grp.Id("v").Dot("Strings").Call(jen.Id("name"), jen.Id("chosen"))
		}
	})
	f.Line()
	// check: at most one choice for a single-valued selector, and each
	// chosen submodule's own checks.
	f.Func().Params(jen.Id("s").Op("*").Id(s.name)).Id("check").Params(
		jen.Id("c").Op("*").Qual(rt, "Checker"), jen.Id("name").String(),
	).BlockFunc(func(grp *jen.Group) {
		if !s.multi && !s.fixed {
			grp.Id("c").Dot("Exclusive").Call(jen.Id("name"), jen.Qual(support, "CountSet").CallFunc(func(grp *jen.Group) {
				for _, c := range s.choices {
					grp.Id("s").Dot(c.field).Op("!=").Nil()
				}
			}))
		}
		for _, c := range s.choices {
			grp.If(jen.Id("s").Dot(c.field).Op("!=").Nil()).Block(
				jen.Id("s").Dot(c.field).Dot("check").Call(jen.Id("c"), jen.Lit(c.prefix)),
			)
		}
	})
}

// pageSet writes a page set type, its own enums and selectors, and its
// encode and check, which the modules that embed it call with their
// prefix and checker.
func (g *emitter) pageSet(f *jen.File, set *pageSet) {
	f.Add(commentCode(set.doc))
	f.Type().Id(set.name).StructFunc(func(grp *jen.Group) { g.structFields(grp, set.fields) })
	for _, e := range set.enums {
		f.Line()
		g.enum(f, e)
	}
	for _, s := range set.sels {
		f.Line()
		g.selector(f, s)
	}
	f.Line()
	g.encode(f, set.name, set.fields, false)
	f.Line()
	g.check(f, set.name, set.fields, "", "")
}

// encode writes the encode method, which puts the fields in wire form.
// prefix is everything before the unprefixed names: the module prefix, and
// for generators the g too.
func (g *emitter) encode(f *jen.File, typeName string, fields []*field, extra bool) {
	f.Func().Params(jen.Id("p").Op("*").Id(typeName)).Id("encode").Params(
		jen.Id("v").Op("*").Qual(rt, "Params"), jen.Id("prefix").String(),
	).BlockFunc(func(grp *jen.Group) {
		var deferred []*field
		for _, fl := range fields {
			enc := kinds[fl.kind].encode
			wire := jen.Id("prefix").Op("+").Lit(fl.wire)
			val := jen.Id("p").Dot(fl.name)
			switch enc.how {
			case encodeSetter:
				grp.Id("v").Dot(enc.setter).Call(wire, g.convert(fl, enc.conv, val))
			case encodeSelector:
				grp.Add(val).Dot("encode").Call(jen.Id("v"), wire)
			case encodeEmbedded:
				grp.Add(val).Dot("encode").Call(jen.Id("v"), jen.Id("prefix"))
			case encodeTemplated:
				// After the parameter that controls it.
				deferred = append(deferred, fl)
			default:
				grp.Add(g.bug("field %s: unknown encoding %d", fl.name, enc.how))
			}
			if fl.sensitive {
				grp.Id("v").Dot("Sensitive").Call(jen.Id("prefix").Op("+").Lit(fl.wire))
			}
		}
		for _, fl := range deferred {
			if fl.tmpl == nil {
				grp.Add(g.bug("templated field %s has no template", fl.name))
				continue
			}
			grp.Qual(support, "Templated").Call(
				jen.Id("v"),
				jen.Id("prefix").Op("+").Lit(fl.tmpl.name),
				jen.Lit(fl.tmpl.placeholder),
				jen.Id("prefix").Op("+").Lit(fl.tmpl.target),
				jen.Id("p").Dot(fl.name),
			)
		}
		if extra {
			grp.Id("v").Dot("Merge").Call(jen.Id("p").Dot("Extra"))
		}
	})
}

func (g *emitter) convert(fl *field, conv conversion, val *jen.Statement) jen.Code {
	switch conv {
	case convNone:
		return val
	case convString:
		return jen.String().Parens(val)
	case convStringsOf:
		return jen.Qual(support, "StringsOf").Call(val)
	}
	return g.bug("field %s: unknown conversion %d", fl.name, conv)
}

// check writes the check method, which reports every problem before a
// request. module labels the problems; "" for a page set, whose checks go
// to the embedding module's checker.
//
// In a package for several MediaWiki versions, a module, parameter or enum
// value that only some versions have is recorded as a need (versions: the
// module's release series, or ""): the runtime checks needs against the
// wiki's version before sending.
func (g *emitter) check(f *jen.File, typeName string, fields []*field, module, versions string) {
	var checks []jen.Code
	if versions != "" {
		checks = append(checks, jen.Id("c").Dot("InVersions").Call(jen.Lit(versions)))
	}
	for _, fl := range fields {
		for _, c := range fl.checks {
			checks = append(checks, g.checkCode(fl, c))
		}
		checks = append(checks, g.versionChecks(fl)...)
	}
	f.Func().Params(jen.Id("p").Op("*").Id(typeName)).Id("check").Params(
		jen.Id("c").Op("*").Qual(rt, "Checker"), jen.Id("prefix").String(),
	).BlockFunc(func(grp *jen.Group) {
		if len(checks) == 0 {
			return
		}
		if module != "" {
			grp.Id("c").Op("=").Id("c").Dot("For").Call(jen.Lit(module))
		}
		for _, c := range checks {
			grp.Add(c)
		}
	})
}

func (g *emitter) checkCode(fl *field, ck check) jen.Code {
	wire := func() *jen.Statement { return jen.Id("prefix").Op("+").Lit(fl.wire) }
	val := func() *jen.Statement { return jen.Id("p").Dot(fl.name) }
	c := jen.Id("c")
	switch ck.kind {
	case checkRequired:
		return c.Dot("Required").Call(wire(), g.isSet(fl))
	case checkIntRange:
		return c.Dot("IntRange").Call(wire(), val(), optIntCode(ck.min), optIntCode(ck.max))
	case checkIntsRange:
		return c.Dot("IntsRange").Call(wire(), val(), optIntCode(ck.min), optIntCode(ck.max))
	case checkLimitRange:
		return c.Dot("LimitRange").Call(wire(), val(), jen.Lit(ck.lo), jen.Lit(ck.hi), jen.Lit(ck.highmax))
	case checkOneOf:
		return c.Dot("OneOf").Call(wire(), jen.String().Parens(val()), jen.Id(g.namedType(fl)).Dot("values").Call(jen.Lit("")))
	case checkAllOf:
		return c.Dot("AllOf").Call(wire(), jen.Qual(support, "StringsOf").Call(val()), jen.Id(g.namedType(fl)).Dot("values").Call(jen.Lit("")), jen.Lit(ck.allSpecifier))
	case checkCount:
		return c.Dot("Count").Call(wire(), jen.Len(val()), jen.Lit(ck.limit))
	case checkNested:
		return val().Dot("check").Call(jen.Id("c"), wire())
	case checkEmbedded:
		return val().Dot("check").Call(jen.Id("c"), jen.Id("prefix"))
	}
	return g.bug("field %s: unknown check %d", fl.name, ck.kind)
}

// optIntCode is a runtime.Opt[int] bound: runtime.Set(n), or the zero Opt.
func optIntCode(o optInt) jen.Code {
	if !o.set {
		return jen.Qual(rt, "Opt").Types(jen.Int()).Values()
	}
	return jen.Qual(rt, "Set").Call(jen.Lit(o.v))
}

// isSet is the expression that tells whether a required field is set.
func (g *emitter) isSet(fl *field) jen.Code {
	val := jen.Id("p").Dot(fl.name)
	switch kinds[fl.kind].isSet {
	case setNonEmpty:
		return val.Op("!=").Lit("")
	case setIsSet:
		return val.Dot("IsSet").Call()
	case setLen:
		return jen.Len(val).Op(">").Lit(0)
	case setTrue:
		return val
	case setNonZero:
		return val.Op("!=").Lit(0)
	case setNonNil:
		return val.Op("!=").Nil()
	case setNotZero:
		return val.Op("!=").Parens(jen.Id(g.namedType(fl)).Values())
	}
	return g.bug("field %s: unknown set test %d", fl.name, kinds[fl.kind].isSet)
}

// method writes the Client method of an action module, and the method
// that follows continuation when the module continues.
func (g *emitter) method(f *jen.File, ps *paramsStruct) {
	if ps.resp != nil {
		g.respMethod(f, ps)
	} else {
		g.rawMethod(f, ps)
	}
	g.request(f, ps)
}

// rawMethod writes the methods of a module without a typed answer.
func (g *emitter) rawMethod(f *jen.File, ps *paramsStruct) {
	doc := fmt.Sprintf("%s calls action=%s. p may be nil when no parameter is needed.\nEvery problem with p is reported, as a *runtime.ValidationError, before anything is sent.", ps.method, ps.action)
	if g.m.withShapes {
		doc += "\n\nThe shapes this package was generated with have none for " + ps.path + ", so the answer is\nuntyped: probe a test wiki that has the module with `mwgen shapes probe`, and\ngenerate with --shapes, to get a typed one."
	}
	f.Add(commentCode(doc))
	f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id(ps.method).Params(
		jen.Id("ctx").Qual("context", "Context"), jen.Id("p").Op("*").Id(ps.name),
	).Params(jen.Op("*").Qual(rt, "Response"), jen.Error()).Block(
		jen.List(jen.Id("req"), jen.Err()).Op(":=").Id("p").Dot("request").Call(),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())),
		jen.Return(jen.Id("c").Dot("do").Call(jen.Id("ctx"), jen.Id("req"))),
	)
	if ps.pagesMethod != "" {
		f.Line()
		f.Add(commentCode(fmt.Sprintf("%s calls action=%s and follows continuation, yielding one\nresponse per batch until the wiki has no more, or until the loop stops.", ps.pagesMethod, ps.action)))
		f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id(ps.pagesMethod).Params(
			jen.Id("ctx").Qual("context", "Context"), jen.Id("p").Op("*").Id(ps.name),
		).Qual("iter", "Seq2").Types(jen.Op("*").Qual(rt, "Response"), jen.Error()).Block(
			jen.List(jen.Id("req"), jen.Err()).Op(":=").Id("p").Dot("request").Call(),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Qual(support, "Fail").Call(jen.Err()))),
			jen.Return(jen.Id("c").Dot("all").Call(jen.Id("ctx"), jen.Id("req"))),
		)
	}
}

// request writes the method that builds the runtime request; the
// receiver may be nil.
func (g *emitter) request(f *jen.File, ps *paramsStruct) {
	f.Line()
	f.Func().Params(jen.Id("p").Op("*").Id(ps.name)).Id("request").Params().Params(jen.Op("*").Qual(rt, "Request"), jen.Error()).BlockFunc(func(grp *jen.Group) {
		grp.If(jen.Id("p").Op("==").Nil()).Block(jen.Id("p").Op("=").Op("&").Id(ps.name).Values())
		grp.Id("c").Op(":=").Qual(rt, "NewChecker").Call(jen.Lit(ps.path))
		grp.Id("p").Dot("check").Call(jen.Id("c"), jen.Lit(ps.prefix))
		grp.If(jen.Err().Op(":=").Id("c").Dot("Err").Call(), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err()))
		grp.Id("v").Op(":=").New(jen.Qual(rt, "Params"))
		grp.Id("p").Dot("encode").Call(jen.Id("v"), jen.Lit(ps.prefix))
		req := jen.Dict{
			jen.Id("Action"): jen.Lit(ps.action),
			jen.Id("Params"): jen.Id("v"),
		}
		if ps.post {
			req[jen.Id("Post")] = jen.True()
		}
		if g.m.versions != "" {
			req[jen.Id("Needs")] = jen.Id("c").Dot("Needs").Call(jen.Id("mediaWikiVersions"))
		}
		if ps.token != "" {
			req[jen.Id("TokenType")] = jen.Lit(ps.token)
			if ps.tokenParam != "" {
				req[jen.Id("TokenParam")] = jen.Lit(ps.tokenParam)
			}
		}
		grp.Return(jen.Op("&").Qual(rt, "Request").Values(req), jen.Nil())
	})
}

// versionChecks records the needs of a field of a package for several
// MediaWiki versions: the parameter's versions when it is set, and those
// of its enum's values.
func (g *emitter) versionChecks(fl *field) []jen.Code {
	var out []jen.Code
	wire := jen.Id("prefix").Op("+").Lit(fl.wire)
	if fl.versions != "" {
		out = append(out, jen.Id("c").Dot("ParamIn").Call(wire.Clone(), g.isSetAny(fl), jen.Lit(fl.versions)))
	}
	if fl.enum == nil || len(fl.enum.versions) == 0 {
		return out
	}
	val := jen.Id("p").Dot(fl.name)
	table := jen.Id(fl.enum.name).Dot("versions").Call(jen.Lit(""))
	if kinds[fl.kind].slice {
		return append(out, jen.Id("c").Dot("ValuesIn").Call(wire.Clone(), jen.Qual(support, "StringsOf").Call(val), table))
	}
	return append(out, jen.Id("c").Dot("ValueIn").Call(wire.Clone(), jen.String().Parens(val), table))
}

// isSetAny is isSet for any field a need may be on: a page set has no set
// test of its own and is never versioned.
func (g *emitter) isSetAny(fl *field) jen.Code {
	if fl.kind == kPageSet {
		return jen.True()
	}
	return g.isSet(fl)
}
