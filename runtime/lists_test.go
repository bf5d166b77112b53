package runtime

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"unsafe"
)

type listsAnswer struct {
	Envelope
	Query struct {
		Pages    []testPage               `json:"pages"`
		Allpages []struct{ Title string } `json:"allpages"`
		Gone     []int                    `json:"gone"`
		Empty    []int                    `json:"empty"`
		Null     []int                    `json:"null"`
		Blob     byteList                 `json:"blob"`
		Skipped  []int                    `json:"-"`
	} `json:"query"`
}

// byteList is a []byte, which encoding/json decodes from base64, not as a
// list.
type byteList []byte

func TestListFields(t *testing.T) {
	var names []string
	rt := reflect.TypeFor[listsAnswer]()
	for _, idx := range listFields(rt) {
		names = append(names, rt.FieldByIndex(idx).Name)
	}
	// Envelope's Errors (in wireError) is a list too; Warnings decodes
	// itself, Blob is bytes, Skipped is not decoded.
	if got, want := strings.Join(names, ","), "Errors,Pages,Allpages,Gone,Empty,Null"; got != want {
		t.Errorf("list fields %s, want %s", got, want)
	}
}

// TestContinueIntoPresizes: the second batch's lists are made with the
// first batch's lengths, and what the second batch lacks stays nil (and an
// empty or null list decodes as without presizing).
func TestContinueIntoPresizes(t *testing.T) {
	c, _ := newFake(t, Options{}, func(s seen, w http.ResponseWriter) {
		if s.Params.Get("apcontinue") == "" {
			jsonAnswer(w, `{"continue":{"apcontinue":"C","continue":"-||"},"query":{"pages":[{"pageid":1,"title":"A"},{"pageid":2,"title":"B"}],
"allpages":[{"Title":"A"},{"Title":"B"},{"Title":"C"}],"gone":[1,2],"empty":[1],"null":[1]}}`)
			return
		}
		jsonAnswer(w, `{"batchcomplete":true,"query":{"pages":[{"pageid":3,"title":"C","revisions":[{"revid":9}]}],"empty":[],"null":null}}`)
	})
	var batches []*listsAnswer
	for a, err := range ContinueInto(ctx(t), c, &Request{Action: "query"}, func() *listsAnswer { return new(listsAnswer) }) {
		if err != nil {
			t.Fatal(err)
		}
		batches = append(batches, a)
	}
	if len(batches) != 2 {
		t.Fatalf("%d batches, want 2", len(batches))
	}
	q := batches[1].Query
	if len(q.Pages) != 1 || cap(q.Pages) != 2 || q.Pages[0].Title != "C" || q.Pages[0].TestRevisionsPart == nil || q.Pages[0].Revisions[0].RevID != 9 {
		t.Errorf("second batch's pages: %+v (cap %d), want C alone, made for 2", q.Pages, cap(q.Pages))
	}
	if q.Allpages != nil || q.Gone != nil {
		t.Errorf("absent lists must stay nil: allpages %#v, gone %#v", q.Allpages, q.Gone)
	}
	if q.Empty == nil || len(q.Empty) != 0 {
		t.Errorf("[] must decode as an empty list: %#v", q.Empty)
	}
	if q.Null != nil {
		t.Errorf("null must decode as nil: %#v", q.Null)
	}
	if first := batches[0].Query; len(first.Pages) != 2 || first.Pages[1].Title != "B" || len(first.Allpages) != 3 {
		t.Errorf("first batch changed: %+v", first)
	}
}

