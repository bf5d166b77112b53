package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"os"
	"strings"

	"github.com/mwgen/mwgen/apischema"
	"github.com/mwgen/mwgen/runtime"
	"github.com/mwgen/mwgen/runtime/oauth"
)

// Environment variables of `mwgen api`: a bot password (Special:BotPasswords)
// to log in with before the call.
const (
	envBotUser     = "MWGEN_BOT_USER"
	envBotPassword = "MWGEN_BOT_PASSWORD"
)

// defaultAPIUserAgent identifies `mwgen api` when --user-agent is not given
// (the runtime appends mwgen's own product token).
const defaultAPIUserAgent = "mwgen-api-cli"

func runAPI(ctx context.Context, e env, args []string) int {
	fs := newFlags(e, "api", "mwgen api --api URL [--post] [--all] [--schema FILE] action=NAME [key=value ...]", `  # The wiki's name, version and more, as indented JSON:
  mwgen api --api https://test.wikipedia.org/w/api.php action=query meta=siteinfo

  # Every page whose title starts with "Sandbox", following continuation:
  # one JSON document per batch (jq reads them as a stream).
  mwgen api --api URL --all action=query list=allpages apprefix=Sandbox aplimit=max |
    jq -r '.query.allpages[].title'

  # An edit with a bot password: mwgen logs in, and fetches the csrf token
  # the schema says action=edit needs.
  export MWGEN_BOT_USER='MyName@mytool' MWGEN_BOT_PASSWORD='...'
  mwgen api --api URL action=edit title=Sandbox text='Hello, world' summary=test

  # A repeated key is one multi-value parameter (titles=Main Page|Sandbox):
  mwgen api --api URL action=query prop=info titles='Main Page' titles=Sandbox

Every key=value is one API parameter; action is required. The client adds
format=json, formatversion=2 and errorformat=plaintext. Whether the module
must be POSTed and which token it takes come from the embedded MediaWiki
1.39 schema, or --schema FILE; for a module in neither, from the wiki's own
action=paraminfo. A token parameter given on the command line is sent as is.

With MWGEN_BOT_USER and MWGEN_BOT_PASSWORD set (a bot password from
Special:BotPasswords), mwgen logs in first and asserts the login on every
request. Errors go to stderr as one line, with exit status 2.
`)
	api := fs.String("api", "", "the wiki's api.php `URL` (required)")
	post := fs.Bool("post", false, "send a POST even when the module does not need one")
	all := fs.Bool("all", false, "follow continuation, printing one JSON document per batch")
	schemaFile := fs.String("schema", "", "read which modules need tokens or POST from `FILE` instead of the embedded schema")
	userAgent := fs.String("user-agent", defaultAPIUserAgent, "your tool and contact, prepended to mwgen's User-Agent")
	wf := addWikiFlags(fs)
	if code, done := parse(fs, args); done {
		return code
	}
	if *api == "" {
		return fail(e, "api", errors.New("--api is required (the wiki's api.php URL)"))
	}
	action, params, err := parseAPIArgs(fs.Args())
	if err != nil {
		return fail(e, "api", err)
	}
	user, password := os.Getenv(envBotUser), os.Getenv(envBotPassword)
	if (user == "") != (password == "") {
		return fail(e, "api", fmt.Errorf("set both %s and %s to log in, or neither", envBotUser, envBotPassword))
	}
	ctx, cancel := wf.context(ctx) // one deadline for the whole command, retries included
	defer cancel()
	// Nothing below may show the password, whatever an error quotes.
	failAPI := func(err error) int {
		msg := strings.Join(strings.Fields(err.Error()), " ")
		if password != "" {
			msg = strings.ReplaceAll(msg, password, "***")
		}
		return fail(e, "api", errors.New(msg))
	}

	schema, err := loadAPISchema(*schemaFile)
	if err != nil {
		return failAPI(err)
	}
	jar, err := cookiejar.New(nil)
	if err != nil {
		return failAPI(err)
	}
	if *api, err = wf.findAPI(ctx, e, *api, *userAgent); err != nil {
		return failAPI(err)
	}
	hc := &http.Client{Jar: jar} // no timeout of its own: ctx is the one deadline; -v logs through the runtime
	signed := false
	if user == "" {
		// OAuth when the environment or the credential store has a
		// consumer for this wiki (mwgen login); anonymous otherwise.
		if hc, signed, err = oauthClient(ctx, e, *api, *userAgent, hc); err != nil {
			return failAPI(err)
		}
	}
	c, err := runtime.NewClient(*api, runtime.Options{
		HTTPClient: hc,
		UserAgent:  *userAgent,
		AssertUser: user != "" || signed,
		Logger:     wf.logger(e),
	})
	if err != nil {
		return failAPI(err)
	}
	if user != "" {
		// A bot password through action=login: meta=tokens&type=login, then
		// lgname, lgpassword and lgtoken POSTed; the session stays in the jar.
		if err := c.Login(ctx, user, password); err != nil {
			return failAPI(err)
		}
	}

	info, ok := schemaModuleInfo(schema, action)
	if !ok {
		if info, err = fetchModuleInfo(ctx, c, action); err != nil {
			return failAPI(err)
		}
	}
	for _, name := range info.sensitive {
		params.Sensitive(name)
	}
	req := &runtime.Request{Action: action, Params: params, Post: *post || info.mustBePosted}
	if info.tokenType != "" && !params.Has(info.tokenParam) {
		req.TokenType, req.TokenParam = info.tokenType, info.tokenParam
	}

	if !*all {
		resp, err := c.Do(ctx, req)
		if err != nil {
			return failAPI(err)
		}
		if err := printJSON(e, resp.Raw); err != nil {
			return failAPI(err)
		}
		return exitOK
	}
	for resp, err := range c.Continue(ctx, req) {
		if err != nil {
			return failAPI(err)
		}
		if err := printJSON(e, resp.Raw); err != nil {
			return failAPI(err)
		}
	}
	return exitOK
}

