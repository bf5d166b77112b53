package runtime

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
)

// Envelope is the part of every answer that is not the module's own: it is
// embedded in every typed answer that generated code declares (and can be
// in hand-written ones), so that one pass over the body decodes the
// warnings, the continuation, batchcomplete, any error, and the module's
// result together:
//
//	type Page struct {
//		Title string `json:"title"`
//	}
//	type AllpagesQuery struct {
//		Allpages []Page `json:"allpages"`
//	}
//	type AllpagesAnswer struct {
//		mw.Envelope
//		Query AllpagesQuery `json:"query"`
//	}
//	var a AllpagesAnswer
//	err := c.DoInto(ctx, req, &a)
//
// A type that embeds Envelope must not have its own fields for the keys
// Envelope decodes: errors, error, warnings, continue, batchcomplete,
// servedby, docref, limits.
type Envelope struct {
	// Warnings are the answer's warnings, in the wiki's order.
	Warnings Warnings `json:"warnings"`
	// Continue holds the "continue" object's members in wire form, as
	// [Response.Continue] does; nil when there is nothing more.
	Continue Continuation `json:"continue"`
	// BatchComplete reports "batchcomplete", as [Response.BatchComplete].
	BatchComplete bool `json:"batchcomplete"`
	// Limits are the limits the wiki used for parameters sent as "max"
	// (see [Max]), by module name: {"allpages": 500}.
	Limits map[string]int `json:"limits"`

	wireError
	raw json.RawMessage
	// sizes are what to make the answer's lists with before it is
	// decoded (see presizeLists); ContinueInto sets them.
	sizes listSizes
}

// wireError is the error part of an answer. Its fields are exported for
// encoding/json only; a typed answer is returned only when they are empty.
type wireError struct {
	Errors   []ErrorEntry `json:"errors"`
	Error    *legacyError `json:"error"`
	ServedBy string       `json:"servedby"`
	DocRef   string       `json:"docref"`
}

// Raw returns the whole JSON body of the answer.
func (e *Envelope) Raw() json.RawMessage { return e.raw }

func (e *Envelope) envelope() *Envelope { return e }

// Answer is a typed answer: a pointer to a struct that embeds [Envelope].
type Answer interface {
	envelope() *Envelope
}

// Warnings are an answer's warnings. They decode from the plaintext form
// (a list of {code, text, module}) and, leniently, from the bc form.
type Warnings []Warning

// UnmarshalJSON implements json.Unmarshaler.
func (w *Warnings) UnmarshalJSON(b []byte) error {
	*w = decodeWarnings(b)
	return nil
}

// Continuation is the "continue" object's members in wire form (see
// [Response.Continue]).
type Continuation map[string]string

// UnmarshalJSON implements json.Unmarshaler.
func (c *Continuation) UnmarshalJSON(b []byte) error {
	// The usual answer has only strings: one map, no JSON values kept on
	// the way. Anything else (numbers, true, null) takes decodeContinue.
	if !bytes.Contains(b, []byte("null")) {
		var m map[string]string
		if json.Unmarshal(b, &m) == nil {
			if len(m) == 0 {
				m = nil
			}
			*c = m
			return nil
		}
	}
	m, err := decodeContinue(b)
	if err != nil {
		return err
	}
	*c = m
	return nil
}

// DoInto sends r like [Client.Do] and decodes the answer into dst, a
// pointer to a struct that embeds [Envelope], in one pass over the body:
// errors, warnings, continuation and the module's result together. dst is
// reset first. On error dst holds nothing useful.
//
// An answer whose result does not match dst's types (a number where dst
// has a string, say) is a *DriftError that says where. With
// [Options.Drift] set, unknown keys are kept in Extra fields and drift is
// reported (see [DriftMode]).
//
// The one pass is encoding/json/v2's (see decodeOptions in the source):
// in about half the CPU of encoding/json, with its results on what wikis
// send (the last of duplicate keys wins, invalid UTF-8 becomes U+FFFD,
// lists merge into what dst holds), and one difference for hand-written
// answer types: JSON keys match field names exactly, as the wiki's keys
// do generated fields, where encoding/json also took other cases. It
// adds about 1 MB to a program; built with the tag mwgen_jsonv1
// (go build -tags mwgen_jsonv1), the runtime decodes with encoding/json
// instead: a smaller program, slower answers, keys matched in any case.
func (c *Client) DoInto(ctx context.Context, r *Request, dst Answer) error {
	if dst == nil || reflect.ValueOf(dst).IsNil() {
		return errors.New("mediawiki: DoInto with a nil answer")
	}
	_, err := c.doRequest(ctx, r, dst)
	return err
}

// decodeTyped is decodeAnswer for a typed answer: one pass over the body
// into dst (unmarshalAnswer), then the envelope's checks.
func decodeTyped(action string, resp *http.Response, body []byte, dst Answer) (*Response, error) {
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
	// Reset dst: a retried request decodes into it again.
	v := reflect.ValueOf(dst).Elem()
	env := dst.envelope()
	sizes := env.sizes
	v.SetZero()
	presizeLists(v, sizes)
	uerr := unmarshalAnswer(trimmed, dst)
	unpresizeLists(v, sizes)
	wenv := envelope{Errors: env.Errors, Error: env.Error, ServedBy: env.ServedBy, DocRef: env.DocRef}
	var drift Drift
	if uerr != nil {
		var ok bool
		if drift, ok = typeDrift(uerr, v.Type()); !ok {
			// Not JSON, or an envelope member of the wrong form.
			return nil, bad(uerr)
		}
		// The decoder stopped at the mismatch, maybe before the error
		// members: read them alone, so that an error answer is the
		// error, whatever else it holds.
		wenv = envelope{}
		if err := json.Unmarshal(trimmed, &wenv); err != nil {
			return nil, bad(err)
		}
	}
	if apiErr := wenv.apiError(resp); apiErr != nil {
		return nil, apiErr
	}
	if resp.StatusCode != http.StatusOK {
		return nil, bad(nil)
	}
	if uerr != nil {
		return nil, &DriftError{Action: action, Drift: []Drift{drift}}
	}
	env.raw = json.RawMessage(trimmed)
	return &Response{
		Raw:           env.raw,
		Warnings:      env.Warnings,
		Continue:      env.Continue,
		BatchComplete: env.BatchComplete,
	}, nil
}
