package shapeprobe

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"time"
)

// LoadSamples reads a samples file (one JSON Sample a line). A last line
// cut short by an interrupted run is dropped; size is the length of the
// valid part, to which a resumed run truncates the file. A bad line
// elsewhere is an error.
func LoadSamples(path string) (samples []Sample, size int64, err error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, err
	}
	for n := 1; len(data) > 0; n++ {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			// An unterminated last line: an interrupted write.
			break
		}
		var s Sample
		if err := json.Unmarshal(data[:i], &s); err != nil {
			return nil, 0, fmt.Errorf("%s: line %d: not a sample: %w", path, n, err)
		}
		if s.Trace != nil {
			if _, err := ParseTrace(s.Trace); err != nil {
				return nil, 0, fmt.Errorf("%s: line %d: %w", path, n, err)
			}
		}
		samples = append(samples, s)
		size += int64(i + 1)
		data = data[i+1:]
	}
	return samples, size, nil
}

// Run sends the plan's requests that samplesPath does not hold yet, appends
// each answer to it as it comes (so an interrupted run loses nothing and a
// second run resumes), and returns every sample of the file. progress, if
// not nil, gets a line per module: modules done of total, requests,
// elapsed, and an estimate of the time left.
func Run(ctx context.Context, c *Client, plan *Plan, samplesPath string, progress io.Writer) ([]Sample, error) {
	if err := c.CheckHook(ctx); err != nil {
		return nil, err
	}
	samples, size, err := LoadSamples(samplesPath)
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(samplesPath, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		return nil, err
	}
	if _, err := f.Seek(size, io.SeekStart); err != nil {
		return nil, err
	}
	w := bufio.NewWriter(f)

	done := map[string]bool{}
	for _, s := range samples {
		done[s.Key] = true
	}
	todo := 0
	for _, r := range plan.Requests {
		if !done[r.Key()] {
			todo++
		}
	}
	modules := plan.Modules()
	remaining := map[string]int{}
	for _, r := range plan.Requests {
		if !done[r.Key()] {
			remaining[r.Module]++
		}
	}
	modsDone := 0
	for _, m := range modules {
		if remaining[m] == 0 {
			modsDone++
		}
	}
	start := time.Now()
	sent := 0
	var anon *Client // a client without the login, made on first use
	report := func() {
		if progress == nil {
			return
		}
		el := time.Since(start).Round(time.Second)
		left := "?"
		if sent > 0 {
			left = (time.Duration(float64(time.Since(start)) / float64(sent) * float64(todo-sent))).Round(time.Second).String()
		}
		fmt.Fprintf(progress, "shapes: %d/%d modules, %d/%d requests, %s elapsed, ~%s left\n",
			modsDone, len(modules), sent, todo, el, left)
	}
	if len(samples) > 0 && progress != nil {
		fmt.Fprintf(progress, "shapes: resuming with %d samples from %s\n", len(samples), samplesPath)
	}
	for _, r := range plan.Requests {
		if done[r.Key()] {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, errors.Join(err, w.Flush())
		}
		tc := c
		if r.Anon {
			if anon == nil {
				if anon, err = NewClient(c.api); err != nil {
					return nil, err
				}
			}
			tc = anon
			anon.answered = c.answered
		}
		got, err := tc.take(ctx, r)
		if err != nil {
			return nil, errors.Join(fmt.Errorf("%s: %w", r.Module, err), w.Flush())
		}
		// The samples of one request go in together, so a resumed run never
		// sees half of a continuation.
		for _, s := range got {
			line, err := json.Marshal(s)
			if err != nil {
				return nil, err
			}
			w.Write(line)
			w.WriteByte('\n')
		}
		if err := w.Flush(); err != nil {
			return nil, fmt.Errorf("writing %s: %w", samplesPath, err)
		}
		samples = append(samples, got...)
		sent++
		done[r.Key()] = true
		remaining[r.Module]--
		if remaining[r.Module] == 0 {
			modsDone++
			if modsDone%10 == 0 || modsDone == len(modules) {
				report()
			}
		}
	}
	return samples, nil
}

// take sends one planned request (and its continuation) and returns its
// samples.
func (c *Client) take(ctx context.Context, r Request) ([]Sample, error) {
	mk := func(step int, a *Answer) Sample {
		if c.answered != nil {
			c.answered(r, step, a)
		}
		s := Sample{Key: r.Key(), Module: r.Module, Role: r.Role, Alone: r.Alone, Tags: r.Tags, Step: step}
		if a.ErrorCode != "" || a.Trace == nil {
			s.Error = a.ErrorCode
			if s.Error == "" {
				s.Error = "no-trace"
			}
			return s
		}
		s.Trace = a.Trace
		return s
	}
	var a *Answer
	var err error
	if r.Post {
		q := url.Values{}
		for k, v := range r.Params {
			q[k] = v
		}
		if r.Token != "" {
			tok, err := c.Token(ctx, r.TokenType)
			if err != nil {
				return nil, err
			}
			q.Set(r.Token, tok)
		}
		a, err = c.Post(ctx, q)
	} else {
		a, err = c.Get(ctx, r.Params)
	}
	if err != nil {
		return nil, err
	}
	out := []Sample{mk(0, a)}
	if !r.Continue || a.ErrorCode != "" {
		return out, nil
	}
	var body struct {
		Continue map[string]json.RawMessage `json:"continue"`
	}
	if err := json.Unmarshal(a.Body, &body); err != nil || len(body.Continue) == 0 {
		return out, nil
	}
	next := url.Values{}
	for k, v := range r.Params {
		next[k] = v
	}
	for k, raw := range body.Continue {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			s = string(raw)
		}
		next.Set(k, s)
	}
	a, err = c.Get(ctx, next)
	if err != nil {
		return nil, err
	}
	return append(out, mk(1, a)), nil
}
