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
	o, code, done := parseAPI(e, args)
	if done {
		return code
	}
	return o.run(ctx, e)
}

// apiOpts are mwgen api's parsed and checked arguments.
type apiOpts struct {
	api, schemaFile, userAgent string
	post, all                  bool
	wf                         *wikiFlags // --timeout, -v
	action                     string
	params                     *runtime.Params
	// user and password are a bot password from the environment.
	user, password string
}

const apiExamples = `  # The wiki's name, version and more, as indented JSON:
  mwgen api --api https://test.wikipedia.org/w/api.php action=query meta=siteinfo

  # Every page whose title starts with "Sandbox", following continuation:
  # one JSON document per batch (jq reads them as a stream).
  mwgen api --api URL --all action=query list=allpages apprefix=Sandbox aplimit=max |
    jq -r '.query.allpages[].title'

  # An edit with a bot password: mwgen logs in, and fetches the csrf token
  # the schema says action=edit needs.
  export MWGEN_BOT_USER='MyName@mytool' MWGEN_BOT_PASSWORD='...'
  mwgen api --api URL action=edit title=Sandbox text='Hello, world' summary=test

  # An edit with an owner-only OAuth 2.0 token (no login, no file):
  MWGEN_OAUTH2_TOKEN='eyJ0...' mwgen api --api URL action=edit title=Sandbox text=Hi

  # A repeated key is one multi-value parameter (titles=Main Page|Sandbox):
  mwgen api --api URL action=query prop=info titles='Main Page' titles=Sandbox

Every key=value is one API parameter; action is required. The client adds
format=json, formatversion=2 and errorformat=plaintext. Whether the module
must be POSTed and which token it takes come from the embedded MediaWiki
1.39 schema, or --schema FILE; for a module in neither, from the wiki's own
action=paraminfo. A token parameter given on the command line is sent as is.

With MWGEN_BOT_USER and MWGEN_BOT_PASSWORD set (a bot password from
Special:BotPasswords), mwgen logs in first and asserts the login on every
request. Otherwise OAuth is used when there is a login for the wiki:
MWGEN_OAUTH2_TOKEN, a stored 'mwgen login --oauth2' (its token refreshed
silently, and stored), or OAuth 1.0a's MWGEN_CONSUMER_KEY... or stored
'mwgen login'. Errors go to stderr as one line, with exit status 2.
`

// parseAPI parses and checks api's arguments; done means stop with code.
func parseAPI(e env, args []string) (o *apiOpts, code int, done bool) {
	fs := newFlags(e, "api", "mwgen api --api URL [--post] [--all] [--schema FILE] action=NAME [key=value ...]", apiExamples)
	o = &apiOpts{}
	fs.StringVar(&o.api, "api", "", "the wiki's api.php `URL` (required)")
	fs.BoolVar(&o.post, "post", false, "send a POST even when the module does not need one")
	fs.BoolVar(&o.all, "all", false, "follow continuation, printing one JSON document per batch")
	fs.StringVar(&o.schemaFile, "schema", "", "read which modules need tokens or POST from `FILE` instead of the embedded schema")
	fs.StringVar(&o.userAgent, "user-agent", defaultAPIUserAgent, "your tool and contact, prepended to mwgen's User-Agent")
	o.wf = addWikiFlags(fs)
	if code, done := parse(fs, args); done {
		return nil, code, true
	}
	if o.api == "" {
		return nil, fail(e, "api", errors.New("--api is required (the wiki's api.php URL)")), true
	}
	var err error
	if o.action, o.params, err = parseAPIArgs(fs.Args()); err != nil {
		return nil, fail(e, "api", err), true
	}
	o.user, o.password = os.Getenv(envBotUser), os.Getenv(envBotPassword)
	if (o.user == "") != (o.password == "") {
		return nil, fail(e, "api", fmt.Errorf("set both %s and %s to log in, or neither", envBotUser, envBotPassword)), true
	}
	return o, exitOK, false
}

