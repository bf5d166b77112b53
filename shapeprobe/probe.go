package shapeprobe

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/mwgen/mwgen/apischema"
)

// Options configure Probe.
type Options struct {
	// API is the api.php URL of a wiki with the trace hook.
	API string
	// SamplesPath is the samples file: appended to as answers come, and
	// read back on a resumed run. Required.
	SamplesPath string
	// User and Password log in (a bot password) before probing, so answers
	// show what an administrator sees. Optional, required for Seed.
	User, Password string
	// Seed runs the seeding script first (on a fresh wiki).
	Seed bool
	// Schema is the wiki's schema; nil fetches it from the wiki.
	Schema *apischema.Schema
	// Progress gets progress lines (stderr in the command); may be nil.
	Progress io.Writer
	// Answered, when set, is called with every answer a planned request
	// takes, as it comes (step 1 is a continued batch); not for the
	// samples a resumed run reads back. Tests decode the answers again
	// with the generated types.
	Answered func(r Request, step int, a *Answer)
}

// Probe seeds (if asked), probes and merges: the whole `mwgen shapes
// probe`. It refuses a wiki without the trace hook before sending anything
// else. On error nothing is returned, but the samples taken so far stay in
// SamplesPath for a resumed run.
func Probe(ctx context.Context, opt Options) (*apischema.Shapes, error) {
	if opt.SamplesPath == "" {
		return nil, errors.New("no samples file given")
	}
	c, err := NewClient(opt.API)
	if err != nil {
		return nil, err
	}
	c.answered = opt.Answered
	if err := c.CheckHook(ctx); err != nil {
		return nil, err
	}
	if opt.User != "" {
		if err := c.Login(ctx, opt.User, opt.Password); err != nil {
			return nil, err
		}
	}
	if opt.Seed {
		if opt.User == "" {
			return nil, errors.New("seeding needs an administrator's login (user and password)")
		}
		start := time.Now()
		if err := Seed(ctx, c, nil); err != nil {
			return nil, err
		}
		progressf(opt.Progress, "shapes: seeded the wiki in %s\n", time.Since(start).Round(time.Millisecond))
	}
	s := opt.Schema
	if s == nil {
		s, err = apischema.Fetch(ctx, opt.API, apischema.FetchOptions{HTTPClient: &http.Client{Jar: c.http.Jar, Timeout: time.Minute}})
		if err != nil {
			return nil, err
		}
	}
	plan := NewPlan(s)
	start := time.Now()
	samples, err := Run(ctx, c, plan, opt.SamplesPath, opt.Progress)
	if err != nil {
		return nil, err
	}
	progressf(opt.Progress, "shapes: %d samples in %s; merging\n", len(samples), time.Since(start).Round(time.Millisecond))
	start = time.Now()
	shapes, err := Merge(s, plan, samples)
	if err != nil {
		return nil, err
	}
	progressf(opt.Progress, "shapes: merged %d module shapes in %s\n", len(shapes.Modules), time.Since(start).Round(time.Millisecond))
	return shapes, nil
}

func progressf(w io.Writer, format string, args ...any) {
	if w != nil {
		fmt.Fprintf(w, format, args...)
	}
}
