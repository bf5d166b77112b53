// Command mwgen generates typed Go clients for MediaWiki's Action API from a
// wiki's own schema (action=paraminfo), and works with those schemas.
//
//	mwgen schema fetch --api https://wiki.example.org/w/api.php -o schema.json
//	mwgen schema diff old.json new.json
//	mwgen version
//
// Run `mwgen help` for every command.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/spf13/pflag"
)

// Exit statuses. schema diff uses exitChanges for "the schemas differ".
const (
	exitOK      = 0
	exitChanges = 1
	exitError   = 2
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// env is what a command may touch besides its arguments: the standard
// streams. Tests pass buffers.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

type command struct {
	name    string
	summary string
	example string
	run     func(ctx context.Context, e env, args []string) int
}

func commands() []command {
	return []command{
		{"api", "call any API module and print the JSON answer",
			"mwgen api --api https://test.wikipedia.org action=query meta=siteinfo", runAPI},
		{"generate", "generate a typed Go client package for a wiki",
			"mwgen generate --api https://wiki.example.org --out ./wiki --package wiki", runGenerate},
		{"init", "set up a //go:generate line that generates a client package",
			"mwgen init --api https://wiki.example.org/w/api.php --package wiki", runInit},
		{"login", "authorize mwgen with OAuth on a wiki and store the token",
			"mwgen login --api https://wiki.example.org/w/api.php --consumer-key KEY", runLogin},
		{"logout", "remove the OAuth credentials stored for a wiki",
			"mwgen logout --api https://wiki.example.org/w/api.php", runLogout},
		{"schema", "fetch a wiki's API schema, or diff two schemas",
			"mwgen schema fetch --api https://wiki.example.org -o schema.json", runSchema},
		{"shapes", "learn a test wiki's response shapes, or report their coverage",
			"mwgen shapes probe --api http://127.0.0.1:8080/api.php -o shapes.json", runShapes},
		{"version", "print mwgen's version", "mwgen version", runVersion},
		{"whoami", "show who the stored OAuth token acts as on a wiki",
			"mwgen whoami --api https://wiki.example.org/w/api.php", runWhoami},
	}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := env{stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		// As go does: usage on stderr, and a status that says nothing ran.
		usage(stderr)
		return exitError
	}
	switch args[0] {
	case "help", "-h", "--help":
		if len(args) > 1 {
			return run(ctx, []string{args[1], "--help"}, stdin, stdout, stderr)
		}
		usage(stdout)
		return exitOK
	case "--version":
		return runVersion(ctx, e, nil)
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, e, args[1:])
		}
	}
	fmt.Fprintf(stderr, "mwgen: unknown command %q\n\n", args[0])
	usage(stderr)
	return exitError
}

func usage(w io.Writer) {
	fmt.Fprint(w, `mwgen generates typed Go clients for a MediaWiki wiki's Action API.

Usage:
  mwgen <command> [flags]

Commands:
`)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n  %-10s   e.g. %s\n", c.name, c.summary, "", c.example)
	}
	fmt.Fprint(w, `
Run 'mwgen <command> --help' for a command's flags and examples.
`)
}

// newFlags returns a flag set that reports errors instead of exiting, with
// a usage text made of the synopsis, the examples and the flags.
func newFlags(e env, name, synopsis, examples string) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.SortFlags = false
	fs.Usage = func() {
		fmt.Fprintf(e.stdout, "Usage:\n  %s\n\nExamples:\n%s\nFlags:\n%s", synopsis, examples, fs.FlagUsages())
	}
	return fs
}

// parse parses args; done is true when the command must stop with code.
func parse(fs *pflag.FlagSet, args []string) (code int, done bool) {
	err := fs.Parse(args)
	switch {
	case errors.Is(err, pflag.ErrHelp):
		return exitOK, true
	case err != nil:
		fmt.Fprintf(fs.Output(), "mwgen %s: %v (see 'mwgen %s --help')\n", fs.Name(), err, fs.Name())
		return exitError, true
	}
	return exitOK, false
}

// fail prints an error for the command and returns the error status.
func fail(e env, cmd string, err error) int {
	fmt.Fprintf(e.stderr, "mwgen %s: %v\n", cmd, err)
	return exitError
}
