package gensupport

import (
	"errors"
	"iter"
	"testing"
)

// Part is exported, as generated page parts are: Merge sees exported fields only.
type Part struct{ Cats []string }

type page struct {
	ID    int
	Title string
	Size  int
	*Part
}

type batch struct {
	pages    []page
	complete bool
}

func batches(bs []batch, stopped *int) iter.Seq2[*batch, error] {
	return func(yield func(*batch, error) bool) {
		for i := range bs {
			*stopped = i + 1
			if !yield(&bs[i], nil) {
				return
			}
		}
	}
}

func TestPagesMergesAcrossBatches(t *testing.T) {
	bs := []batch{
		{pages: []page{{ID: 1, Title: "A", Size: 3, Part: &Part{Cats: []string{"x"}}}, {ID: 2, Title: "B", Size: 4}}},
		{pages: []page{{ID: 1, Title: "A", Part: &Part{Cats: []string{"y"}}}, {ID: 2, Title: "B", Part: &Part{Cats: []string{"z"}}}}, complete: true},
		{pages: []page{{Title: "Missing"}}, complete: true},
	}
	var n int
	var got []*page
	for p, err := range Pages(batches(bs, &n), func(b *batch) []page { return b.pages },
		func(b *batch) bool { return b.complete }, func(p *page) string { return PageKey(p.ID, p.Title) }) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, p)
	}
	if len(got) != 3 || got[0].Title != "A" || got[1].Title != "B" || got[2].Title != "Missing" {
		t.Fatalf("got %+v", got)
	}
	if got[0].Size != 3 || len(got[0].Cats) != 2 || got[0].Cats[1] != "y" || got[1].Size != 4 || len(got[1].Cats) != 1 {
		t.Errorf("not merged: %+v %+v", got[0].Part, got[1].Part)
	}
}

func TestPagesYieldsPerCompleteBatchAndStops(t *testing.T) {
	bs := []batch{
		{pages: []page{{ID: 1, Title: "A"}}, complete: true},
		{pages: []page{{ID: 2, Title: "B"}}, complete: true},
		{pages: []page{{ID: 3, Title: "C"}}, complete: true},
	}
	var n int
	for p, err := range Pages(batches(bs, &n), func(b *batch) []page { return b.pages },
		func(b *batch) bool { return b.complete }, func(p *page) string { return PageKey(p.ID, p.Title) }) {
		if err != nil || p.Title != "A" {
			t.Fatalf("%v %v", p, err)
		}
		if n != 1 {
			t.Errorf("the first page came after %d batches, want 1", n)
		}
		break
	}
	if n != 1 {
		t.Errorf("breaking out read %d batches, want 1", n)
	}
}

func TestItemsAndErrors(t *testing.T) {
	boom := errors.New("boom")
	seq := func(yield func([]int, error) bool) {
		if yield([]int{1, 2}, nil) {
			yield(nil, boom)
		}
	}
	var got []int
	var gotErr error
	for v, err := range Items(seq, func(b []int) []int { return b }) {
		if err != nil {
			gotErr = err
			break
		}
		got = append(got, *v)
	}
	if len(got) != 2 || !errors.Is(gotErr, boom) {
		t.Errorf("got %v, %v", got, gotErr)
	}
}

func TestPageKey(t *testing.T) {
	for _, tc := range []struct {
		id    int
		title string
		want  string
	}{{123456789, "A", "#123456789"}, {-1, "", "#-1"}, {0, "Missing", "t:Missing"}} {
		if got := PageKey(tc.id, tc.title); got != tc.want {
			t.Errorf("PageKey(%d, %q) = %q, want %q", tc.id, tc.title, got, tc.want)
		}
	}
}