// run makes the call (or calls, with --all) and prints the answers.
func (o *apiOpts) run(ctx context.Context, e env) int {
	ctx, cancel := o.wf.context(ctx) // one deadline for the whole command, retries included
	defer cancel()
	// Nothing below may show the password, whatever an error quotes.
	failAPI := func(err error) int {
		msg := strings.Join(strings.Fields(err.Error()), " ")
		if o.password != "" {
			msg = strings.ReplaceAll(msg, o.password, "***")
		}
		return fail(e, "api", errors.New(msg))
	}
	c, err := o.client(ctx, e)
	if err != nil {
		return failAPI(err)
	}
	req, err := o.request(ctx, c)
	if err != nil {
		return failAPI(err)
	}
	if !o.all {
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

// client returns the API client: logged in with the bot password, or
// authorized with OAuth, or anonymous.
func (o *apiOpts) client(ctx context.Context, e env) (*runtime.Client, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, err
	}
	if o.api, err = o.wf.findAPI(ctx, e, o.api, o.userAgent); err != nil {
		return nil, err
	}
	hc := &http.Client{Jar: jar} // no timeout of its own: ctx is the one deadline; -v logs through the runtime
	signed := false
	if o.user == "" {
		// OAuth when the environment or the credential store has a
		// login for this wiki (mwgen login); anonymous otherwise.
		if hc, signed, err = oauthClient(ctx, e, o.api, o.userAgent, hc); err != nil {
			return nil, err
		}
	}
	c, err := runtime.NewClient(o.api, runtime.Options{
		HTTPClient: hc,
		UserAgent:  o.userAgent,
		AssertUser: o.user != "" || signed,
		Logger:     o.wf.logger(e),
	})
	if err != nil {
		return nil, err
	}
	if o.user != "" {
		// A bot password through action=login: meta=tokens&type=login, then
		// lgname, lgpassword and lgtoken POSTed; the session stays in the jar.
		if err := c.Login(ctx, o.user, o.password); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// request builds the call: POST and the token as the schema (or the
// wiki's paraminfo) says.
func (o *apiOpts) request(ctx context.Context, c *runtime.Client) (*runtime.Request, error) {
	schema, err := loadAPISchema(o.schemaFile)
	if err != nil {
		return nil, err
	}
	info, ok := schemaModuleInfo(schema, o.action)
	if !ok {
		if info, err = fetchModuleInfo(ctx, c, o.action); err != nil {
			return nil, err
		}
	}
	for _, name := range info.sensitive {
		o.params.Sensitive(name)
	}
	req := &runtime.Request{Action: o.action, Params: o.params, Post: o.post || info.mustBePosted}
	if info.tokenType != "" && !o.params.Has(info.tokenParam) {
		req.TokenType, req.TokenParam = info.tokenType, info.tokenParam
	}
	return req, nil
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

// oauthClient returns a client that sends the OAuth credentials the
// environment or the credential store hold for the wiki's host: OAuth 2.0
// (MWGEN_OAUTH2_TOKEN, or a stored login whose token is refreshed silently)
// first, else OAuth 1.0a (MWGEN_CONSUMER_KEY..., or a stored login),
// authorizing again on the terminal if the token was revoked; or base
// unchanged when there are none.
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
	prompter := &oauth.TerminalPrompter{In: e.stdin, Out: e.stderr}
	if r, ok, err := oauth.LookupOAuth2(host, store); err != nil {
		return nil, false, err
	} else if ok {
		hc, _, err := oauth.OAuth2ClientFor(api, r, oauth.ClientOptions{Store: store, Prompter: prompter, HTTPClient: base, UserAgent: userAgent})
		if err != nil {
			return nil, false, err
		}
		return hc, true, nil
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
		Prompter:   prompter,
		HTTPClient: base,
		UserAgent:  userAgent,
	})
	if err != nil {
		return nil, false, err
	}
	return hc, true, nil
}
