// Command downstream lists the titles of a wiki's pages with a client that
// mwgen generated into ./wiki. It is what a module that uses mwgen looks
// like; see README.md.
//
//	go run . --api https://wiki.example.org/w/api.php
//	go run . --api https://en.wikipedia.org/w/api.php --prefix Go --n 20
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"

	"github.com/mwgen/mwgen/runtime"

	"example.com/downstream/wiki"
)

func main() {
	api := flag.String("api", "", "the wiki's api.php `URL` (required), e.g. https://wiki.example.org/w/api.php")
	prefix := flag.String("prefix", "", "only titles that start with this")
	namespace := flag.Int("namespace", 0, "the namespace `number` to list (0: articles)")
	n := flag.Int("n", 0, "stop after this many titles (0: all)")
	flag.Parse()
	if *api == "" || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := list(ctx, *api, *prefix, *namespace, *n); err != nil {
		fmt.Fprintln(os.Stderr, "downstream:", err)
		os.Exit(1)
	}
}

// list prints the titles of list=allpages, following continuation.
func list(ctx context.Context, api, prefix string, namespace, n int) error {
	rt, err := runtime.NewClient(api, runtime.Options{
		// Say who you are: wikis block anonymous clients.
		UserAgent: "mwgen-downstream-example/1.0 (https://github.com/mwgen/mwgen)",
	})
	if err != nil {
		return err
	}
	c := wiki.New(rt)

	p := &wiki.QueryAllpagesParams{
		Prefix:    prefix,
		Namespace: runtime.Set(runtime.Namespace(namespace)),
		Limit:     runtime.Max, // as many per request as the wiki allows
	}
	printed := 0
	// AllpagesItems sends list=allpages, then follows "continue" until the
	// wiki has no more pages, yielding each page as a typed
	// *wiki.QueryAllpagesItem; breaking out of the loop stops it.
	for page, err := range c.AllpagesItems(ctx, p) {
		if err != nil {
			// A *runtime.ValidationError means p was refused before
			// anything was sent; a *runtime.APIError is the wiki's answer.
			var ve *runtime.ValidationError
			if errors.As(err, &ve) {
				return fmt.Errorf("bad parameters: %w", err)
			}
			return err
		}
		fmt.Println(page.Title)
		printed++
		if n > 0 && printed >= n {
			return nil
		}
	}
	return nil
}