// TestContinueIntoPresizesParts: pages after the first batch are decoded
// into parts made for them (one slab per part the last batch's pages had),
// and a page without a part's keys still has that part nil; pages beyond
// the last batch's count, and a part the last batch did not have, come as
// without presizing.
func TestContinueIntoPresizesParts(t *testing.T) {
	bodies := []string{
		`{"continue":{"gapcontinue":"C","continue":"gapcontinue||"},"query":{"pages":[
{"pageid":1,"title":"A","revisions":[{"revid":1}]},{"pageid":2,"title":"B","revisions":[{"revid":2}]},
{"pageid":9,"title":"Z","revisions":null}]}}`,
		`{"continue":{"gapcontinue":"F","continue":"gapcontinue||"},"query":{"pages":[
{"pageid":3,"title":"C","revisions":[{"revid":3}]},{"title":"D","missing":true},{"pageid":5,"title":"E","revisions":[{"revid":5},{"revid":6}]}]}}`,
		`{"batchcomplete":true,"query":{"pages":[{"pageid":7,"title":"F","revisions":[]}]}}`,
	}
	c, _ := newFake(t, Options{}, func(s seen, w http.ResponseWriter) {
		switch s.Params.Get("gapcontinue") {
		case "":
			jsonAnswer(w, bodies[0])
		case "C":
			jsonAnswer(w, bodies[1])
		default:
			jsonAnswer(w, bodies[2])
		}
	})
	var got []string
	for a, err := range ContinueInto(ctx(t), c, &Request{Action: "query"}, func() *listsAnswer { return new(listsAnswer) }) {
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range a.Query.Pages {
			if p.TestRevisionsPart == nil {
				got = append(got, p.Title+":nil")
				continue
			}
			var ids []string
			for _, r := range p.Revisions {
				ids = append(ids, fmt.Sprint(r.RevID))
			}
			got = append(got, p.Title+":"+strings.Join(ids, ","))
		}
	}
	// Z's part came with zero values only: nil in the first batch too
	// (which is not presized), as it would be in a later one.
	want := "A:1 B:2 Z:nil C:3 D:nil E:5,6 F:"
	if strings.Join(got, " ") != want {
		t.Errorf("pages %s, want %s", strings.Join(got, " "), want)
	}
}

// TestContinueIntoWindows: after a batch whose pages had one revision
// each, the next batch's pages get their revisions list made with room for
// one, all in one slab; what each page then holds is what decoding its
// batch alone gives (an absent list nil, [] empty, null nil, two
// revisions two), and the part of a page without revisions is nil.
func TestContinueIntoWindows(t *testing.T) {
	second := `{"batchcomplete":true,"query":{"pages":[
{"pageid":4,"title":"D","revisions":[{"revid":4}]},{"pageid":5,"title":"E","revisions":[]},
{"pageid":10,"title":"I","revisions":[{"revid":10}]},{"title":"F","missing":true},
{"pageid":7,"title":"G","revisions":null},{"pageid":8,"title":"H","revisions":[{"revid":8},{"revid":9}]}]}}`
	c, _ := newFake(t, Options{}, func(s seen, w http.ResponseWriter) {
		if s.Params.Get("gapcontinue") == "" {
			jsonAnswer(w, `{"continue":{"gapcontinue":"D","continue":"gapcontinue||"},"query":{"pages":[
{"pageid":1,"title":"A","revisions":[{"revid":1}]},{"pageid":2,"title":"B","revisions":[{"revid":2}]},
{"pageid":3,"title":"C","revisions":[{"revid":3}]},{"title":"Z","missing":true}]}}`)
			return
		}
		jsonAnswer(w, second)
	})
	var batches []*listsAnswer
	for a, err := range ContinueInto(ctx(t), c, &Request{Action: "query"}, func() *listsAnswer { return new(listsAnswer) }) {
		if err != nil {
			t.Fatal(err)
		}
		batches = append(batches, a)
	}
	if len(batches) != 2 {
		t.Fatalf("%d batches, want 2", len(batches))
	}
	var alone listsAnswer
	p := &Params{}
	p.Set("gapcontinue", "D")
	if err := c.DoInto(ctx(t), &Request{Action: "query", Params: p}, &alone); err != nil {
		t.Fatal(err)
	}
	got, want := batches[1].Query.Pages, alone.Query.Pages
	if len(got) != len(want) {
		t.Fatalf("%d pages, want %d", len(got), len(want))
	}
	for k := range want {
		if !reflect.DeepEqual(got[k], want[k]) {
			t.Errorf("page %d: %#v (part %+v), decoded alone %#v (part %+v)", k, got[k], got[k].TestRevisionsPart, want[k], want[k].TestRevisionsPart)
		}
	}
	// The first batch had 4 pages: D, E, I and F get windows, G and H
	// (beyond) are decoded as without them.
	if d, i := got[0].Revisions, got[2].Revisions; cap(d) != 1 || cap(i) != 1 ||
		uintptr(unsafe.Pointer(&i[0]))-uintptr(unsafe.Pointer(&d[0])) != 2*unsafe.Sizeof(d[0]) {
		t.Errorf("D's and I's revisions (cap %d, %d) are not windows of one slab", cap(d), cap(i))
	}
	if e := got[1]; e.TestRevisionsPart == nil || e.Revisions == nil || len(e.Revisions) != 0 {
		t.Errorf("E's [] must stay an empty list: %#v", e.TestRevisionsPart)
	}
	if got[3].TestRevisionsPart != nil || got[4].TestRevisionsPart != nil {
		t.Errorf("F (missing) and G (null) must have no revisions part: %+v, %+v", got[3].TestRevisionsPart, got[4].TestRevisionsPart)
	}
}

