package runtime

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"sync"
)

// Response is one decoded API answer that is not an error.
type Response struct {
	// Raw is the whole JSON body.
	Raw json.RawMessage
	// Warnings are the answer's warnings, in the wiki's order.
	Warnings []Warning
	// Continue holds the "continue" object's members, to be sent with the
	// next request to get the next batch (see [Client.Continue]); nil when
	// there is nothing more. Strings are kept as they are, numbers and
	// other JSON values as their JSON text, true as "1"; false and null
	// members are dropped (a boolean is sent by presence).
	Continue map[string]string
	// BatchComplete reports "batchcomplete": all data for the current batch
	// of pages has been returned (later requests only continue generator
	// or other lists).
	BatchComplete bool

	membersOnce sync.Once
	members     map[string]json.RawMessage
}

// Warning is one warning of an answer.
type Warning struct {
	// Code is the machine-readable code, e.g. "deprecation" or
	// "unrecognizedparams".
	Code string `json:"code"`
	// Text is the human-readable message.
	Text string `json:"text"`
	// Module is the module path that raised it, e.g. "query+allpages".
	Module string `json:"module"`
}

// String returns "module: code: text".
func (w Warning) String() string {
	return Problem{Module: w.Module, Param: w.Code, Message: w.Text}.String()
}

// Decode unmarshals the whole body into v (a pointer), like
// json.Unmarshal(r.Raw, v).
//
//	var out struct {
//		Query struct {
//			AllPages []struct{ Title string `json:"title"` } `json:"allpages"`
//		} `json:"query"`
//	}
//	if err := resp.Decode(&out); err != nil { ... }
func (r *Response) Decode(v any) error {
	if err := json.Unmarshal(r.Raw, v); err != nil {
		return fmt.Errorf("mediawiki: decoding the answer: %w", err)
	}
	return nil
}

// Get returns the top-level member key of the body (e.g. "query", "edit",
// "parse"), or nil when absent.
func (r *Response) Get(key string) json.RawMessage {
	r.membersOnce.Do(func() {
		// Raw was checked to be a JSON object when the answer was decoded.
		_ = json.Unmarshal(r.Raw, &r.members)
	})
	return r.members[key]
}

// envelope is the part of an answer every module shares.
type envelope struct {
	Errors        []ErrorEntry    `json:"errors"`
	Error         *legacyError    `json:"error"`
	Warnings      json.RawMessage `json:"warnings"`
	Continue      json.RawMessage `json:"continue"`
	BatchComplete json.RawMessage `json:"batchcomplete"`
	ServedBy      string          `json:"servedby"`
	DocRef        string          `json:"docref"`
}

// legacyError is the "error" object of errorformat=bc.
type legacyError struct {
	Code   string `json:"code"`
	Info   string `json:"info"`
	Module string `json:"module"`
	DocRef string `json:"*"`
}

// decodeAnswer turns an HTTP answer into a Response or an error: an
// *APIError for error answers, a *ResponseError for anything that is not a
// JSON API answer.
func decodeAnswer(action string, resp *http.Response, body []byte) (*Response, error) {
	bad := func(err error) *ResponseError {
		return &ResponseError{
			Action:      action,
			StatusCode:  resp.StatusCode,
			Status:      statusText(resp),
			ContentType: resp.Header.Get("Content-Type"),
			Excerpt:     excerpt(body),
			Err:         err,
		}
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, bad(nil)
	}
	var env envelope
	if err := json.Unmarshal(trimmed, &env); err != nil {
		return nil, bad(err)
	}
	if apiErr := env.apiError(resp); apiErr != nil {
		return nil, apiErr
	}
	if resp.StatusCode != http.StatusOK {
		return nil, bad(nil)
	}
	r := &Response{Raw: json.RawMessage(trimmed)}
	r.Warnings = decodeWarnings(env.Warnings)
	var err error
	if r.Continue, err = decodeContinue(env.Continue); err != nil {
		return nil, bad(err)
	}
	r.BatchComplete = len(env.BatchComplete) > 0 &&
		!bytes.Equal(env.BatchComplete, []byte("false")) &&
		!bytes.Equal(env.BatchComplete, []byte("null"))
	return r, nil
}

// apiError returns the answer's error, or nil.
func (env *envelope) apiError(resp *http.Response) *APIError {
	e := &APIError{HTTPStatus: resp.StatusCode, ServedBy: env.ServedBy, DocRef: env.DocRef}
	switch {
	case len(env.Errors) > 0:
		e.All = env.Errors
	case env.Error != nil:
		if e.DocRef == "" {
			e.DocRef = env.Error.DocRef
		}
		e.All = []ErrorEntry{{Code: env.Error.Code, Text: env.Error.Info, Module: env.Error.Module}}
	case resp.Header.Get("MediaWiki-API-Error") != "":
		// The header without a body error: trust the header.
		e.All = []ErrorEntry{{Code: resp.Header.Get("MediaWiki-API-Error")}}
	default:
		return nil
	}
	first := e.All[0]
	e.Code, e.Text, e.Module = first.Code, first.Text, first.Module
	if e.Code == "" {
		e.Code = resp.Header.Get("MediaWiki-API-Error")
	}
	return e
}

// decodeWarnings reads the plaintext form ([{code, text, module}]) and,
// leniently, the bc form ({"module": {"warnings": "text"}}).
func decodeWarnings(raw json.RawMessage) []Warning {
	if len(raw) == 0 {
		return nil
	}
	var list []Warning
	if json.Unmarshal(raw, &list) == nil {
		return list
	}
	var byModule map[string]map[string]any
	if json.Unmarshal(raw, &byModule) != nil {
		return nil
	}
	modules := make([]string, 0, len(byModule))
	for m := range byModule {
		modules = append(modules, m)
	}
	slices.Sort(modules)
	for _, m := range modules {
		for _, k := range []string{"warnings", "*"} {
			if s, ok := byModule[m][k].(string); ok {
				list = append(list, Warning{Module: m, Text: s})
			}
		}
	}
	return list
}

// decodeContinue flattens the "continue" object into wire values.
func decodeContinue(raw json.RawMessage) (map[string]string, error) {
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, nil
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(raw, &members); err != nil {
		return nil, fmt.Errorf("continue: %w", err)
	}
	if len(members) == 0 {
		return nil, nil
	}
	out := make(map[string]string, len(members))
	for k, v := range members {
		switch {
		case len(v) > 0 && v[0] == '"':
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				return nil, fmt.Errorf("continue.%s: %w", k, err)
			}
			out[k] = s
		case string(v) == "true":
			out[k] = "1"
		case string(v) == "false" || string(v) == "null":
		default:
			out[k] = string(v)
		}
	}
	return out, nil
}

func statusText(resp *http.Response) string {
	if resp.Status != "" {
		return resp.Status
	}
	return strconv.Itoa(resp.StatusCode) + " " + http.StatusText(resp.StatusCode)
}