// reservedAPIParams are set by the runtime client on every request.
var reservedAPIParams = map[string]string{
	"format":        "json",
	"formatversion": "2",
	"errorformat":   "plaintext",
}

// parseAPIArgs reads key=value arguments into the action and the other
// parameters, in order of first appearance. A repeated key makes one
// multi-value parameter; an empty value is sent empty.
func parseAPIArgs(args []string) (action string, p *runtime.Params, err error) {
	var order []string
	values := map[string][]string{}
	for _, arg := range args {
		key, value, ok := strings.Cut(arg, "=")
		switch {
		case !ok:
			return "", nil, fmt.Errorf("argument %q is not key=value", arg)
		case key == "":
			return "", nil, fmt.Errorf("argument %q has no key before '='", arg)
		}
		if want, ok := reservedAPIParams[key]; ok {
			return "", nil, fmt.Errorf("%s is set by mwgen (%s=%s, with format=json, formatversion=2, errorformat=plaintext); leave it out", key, key, want)
		}
		if _, seen := values[key]; !seen {
			order = append(order, key)
		}
		values[key] = append(values[key], value)
	}
	acts := values["action"]
	switch {
	case len(acts) == 0:
		return "", nil, errors.New("no action: give the module to call as action=NAME, e.g. action=query meta=siteinfo")
	case len(acts) > 1:
		return "", nil, fmt.Errorf("action given %d times (%q): give one", len(acts), acts)
	case acts[0] == "":
		return "", nil, errors.New("action is empty: give the module to call as action=NAME")
	}
	p = new(runtime.Params)
	for _, k := range order {
		if k == "action" {
			continue
		}
		vs := values[k]
		if len(vs) == 1 {
			p.Set(k, vs[0])
		} else {
			p.Set(k, runtime.JoinMulti(vs))
		}
	}
	return acts[0], p, nil
}

// loadAPISchema reads --schema FILE, or the embedded schema.
func loadAPISchema(path string) (*apischema.Schema, error) {
	if path == "" {
		return apischema.Default()
	}
	return apischema.ReadFile(path)
}

// moduleInfo is what `mwgen api` needs to know of a module to call it.
type moduleInfo struct {
	mustBePosted bool
	// tokenType is the token the module takes ("csrf"), tokenParam the wire
	// name of its parameter (prefix + name); both empty when none.
	tokenType, tokenParam string
	// sensitive are the wire names of parameters never to log or put in a
	// URL (passwords, tokens).
	sensitive []string
}

