package generator

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/mwgen/mwgen/apischema"
	"github.com/mwgen/mwgen/generator/naming"
)

// rt is the import path of the runtime the generated code stands on.
const rt = "github.com/mwgen/mwgen/runtime"

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

// moduleTitle names a module as users know it: "list=allpages" for query
// submodules, "action=edit" for actions.
func moduleTitle(mod *apischema.Module) string {
	switch {
	case mod.Path == "main":
		return "the main module"
	case mod.Group != "":
		return mod.Group + "=" + mod.Name + " (" + mod.Path + ")"
	default:
		return mod.Path
	}
}

func moduleDoc(ps *paramsStruct) string {
	mod := ps.mod
	var b strings.Builder
	fmt.Fprintf(&b, "%s are the parameters of %s.", ps.name, moduleTitle(mod))
	if d := docText(mod.Description); d != "" {
		b.WriteString("\n\n" + d)
	}
	var notes []string
	if mod.MustBePosted {
		notes = append(notes, "sent as a POST")
	}
	if ps.token != "" {
		notes = append(notes, "needs a "+ps.token+" token, which the runtime fetches")
	}
	if mod.WriteRights {
		notes = append(notes, "needs write rights")
	}
	if mod.Generator {
		notes = append(notes, "can be used as a generator")
	}
	if mod.DynamicParameters {
		notes = append(notes, "accepts parameters the schema does not list: put them in Extra")
	}
	if len(notes) > 0 {
		b.WriteString("\n\nAbout the module: " + strings.Join(notes, "; ") + ".")
	}
	if mod.DynamicParametersHelp != "" {
		b.WriteString("\n\n" + docText(mod.DynamicParametersHelp))
	}
	for _, u := range mod.HelpURLs {
		b.WriteString("\n\nSee " + naming.CommentSafe(u))
	}
	if mod.Internal {
		b.WriteString("\n\nThe module is internal: it may change or go away without notice.")
	}
	if mod.Deprecated {
		b.WriteString("\n\nDeprecated: the wiki marks this module as deprecated.")
	}
	return b.String()
}

func fieldDoc(mod *apischema.Module, f *field, prefix string) string {
	p := f.param
	var b strings.Builder
	fmt.Fprintf(&b, "%s is %s", f.name, wireDoc(mod, p))
	if d := docText(p.Description); d != "" {
		b.WriteString(": " + d)
	} else {
		b.WriteString(".")
	}
	var facts []string
	if p.Required {
		facts = append(facts, "required")
	}
	if d := defaultDoc(p.Default); d != "" {
		facts = append(facts, d)
	}
	if p.Min != nil {
		facts = append(facts, fmt.Sprintf("min %d", *p.Min))
	}
	if p.Max != nil {
		facts = append(facts, fmt.Sprintf("max %d", *p.Max))
	}
	if p.HighMax != nil {
		facts = append(facts, fmt.Sprintf("max %d with apihighlimits", *p.HighMax))
	}
	if p.Multi && p.HighLimit != nil {
		facts = append(facts, fmt.Sprintf("up to %d values (%d with apihighlimits)", deref(p.LowLimit), *p.HighLimit))
	}
	if p.AllSpecifier != "" {
		facts = append(facts, fmt.Sprintf("%q means all values", p.AllSpecifier))
	}
	if p.Sensitive {
		facts = append(facts, "sensitive: never logged")
	}
	if f.unknownType {
		facts = append(facts, fmt.Sprintf("the wiki's type %q is unknown to mwgen, so it is sent as a string", p.Type.Name))
	}
	if f.enum != nil && f.enum.open {
		facts = append(facts, "open: values outside the listed constants are accepted")
	}
	if f.kind == kTemplated {
		var vars []string
		for _, v := range slices.Sorted(maps.Keys(p.TemplateVars)) {
			vars = append(vars, fmt.Sprintf("{%s} from %s%s", v, prefix, p.TemplateVars[v]))
		}
		facts = append(facts, "keyed by "+strings.Join(vars, ", ")+"; each key is added to that parameter")
	}
	if len(facts) > 0 {
		b.WriteString("\n(" + strings.Join(facts, "; ") + ")")
	}
	if p.Deprecated {
		b.WriteString("\n\nDeprecated: the wiki marks this parameter as deprecated.")
	}
	return b.String()
}

