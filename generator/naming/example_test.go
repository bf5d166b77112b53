package naming_test

import (
	"fmt"

	"github.com/mwgen/mwgen/generator/naming"
)

func ExampleExported() {
	for _, name := range []string{"allpages", "query+allpages", "includeMissingTitles", "pageids", "text/x-wiki", "0.10", "!minor", "*", "", "??", "日本語"} {
		fmt.Printf("%q → %s\n", name, naming.Exported(name))
	}
	// Output:
	// "allpages" → Allpages
	// "query+allpages" → QueryAllpages
	// "includeMissingTitles" → IncludeMissingTitles
	// "pageids" → PageIDs
	// "text/x-wiki" → TextXWiki
	// "0.10" → V0_10
	// "!minor" → NotMinor
	// "*" → All
	// "" → Empty
	// "??" → X3f3f
	// "日本語" → X日本語
}

func ExampleConstName() {
	fmt.Println(naming.ConstName("QueryAllpagesFilterredir", "nonredirects"))
	fmt.Println(naming.ConstName("QueryRecentchangesShow", "!bot"))
	fmt.Println(naming.ConstName("ImageRotation", "90"))
	fmt.Println(naming.ConstName("Vector2022", "1"))
	// Output:
	// QueryAllpagesFilterredirNonredirects
	// QueryRecentchangesShowNotBot
	// ImageRotation90
	// Vector2022_1
}

func ExampleAssign() {
	typ := "Show"
	var items []naming.Item
	for _, v := range []string{"a-b", "a_b", "*", "all", "validate"} {
		items = append(items, naming.Item{Key: v, Name: naming.ConstName(typ, v)})
	}
	names := naming.Assign([]string{"ShowValidate"}, items)
	for _, v := range []string{"a-b", "a_b", "*", "all", "validate"} {
		fmt.Printf("%q → %s\n", v, names[v])
	}
	// Output:
	// "a-b" → ShowAB
	// "a_b" → ShowAB__1ba46871
	// "*" → ShowAll__2f0c9f3d
	// "all" → ShowAll
	// "validate" → ShowValidate_
}

func ExampleCommentSafe() {
	fmt.Printf("%q\n", naming.CommentSafe("a\x00b */ c\r\nd\xff"))
	// Output: "a\\x00b * / c\nd"
}