// schemaModuleInfo returns what the schema says of the action module, and
// whether it has the module.
func schemaModuleInfo(s *apischema.Schema, action string) (moduleInfo, bool) {
	m := s.Module(action)
	if m == nil || (m.Group != "" && m.Group != "action") {
		return moduleInfo{}, false
	}
	info := moduleInfo{mustBePosted: m.MustBePosted}
	for _, p := range m.Parameters {
		info.add(m.Prefix, p.Name, p.TokenType, p.Sensitive)
	}
	return info, true
}

func (info *moduleInfo) add(prefix, name, tokenType string, sensitive bool) {
	wire := prefix + name
	if sensitive || tokenType != "" {
		info.sensitive = append(info.sensitive, wire)
	}
	if tokenType != "" && info.tokenType == "" {
		info.tokenType, info.tokenParam = tokenType, wire
	}
}

// fetchModuleInfo asks the wiki about one action module it has and the
// schema has not (an extension's, say): action=paraminfo&modules=ACTION.
// A module the wiki does not know either gets the zero moduleInfo: the call
// itself then reports the wiki's error.
func fetchModuleInfo(ctx context.Context, c *runtime.Client, action string) (moduleInfo, error) {
	if strings.ContainsAny(action, "|+\x1f") {
		return moduleInfo{}, nil
	}
	p := new(runtime.Params)
	p.Set("modules", action)
	p.Set("helpformat", "none")
	resp, err := c.Do(ctx, &runtime.Request{Action: "paraminfo", Params: p})
	if err != nil {
		return moduleInfo{}, fmt.Errorf("reading what action=%s takes (action=paraminfo): %w", action, err)
	}
	var out struct {
		ParamInfo struct {
			Modules []struct {
				Path         string `json:"path"`
				Prefix       string `json:"prefix"`
				MustBePosted bool   `json:"mustbeposted"`
				Missing      bool   `json:"missing"`
				Parameters   []struct {
					Name      string          `json:"name"`
					TokenType json.RawMessage `json:"tokentype"`
					Sensitive bool            `json:"sensitive"`
				} `json:"parameters"`
			} `json:"modules"`
		} `json:"paraminfo"`
	}
	if err := resp.Decode(&out); err != nil {
		return moduleInfo{}, fmt.Errorf("reading what action=%s takes (action=paraminfo): %w", action, err)
	}
	for _, m := range out.ParamInfo.Modules {
		if m.Missing || (m.Path != "" && m.Path != action) {
			continue
		}
		info := moduleInfo{mustBePosted: m.MustBePosted}
		for _, prm := range m.Parameters {
			var tokenType string
			// A string names the type; anything else (false, absent) is none.
			_ = json.Unmarshal(prm.TokenType, &tokenType)
			info.add(m.Prefix, prm.Name, tokenType, prm.Sensitive)
		}
		return info, nil
	}
	return moduleInfo{}, nil
}

// printJSON writes one answer as indented JSON and a newline.
func printJSON(e env, raw json.RawMessage) error {
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		return fmt.Errorf("formatting the answer: %w", err)
	}
	buf.WriteByte('\n')
	if _, err := e.stdout.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("writing the answer: %w", err)
	}
	return nil
}

// oauthClient returns a client that signs with the OAuth credentials the
// environment (MWGEN_CONSUMER_KEY...) or the credential store hold for the
// wiki's host, re-authorizing on the terminal if the token was revoked; or
// base unchanged when there are none.
func oauthClient(ctx context.Context, e env, api, userAgent string, base *http.Client) (*http.Client, bool, error) {
	store, err := oauth.OpenStore("")
	if err != nil {
		return nil, false, err
	}
	host, err := oauth.HostKey(api)
	if err != nil {
		// A bad URL: runtime.NewClient says what is wrong with it.
		return base, false, nil
	}
	res, err := oauth.Lookup(host, store)
	switch {
	case errors.Is(err, oauth.ErrNoCredentials):
		return base, false, nil
	case err != nil:
		return nil, false, err
	case res.Credentials.ConsumerKey == "":
		return base, false, nil
	}
	hc, err := oauth.ClientFromEnvOrStore(ctx, api, oauth.ClientOptions{
		Store:      store,
		Prompter:   &oauth.TerminalPrompter{In: e.stdin, Out: e.stderr},
		HTTPClient: base,
		UserAgent:  userAgent,
	})
	if err != nil {
		return nil, false, err
	}
	return hc, true, nil
}
