package runtime_test

import (
	"fmt"
	"net/url"
	"time"

	mw "github.com/mwgen/mwgen/runtime"
)

func ExampleParams() {
	p := new(mw.Params)
	p.Text("list", "allpages")
	p.Namespace("apnamespace", mw.Set(mw.NamespaceMain)) // 0 is sent
	p.Limit("aplimit", mw.Max)
	p.Bool("apminsize", false) // false is not sent
	p.Strings("titles", []string{"A|B", "C"})
	p.Timestamp("rcstart", mw.At(time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)))
	p.Merge(url.Values{"apdir": {"descending"}})
	p.Sensitive("lgpassword")
	p.Text("lgpassword", "secret")
	fmt.Println(p.Form())
	fmt.Println(p)
	// Output:
	// list=allpages&apnamespace=0&aplimit=max&titles=%1FA%7CB%1FC&rcstart=2024-05-01T12%3A00%3A00Z&apdir=descending&lgpassword=secret
	// list=allpages&apnamespace=0&aplimit=max&titles=%1FA%7CB%1FC&rcstart=2024-05-01T12%3A00%3A00Z&apdir=descending&lgpassword=***
}

func ExampleChecker() {
	c := mw.NewChecker("query")
	ap := c.For("query+allpages")
	ap.LimitRange("aplimit", 6000, 1, 500, 5000)
	ap.OneOf("apfilterredir", "some", []string{"all", "nonredirects", "redirects"})
	c.For("edit").Required("title", false)
	fmt.Println(c.Err())
	// Output:
	// query+allpages: aplimit: 6000 is above the maximum 500 (5000 with apihighlimits); query+allpages: apfilterredir: "some" is not one of "all", "nonredirects" or "redirects"; edit: title: required
}