func TestPartsOf(t *testing.T) {
	type el struct {
		*TestRevisionsPart
		*TestOtherPart
		Own *TestOtherPart
	}
	if pf := partFields(reflect.TypeFor[el]()); fmt.Sprint(pf) != "[0 1]" {
		t.Errorf("partFields %v, want [0 1]: embedded pointers to exported structs only", pf)
	}
	list := make([]el, 40)
	list[38].TestOtherPart = &TestOtherPart{} // partsOf samples every other of 40
	if bits := partsOf(reflect.ValueOf(list)); bits != 0b10 {
		t.Errorf("partsOf = %b, want 10", bits)
	}
}

// TestOtherPart is a second part for TestPartsOf.
type TestOtherPart struct{ N int }

func TestContinuationDecode(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{"continue":{"apcontinue":"B","continue":"-||"}}`, "map[apcontinue:B continue:-||]"},
		{`{"continue":{"sroffset":10,"continue":"-||"}}`, "map[continue:-|| sroffset:10]"},
		{`{"continue":{"x":true,"y":false,"z":null,"s":"null"}}`, "map[s:null x:1]"},
		{`{"continue":{}}`, "map[]"},
		{`{"continue":null}`, "map[]"},
	} {
		var e Envelope
		if err := json.Unmarshal([]byte(tc.in), &e); err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		if got := fmt.Sprint(map[string]string(e.Continue)); got != tc.want {
			t.Errorf("%s: continue %s, want %s", tc.in, got, tc.want)
		}
		if len(e.Continue) == 0 && e.Continue != nil {
			t.Errorf("%s: an empty continue must be nil", tc.in)
		}
	}
}

// chunky is a body that comes a few bytes a Read.
type chunky struct{ r io.Reader }

func (c chunky) Read(p []byte) (int, error) { return c.r.Read(p[:min(len(p), 7)]) }

func TestReadBody(t *testing.T) {
	c, err := NewClient("http://wiki.invalid/w/api.php", Options{UserAgent: "t"})
	if err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte("0123456789"), minBody/5) // twice the first buffer
	for _, body := range [][]byte{nil, []byte(`{"a":1}`), big, []byte(`{"small":"after big"}`)} {
		for _, length := range []int64{-1, int64(len(body))} {
			for range 2 { // a second time with the hint of the first
				resp := &http.Response{ContentLength: length, Body: io.NopCloser(chunky{bytes.NewReader(body)})}
				got, err := c.readBody(resp)
				if err != nil || !bytes.Equal(got, body) {
					t.Fatalf("length %d: read %d bytes (%v), want %d", length, len(got), err, len(body))
				}
				if length < 0 && cap(got) > len(got)+len(got)/8+maxSlack {
					t.Errorf("unknown length: cap %d for %d bytes, want the length and a little slack", cap(got), len(got))
				}
			}
		}
	}
	// An answer of about the last one's length is read into one buffer:
	// the one readBody made, not grown.
	c.readBody(&http.Response{ContentLength: -1, Body: io.NopCloser(bytes.NewReader(big))})
	next := append(bytes.Clone(big), "and a few bytes more"...)
	got, _ := c.readBody(&http.Response{ContentLength: -1, Body: io.NopCloser(chunky{bytes.NewReader(next)})})
	if want := len(big) + len(big)/16 + maxSlack/2; cap(got) != want {
		t.Errorf("after %d bytes, %d bytes were read into a buffer of %d, want %d (the hint's)", len(big), len(got), cap(got), want)
	}
	// A body kept is the caller's: reading the next one must not change it.
	first, _ := c.readBody(&http.Response{ContentLength: -1, Body: io.NopCloser(strings.NewReader("first"))})
	c.readBody(&http.Response{ContentLength: -1, Body: io.NopCloser(strings.NewReader("second"))})
	if string(first) != "first" {
		t.Errorf("the first body became %q", first)
	}
}
