package generator

import (
	"strconv"

	"github.com/dave/jennifer/jen"
)

// contractVersion is the contract between generated code and the runtime
// that this generator writes for (see gensupport.Version, which says when
// it changes; a test keeps the two equal). client_gen.go refers to
// gensupport.EnforceVersion<N>, so a runtime without that contract fails
// the build with a message that names it.
const contractVersion = 4

// client writes the Client type and what every method shares: the main
// module's parameters and the calls into the runtime.
func (g *emitter) client(f *jen.File) {
	main := g.m.main.name
	contract := g.contract
	if contract == 0 {
		contract = contractVersion
	}
	f.Comment("The runtime must support the contract this code was generated for; when it")
	f.Comment("does not, the build fails here, naming the contract (see gensupport.Version).")
	f.Const().Id("_").Op("=").Qual(support, "EnforceVersion"+strconv.Itoa(contract))
	f.Line()
	if g.m.versions != "" {
		f.Comment("mediaWikiVersions are the MediaWiki release series this package was generated")
		f.Comment("for, oldest first. A module, parameter or enum value that only some of them have")
		f.Comment("is refused, before sending, on a wiki whose version lacks it.")
		f.Const().Id("mediaWikiVersions").Op("=").Lit(g.m.versions)
		f.Line()
	}
	f.Comment("Client calls the wiki's Action API through a *runtime.Client, which owns the")
	f.Comment("transport, tokens, continuation and errors. It is safe for concurrent use.")
	f.Type().Id("Client").Struct(
		jen.Id("rt").Op("*").Qual(rt, "Client"),
		jen.Id("main").Op("*").Id(main),
	)
	f.Line()
	f.Comment("New returns a Client that sends its requests through rt.")
	f.Func().Id("New").Params(jen.Id("rt").Op("*").Qual(rt, "Client")).Op("*").Id("Client").Block(
		jen.Return(jen.Op("&").Id("Client").Values(jen.Dict{jen.Id("rt"): jen.Id("rt")})),
	)
	f.Line()
	f.Comment("Runtime returns the runtime client, for calls the generated methods do not cover.")
	f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id("Runtime").Params().Op("*").Qual(rt, "Client").Block(
		jen.Return(jen.Id("c").Dot("rt")),
	)
	f.Line()
	f.Comment("WithMain returns a copy of c that adds the main module's parameters (uselang,")
	f.Comment("assert, curtimestamp...) to every request. They are checked at each call.")
	f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id("WithMain").Params(jen.Id("p").Op("*").Id(main)).Op("*").Id("Client").Block(
		jen.Id("cp").Op(":=").Op("*").Id("c"),
		jen.Id("cp").Dot("main").Op("=").Id("p"),
		jen.Return(jen.Op("&").Id("cp")),
	)
	f.Line()
	f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id("prepare").Params(jen.Id("req").Op("*").Qual(rt, "Request")).Error().Block(
		jen.If(jen.Id("c").Dot("main").Op("==").Nil()).Block(jen.Return(jen.Nil())),
		jen.Id("chk").Op(":=").Qual(rt, "NewChecker").Call(jen.Lit("main")),
		jen.Id("c").Dot("main").Dot("check").Call(jen.Id("chk"), jen.Lit("")),
		jen.If(jen.Err().Op(":=").Id("chk").Dot("Err").Call(), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
		jen.Id("c").Dot("main").Dot("encode").Call(jen.Id("req").Dot("Params"), jen.Lit("")),
		g.mainNeeds(),
		jen.Return(jen.Nil()),
	)
	f.Line()
	f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id("do").Params(
		jen.Id("ctx").Qual("context", "Context"), jen.Id("req").Op("*").Qual(rt, "Request"),
	).Params(jen.Op("*").Qual(rt, "Response"), jen.Error()).Block(
		jen.If(jen.Err().Op(":=").Id("c").Dot("prepare").Call(jen.Id("req")), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())),
		jen.Return(jen.Id("c").Dot("rt").Dot("Do").Call(jen.Id("ctx"), jen.Id("req"))),
	)
	f.Line()
	f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id("all").Params(
		jen.Id("ctx").Qual("context", "Context"), jen.Id("req").Op("*").Qual(rt, "Request"),
	).Qual("iter", "Seq2").Types(jen.Op("*").Qual(rt, "Response"), jen.Error()).Block(
		jen.If(jen.Err().Op(":=").Id("c").Dot("prepare").Call(jen.Id("req")), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Qual(support, "Fail").Call(jen.Err()))),
		jen.Return(jen.Id("c").Dot("rt").Dot("Continue").Call(jen.Id("ctx"), jen.Id("req"))),
	)
	if !g.m.withShapes {
		return
	}
	f.Line()
	f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id("into").Params(
		jen.Id("ctx").Qual("context", "Context"), jen.Id("req").Op("*").Qual(rt, "Request"), jen.Id("out").Qual(rt, "Answer"),
	).Error().Block(
		jen.If(jen.Err().Op(":=").Id("c").Dot("prepare").Call(jen.Id("req")), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
		jen.Return(jen.Id("c").Dot("rt").Dot("DoInto").Call(jen.Id("ctx"), jen.Id("req"), jen.Id("out"))),
	)
	f.Line()
	f.Func().Id("allInto").Types(jen.Id("T").Qual(rt, "Answer")).Params(
		jen.Id("c").Op("*").Id("Client"), jen.Id("ctx").Qual("context", "Context"), jen.Id("req").Op("*").Qual(rt, "Request"), jen.Id("mk").Func().Params().Id("T"),
	).Qual("iter", "Seq2").Types(jen.Id("T"), jen.Error()).Block(
		jen.If(jen.Err().Op(":=").Id("c").Dot("prepare").Call(jen.Id("req")), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Qual(support, "FailAs").Types(jen.Id("T")).Call(jen.Err()))),
		jen.Return(jen.Qual(rt, "ContinueInto").Call(jen.Id("ctx"), jen.Id("c").Dot("rt"), jen.Id("req"), jen.Id("mk"))),
	)
}

// mainNeeds adds the main module's version needs to a request, in a
// package for several MediaWiki versions.
func (g *emitter) mainNeeds() jen.Code {
	if g.m.versions == "" {
		return jen.Null()
	}
	return jen.Id("req").Dot("Needs").Op("=").Id("req").Dot("Needs").Dot("Add").Call(jen.Id("chk").Dot("Needs").Call(jen.Id("mediaWikiVersions")))
}