// wireDoc spells the parameter as the wiki does, so users can grep for it.
// defaultDoc describes a parameter's default for its field's doc, whatever
// shape paraminfo gave it: a string, number or boolean (`default "10"`), an
// array of values for a multi-value parameter, written as it goes on the
// wire (`default "content|links"`), an empty array, or null.
func defaultDoc(d *apischema.Scalar) string {
	if d == nil {
		return ""
	}
	switch d.Kind() {
	case apischema.ScalarNull:
		return "default null (none)"
	case apischema.ScalarArray:
		if len(d.Values()) == 0 {
			return `default "" (no values)`
		}
	}
	return "default " + strconv.Quote(naming.CommentSafe(d.String()))
}

func wireDoc(mod *apischema.Module, p *apischema.Param) string {
	return mod.Prefix + p.Name
}

func deref(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

// emitModule writes one module's types and methods into f.
func emitModule(f *jen.File, m *pkgModel, ps *paramsStruct) {
	mod := ps.mod
	f.Add(commentCode(moduleDoc(ps)))
	f.Type().Id(ps.name).StructFunc(func(g *jen.Group) {
		for _, fl := range ps.fields {
			comment(g, fieldDoc(mod, fl, mod.Prefix))
			g.Id(fl.name).Add(fieldType(fl))
		}
		comment(g, "Extra holds raw parameters, sent as they are after the typed ones\n(a key set here replaces a typed parameter of the same wire name).")
		g.Id("Extra").Qual("net/url", "Values")
	})

	for _, e := range ps.enums {
		f.Line()
		emitEnum(f, e, mod)
	}
	for _, s := range ps.sels {
		f.Line()
		emitSelector(f, s)
	}
	f.Line()
	emitEncode(f, ps)
	f.Line()
	emitCheck(f, ps)
	if ps.method != "" {
		f.Line()
		emitMethod(f, ps)
	}
}

func fieldType(fl *field) jen.Code {
	switch fl.kind {
	case kString:
		return jen.String()
	case kOptString:
		return jen.Qual(rt, "Opt").Types(jen.String())
	case kStrings:
		return jen.Index().String()
	case kInt:
		return jen.Qual(rt, "Opt").Types(jen.Int())
	case kInts:
		return jen.Index().Int()
	case kBool:
		return jen.Bool()
	case kLimit:
		return jen.Qual(rt, "Limit")
	case kNamespace:
		return jen.Qual(rt, "Opt").Types(jen.Qual(rt, "Namespace"))
	case kNamespaces:
		return jen.Index().Qual(rt, "Namespace")
	case kTime:
		return jen.Qual(rt, "Timestamp")
	case kFile:
		return jen.Op("*").Qual(rt, "File")
	case kEnum:
		return jen.Id(fl.enum.name)
	case kEnums:
		return jen.Index().Id(fl.enum.name)
	case kTemplated:
		return jen.Map(jen.String()).String()
	case kSelector:
		return jen.Id(fl.sel.name)
	}
	panic(fmt.Sprintf("generator: unhandled field kind %d", fl.kind)) // a bug in buildStruct, never input
}

func emitEnum(f *jen.File, e *enumType, mod *apischema.Module) {
	doc := fmt.Sprintf("%s is a value of %s%s of %s.", e.name, mod.Prefix, e.param.Name, moduleTitle(mod))
	if e.open {
		doc += "\nThe list is open: the wiki may accept values it does not list here."
	}
	f.Add(commentCode(doc))
	f.Type().Id(e.name).String()
	if len(e.values) == 0 && e.all == "" {
		return
	}
	f.Const().DefsFunc(func(g *jen.Group) {
		if e.all != "" {
			comment(g, fmt.Sprintf("%s means every value; send it on its own.", e.all))
			g.Id(e.all).Id(e.name).Op("=").Lit(e.param.AllSpecifier)
		}
		for _, v := range e.values {
			var notes []string
			if v.deprecated {
				notes = append(notes, "Deprecated: the wiki marks this value as deprecated.")
			}
			if v.internal {
				notes = append(notes, "Internal: this value may change without notice.")
			}
			if len(notes) > 0 {
				comment(g, strings.Join(notes, "\n"))
			}
			g.Id(v.name).Id(e.name).Op("=").Lit(v.value)
		}
	})
	// The allowed values, for validation of closed enums.
	f.Line()
	f.Func().Params(jen.Id(e.name)).Id("values").Params().Index().String().Block(
		jen.Return(jen.Index().String().ValuesFunc(func(g *jen.Group) {
			for _, v := range e.values {
				g.Lit(v.value)
			}
		})),
	)
}

func emitSelector(f *jen.File, s *selector) {
	how := "Set one field to use that submodule"
	switch {
	case s.fixed:
		how = "The runtime always sends format=json (and formatversion=2, errorformat=plaintext,\nwhich win over the same settings here), so only json is offered"
	case s.multi:
		how = "Set any number of fields to use those submodules together"
	}
	f.Add(commentCode(fmt.Sprintf("%s selects submodules for %s. %s;\neach carries that submodule's parameters.", s.name, s.param.Name, how)))
	f.Type().Id(s.name).StructFunc(func(g *jen.Group) {
		for _, c := range s.choices {
			g.Id(c.field).Op("*").Id(c.target.name).Comment(inline(s.param.Name + "=" + c.value))
		}
	})
	f.Line()
	emitSelectorEncode(f, s)
	f.Line()
	emitSelectorCheck(f, s)
}

// emitSelectorEncode writes the selector's encode: the chosen values under
// name, and each chosen submodule's parameters with its own prefix.
func emitSelectorEncode(f *jen.File, s *selector) {
	f.Func().Params(jen.Id("s").Op("*").Id(s.name)).Id("encode").Params(
		jen.Id("v").Op("*").Qual(rt, "Params"), jen.Id("name").String(),
	).BlockFunc(func(g *jen.Group) {
		if !s.fixed {
			g.Var().Id("chosen").Index().String()
		}
		for _, c := range s.choices {
			g.If(jen.Id("s").Dot(c.field).Op("!=").Nil()).BlockFunc(func(g *jen.Group) {
				if !s.fixed {
					g.Id("chosen").Op("=").Append(jen.Id("chosen"), jen.Lit(c.value))
				}
				g.Id("s").Dot(c.field).Dot("encode").Call(jen.Id("v"), jen.Lit(s.prefix+c.target.mod.Prefix))
			})
		}
		if !s.fixed {
			g.Id("v").Dot("Strings").Call(jen.Id("name"), jen.Id("chosen"))
		}
	})
}

// emitSelectorCheck writes the selector's check: at most one choice for a
// single-valued selector, and each chosen submodule's own checks.
func emitSelectorCheck(f *jen.File, s *selector) {
	f.Func().Params(jen.Id("s").Op("*").Id(s.name)).Id("check").Params(
		jen.Id("c").Op("*").Qual(rt, "Checker"), jen.Id("name").String(),
	).BlockFunc(func(g *jen.Group) {
		if !s.multi && !s.fixed {
			g.Id("c").Dot("Exclusive").Call(jen.Id("name"), jen.Qual(rt, "CountSet").CallFunc(func(g *jen.Group) {
				for _, c := range s.choices {
					g.Id("s").Dot(c.field).Op("!=").Nil()
				}
			}))
		}
		for _, c := range s.choices {
			g.If(jen.Id("s").Dot(c.field).Op("!=").Nil()).Block(
				jen.Id("s").Dot(c.field).Dot("check").Call(jen.Id("c"), jen.Lit(s.prefix+c.target.mod.Prefix)),
			)
		}
	})
}

// emitEncode writes encode, which puts the parameters in wire form. prefix
// is everything before the unprefixed names: the module prefix, and for
// generators the g too.
func emitEncode(f *jen.File, ps *paramsStruct) {
	f.Func().Params(jen.Id("p").Op("*").Id(ps.name)).Id("encode").Params(
		jen.Id("v").Op("*").Qual(rt, "Params"), jen.Id("prefix").String(),
	).BlockFunc(func(g *jen.Group) {
		for _, fl := range ps.fields {
			wire := jen.Id("prefix").Op("+").Lit(fl.param.Name)
			val := jen.Id("p").Dot(fl.name)
			switch fl.kind {
			case kString:
				g.Id("v").Dot("Text").Call(wire, val)
			case kOptString:
				g.Id("v").Dot("OptText").Call(wire, val)
			case kStrings:
				g.Id("v").Dot("Strings").Call(wire, val)
			case kInt:
				g.Id("v").Dot("Int").Call(wire, val)
			case kInts:
				g.Id("v").Dot("Ints").Call(wire, val)
			case kBool:
				g.Id("v").Dot("Bool").Call(wire, val)
			case kLimit:
				g.Id("v").Dot("Limit").Call(wire, val)
			case kNamespace:
				g.Id("v").Dot("Namespace").Call(wire, val)
			case kNamespaces:
				g.Id("v").Dot("Namespaces").Call(wire, val)
			case kTime:
				g.Id("v").Dot("Timestamp").Call(wire, val)
			case kFile:
				g.Id("v").Dot("File").Call(wire, val)
			case kEnum:
				g.Id("v").Dot("Text").Call(wire, jen.String().Parens(val))
			case kEnums:
				g.Id("v").Dot("Strings").Call(wire, jen.Qual(rt, "StringsOf").Call(val))
			case kTemplated:
				// Handled below, after the parameter that controls it.
			case kSelector:
				g.Id("p").Dot(fl.name).Dot("encode").Call(jen.Id("v"), wire)
			}
			if fl.param.Sensitive {
				g.Id("v").Dot("Sensitive").Call(jen.Id("prefix").Op("+").Lit(fl.param.Name))
			}
		}
		for _, fl := range ps.fields {
			if fl.kind != kTemplated {
				continue
			}
			name, placeholder := templateParts(fl.param)
			g.Id("v").Dot("Templated").Call(
				jen.Id("prefix").Op("+").Lit(name),
				jen.Lit(placeholder),
				jen.Id("prefix").Op("+").Lit(templateTargetName(fl)),
				jen.Id("p").Dot(fl.name),
			)
		}
		g.Id("v").Dot("Merge").Call(jen.Id("p").Dot("Extra"))
	})
}

// templateParts splits "fromtext-{slot}" into the name and its placeholder.
func templateParts(p *apischema.Param) (name, placeholder string) {
	for _, v := range slices.Sorted(maps.Keys(p.TemplateVars)) {
		return p.Name, "{" + v + "}"
	}
	return p.Name, ""
}

func templateTargetName(fl *field) string {
	for _, v := range slices.Sorted(maps.Keys(fl.param.TemplateVars)) {
		return fl.param.TemplateVars[v]
	}
	return ""
}

// emitCheck writes check, which reports every problem before a request.
func emitCheck(f *jen.File, ps *paramsStruct) {
	var checks []jen.Code
	for _, fl := range ps.fields {
		checks = append(checks, fieldChecks(fl)...)
	}
	f.Func().Params(jen.Id("p").Op("*").Id(ps.name)).Id("check").Params(
		jen.Id("c").Op("*").Qual(rt, "Checker"), jen.Id("prefix").String(),
	).BlockFunc(func(g *jen.Group) {
		if len(checks) == 0 {
			return
		}
		g.Id("c").Op("=").Id("c").Dot("For").Call(jen.Lit(ps.mod.Path))
		for _, c := range checks {
			g.Add(c)
		}
	})
}

// fieldChecks returns the checks of one field: required, ranges, limits,
// closed-enum membership, number of values, and its submodules'.
func fieldChecks(fl *field) []jen.Code {
	p := fl.param
	wire := func() *jen.Statement { return jen.Id("prefix").Op("+").Lit(p.Name) }
	val := func() *jen.Statement { return jen.Id("p").Dot(fl.name) }
	c := func() *jen.Statement { return jen.Id("c") }
	var out []jen.Code
	if p.Required {
		out = append(out, c().Dot("Required").Call(wire(), isSet(fl)))
	}
	switch fl.kind {
	case kInt:
		if p.Min != nil || p.Max != nil {
			out = append(out, c().Dot("IntRange").Call(wire(), val(), optBound(p.Min), optBound(maxOf(p))))
		}
	case kLimit:
		out = append(out, c().Dot("LimitRange").Call(wire(), val(), jen.Lit(intOr(p.Min, 0)), jen.Lit(intOr(p.Max, math.MaxInt32)), jen.Lit(intOr(maxOf(p), math.MaxInt32))))
	case kEnum:
		if !fl.enum.open && len(fl.enum.values) > 0 {
			out = append(out, c().Dot("OneOf").Call(wire(), jen.String().Parens(val()), jen.Id(fl.enum.name).Dot("values").Call(jen.Lit(""))))
		}
	case kEnums:
		if !fl.enum.open && len(fl.enum.values) > 0 {
			out = append(out, c().Dot("AllOf").Call(wire(), jen.Qual(rt, "StringsOf").Call(val()), jen.Id(fl.enum.name).Dot("values").Call(jen.Lit("")), jen.Lit(p.AllSpecifier)))
		}
	case kSelector:
		out = append(out, val().Dot("check").Call(c(), wire()))
	}
	if p.Multi && p.HighLimit != nil {
		switch fl.kind {
		case kStrings, kInts, kNamespaces, kEnums:
			out = append(out, c().Dot("Count").Call(wire(), jen.Len(val()), jen.Lit(*p.HighLimit)))
		}
	}
	return out
}

func maxOf(p *apischema.Param) *int64 {
	if p.HighMax != nil {
		return p.HighMax
	}
	return p.Max
}

// optBound is a runtime.Opt[int] bound: set, or the zero Opt for none. A
// bound beyond 32 bits is left out, so the code compiles where int is 32
// bits wide; the wiki still enforces it.
func optBound(v *int64) jen.Code {
	if v == nil || *v > math.MaxInt32 || *v < math.MinInt32 {
		return jen.Qual(rt, "Opt").Types(jen.Int()).Values()
	}
	return jen.Qual(rt, "Set").Call(jen.Lit(int(*v)))
}

// intOr is a bound as an int literal, clamped to 32 bits (see optBound).
func intOr(v *int64, def int) int {
	if v == nil {
		return def
	}
	return int(max(min(*v, math.MaxInt32), math.MinInt32))
}

// isSet is the expression that tells whether a required field is set.
func isSet(fl *field) jen.Code {
	val := jen.Id("p").Dot(fl.name)
	switch fl.kind {
	case kString, kEnum:
		return val.Op("!=").Lit("")
	case kOptString, kInt, kNamespace, kTime:
		return val.Dot("IsSet").Call()
	case kStrings, kInts, kNamespaces, kEnums, kTemplated:
		return jen.Len(val).Op(">").Lit(0)
	case kBool:
		return val
	case kLimit:
		return val.Op("!=").Lit(0)
	case kFile:
		return val.Op("!=").Nil()
	case kSelector:
		return jen.Op("*").Id("p").Dot(fl.name).Op("!=").Parens(jen.Id(fl.sel.name).Values())
	}
	return jen.True()
}

// emitMethod writes the Client method of an action module, and the method
// that follows continuation when the module continues.
func emitMethod(f *jen.File, ps *paramsStruct) {
	mod := ps.mod
	f.Add(commentCode(fmt.Sprintf("%s calls action=%s. p may be nil when no parameter is needed.\nEvery problem with p is reported, as a *runtime.ValidationError, before anything is sent.", ps.method, ps.action)))
	f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id(ps.method).Params(
		jen.Id("ctx").Qual("context", "Context"), jen.Id("p").Op("*").Id(ps.name),
	).Params(jen.Op("*").Qual(rt, "Response"), jen.Error()).Block(
		jen.List(jen.Id("req"), jen.Err()).Op(":=").Id("p").Dot("request").Call(),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())),
		jen.Return(jen.Id("c").Dot("do").Call(jen.Id("ctx"), jen.Id("req"))),
	)
	if ps.pages {
		f.Line()
		f.Add(commentCode(fmt.Sprintf("%s calls action=%s and follows continuation, yielding one\nresponse per batch until the wiki has no more, or until the loop stops.", ps.pagesMethod, ps.action)))
		f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id(ps.pagesMethod).Params(
			jen.Id("ctx").Qual("context", "Context"), jen.Id("p").Op("*").Id(ps.name),
		).Qual("iter", "Seq2").Types(jen.Op("*").Qual(rt, "Response"), jen.Error()).Block(
			jen.List(jen.Id("req"), jen.Err()).Op(":=").Id("p").Dot("request").Call(),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Qual(rt, "Fail").Call(jen.Err()))),
			jen.Return(jen.Id("c").Dot("all").Call(jen.Id("ctx"), jen.Id("req"))),
		)
	}
	// request builds the runtime request; the receiver may be nil.
	f.Line()
	f.Func().Params(jen.Id("p").Op("*").Id(ps.name)).Id("request").Params().Params(jen.Op("*").Qual(rt, "Request"), jen.Error()).BlockFunc(func(g *jen.Group) {
		g.If(jen.Id("p").Op("==").Nil()).Block(jen.Id("p").Op("=").Op("&").Id(ps.name).Values())
		g.Id("c").Op(":=").Qual(rt, "NewChecker").Call(jen.Lit(mod.Path))
		g.Id("p").Dot("check").Call(jen.Id("c"), jen.Lit(mod.Prefix))
		g.If(jen.Err().Op(":=").Id("c").Dot("Err").Call(), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err()))
		g.Id("v").Op(":=").New(jen.Qual(rt, "Params"))
		g.Id("p").Dot("encode").Call(jen.Id("v"), jen.Lit(mod.Prefix))
		req := jen.Dict{
			jen.Id("Action"): jen.Lit(ps.action),
			jen.Id("Params"): jen.Id("v"),
		}
		if mod.MustBePosted {
			req[jen.Id("Post")] = jen.True()
		}
		if ps.token != "" {
			req[jen.Id("TokenType")] = jen.Lit(ps.token)
			if ps.tokenWire != "token" {
				req[jen.Id("TokenParam")] = jen.Lit(ps.tokenWire)
			}
		}
		g.Return(jen.Op("&").Qual(rt, "Request").Values(req), jen.Nil())
	})
}
