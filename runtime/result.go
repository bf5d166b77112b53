package runtime

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// ResultError is an answer that fails inside a success: the wiki answered
// without an API error, but the module's result says the action did not
// happen. login's "Failed", "Aborted" and "WrongToken"; clientlogin's and
// createaccount's "FAIL"; edit's "Failure" (a captcha to solve, or a hook
// that stopped the edit with data); upload's "Warning"; emailuser's
// "Failure". Which values fail is the shapes overlay's word (its "fails").
//
// A generated method that returns a ResultError returns the typed answer
// beside it, so that the payload (the captcha, the upload warnings) is at
// hand:
//
//	res, err := c.Edit(ctx, p)
//	var re *runtime.ResultError
//	if errors.As(err, &re) && res.Captcha != nil { ... ask res.Captcha.Question ... }
type ResultError struct {
	// Action is the module, e.g. "login".
	Action string
	// Field is the key of the result, "result" or "status".
	Field string
	// Value is the result, e.g. "Failed".
	Value string
	// Code is the machine-readable reason when the answer has one: login's
	// reason code ("wrongpassword"), clientlogin's messagecode, the first
	// error code of emailuser, or for upload the warning names
	// ("exists,duplicate").
	Code string
	// Message is the wiki's human-readable reason, when the answer has one.
	Message string
}

// Error returns e.g. `mediawiki: action=login: result Failed: Incorrect
// username or password entered. Please try again. (wrongpassword)`.
func (e *ResultError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "mediawiki: action=%s: %s %s", e.Action, e.Field, e.Value)
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.Code != "" {
		fmt.Fprintf(&b, " (%s)", e.Code)
	}
	return b.String()
}

// NewResultError makes the ResultError of an answer whose member action
// has field set to value; body is the whole answer (Raw of a typed
// answer), from which the reason is read: "reason" (login), "message" and
// "messagecode" (clientlogin, createaccount), "errors" (emailuser),
// "warnings" (upload's names). Generated code calls it; the body is read
// again only on this failure path.
func NewResultError(action, field, value string, body json.RawMessage) *ResultError {
	e := &ResultError{Action: action, Field: field, Value: value}
	var root map[string]json.RawMessage
	if json.Unmarshal(body, &root) != nil {
		return e
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(root[action], &m) != nil {
		return e
	}
	if r, ok := m["reason"]; ok {
		e.Code, e.Message = loginReason(r)
	}
	if r, ok := m["message"]; ok {
		_, e.Message = loginReason(r)
	}
	if r, ok := m["messagecode"]; ok {
		_ = json.Unmarshal(r, &e.Code)
	}
	if r, ok := m["errors"]; ok && e.Message == "" {
		var errs []ErrorEntry
		if json.Unmarshal(r, &errs) == nil && len(errs) > 0 {
			e.Code, e.Message = errs[0].Code, errs[0].Text
		}
	}
	if r, ok := m["warnings"]; ok && e.Code == "" && len(bytes.TrimSpace(r)) > 0 && bytes.TrimSpace(r)[0] == '{' {
		var w map[string]json.RawMessage
		if json.Unmarshal(r, &w) == nil {
			names := make([]string, 0, len(w))
			for k := range w {
				names = append(names, k)
			}
			slices.Sort(names)
			e.Code = strings.Join(names, ",")
		}
	}
	return e
}

// AbuseFilterHit is the data of an abusefilter-disallowed or
// abusefilter-warning error (Extension:AbuseFilter): the filter that
// matched an edit, a move, an upload... In MediaWiki 1.39 these come as API
// errors, not as a "Failure" result.
type AbuseFilterHit struct {
	// ID is the filter's id: a number, or "global-N" for a global filter.
	ID string
	// Description is the filter's public description.
	Description string
	// Actions are the actions the filter took: "disallow", "warn", "tag"...
	Actions []string
	// Warning reports the code abusefilter-warning: the filter only warns,
	// and the same action sent again goes through.
	Warning bool
}

// AbuseFilter returns the filter hit an error entry reports, or nil when
// no entry of e has the code abusefilter-disallowed or abusefilter-warning.
func (e *APIError) AbuseFilter() *AbuseFilterHit {
	for _, ent := range e.entries() {
		if ent.Code != "abusefilter-disallowed" && ent.Code != "abusefilter-warning" {
			continue
		}
		var d struct {
			AbuseFilter struct {
				ID          json.RawMessage `json:"id"`
				Description string          `json:"description"`
				Actions     []string        `json:"actions"`
			} `json:"abusefilter"`
		}
		h := &AbuseFilterHit{Warning: ent.Code == "abusefilter-warning"}
		if json.Unmarshal(ent.Data, &d) == nil {
			h.ID = strings.Trim(string(bytes.TrimSpace(d.AbuseFilter.ID)), `"`)
			h.Description, h.Actions = d.AbuseFilter.Description, d.AbuseFilter.Actions
		}
		return h
	}
	return nil
}

// SpamBlacklist returns the blacklisted URLs a spamblacklist error
// (Extension:SpamBlacklist) reports, or nil when no entry of e has that
// code. In MediaWiki 1.39 it comes as an API error, not as a "Failure"
// result.
func (e *APIError) SpamBlacklist() []string {
	for _, ent := range e.entries() {
		if ent.Code != "spamblacklist" {
			continue
		}
		var d struct {
			SpamBlacklist struct {
				Matches []string `json:"matches"`
			} `json:"spamblacklist"`
		}
		_ = json.Unmarshal(ent.Data, &d)
		if d.SpamBlacklist.Matches == nil {
			return []string{}
		}
		return d.SpamBlacklist.Matches
	}
	return nil
}

// entries are e's error entries, the first one alone when All is empty.
func (e *APIError) entries() []ErrorEntry {
	if len(e.All) > 0 {
		return e.All
	}
	return []ErrorEntry{{Code: e.Code, Text: e.Text, Module: e.Module}}
}
