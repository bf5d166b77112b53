package runtime

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mwgen/mwgen/internal/testwiki"
)

// patternReader yields n bytes of a fixed pattern without holding them,
// counting what was read.
type patternReader struct {
	mu       sync.Mutex
	n, read  int64
	pattern  []byte
	maxBlock int
}

func newPatternReader(n int64) *patternReader {
	return &patternReader{n: n, pattern: []byte("0123456789abcdefghijklmnopqrstuvwxyz\n")}
}

func (r *patternReader) Read(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.read >= r.n {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), r.n-r.read)]
	for i := range p {
		p[i] = r.pattern[(r.read+int64(i))%int64(len(r.pattern))]
	}
	r.read += int64(len(p))
	r.maxBlock = max(r.maxBlock, len(p))
	return len(p), nil
}

func (r *patternReader) consumed() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.read
}

func patternBytes(n int64) []byte {
	data, _ := io.ReadAll(newPatternReader(n))
	return data
}

// stashWiki fakes MediaWiki 1.39's chunked upload protocol as observed on
// the real wiki: "Continue" with the next offset and the same filekey
// until the last chunk, which answers "Success" with a new filekey for the
// assembled file; publishing that filekey answers publish(). It checks
// every chunk request and calls onChunk before answering it.
type stashWiki struct {
	t        *testing.T
	mu       sync.Mutex
	data     []byte
	chunks   int
	sessKey  string
	final    string
	onChunk  func(offset int64)
	lastHook func(w http.ResponseWriter) bool // may answer the last chunk itself
	publish  func(s seen, w http.ResponseWriter)
}

func (f *stashWiki) handle(s seen, w http.ResponseWriter) {
	t := f.t
	if s.Params.Get("meta") == "tokens" {
		jsonAnswer(w, `{"batchcomplete":true,"query":{"tokens":{"csrftoken":"csrf+\\"}}}`)
		return
	}
	if s.Params.Get("action") != "upload" {
		t.Errorf("unexpected request %v", s.Params)
		jsonAnswer(w, `{}`)
		return
	}
	if s.Form.Get("token") != "csrf+\\" || s.Method != http.MethodPost {
		t.Errorf("upload request without the csrf token in a POST: %s %v", s.Method, s.Form)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	chunk, isChunk := s.Files["chunk"]
	if !isChunk {
		if f.publish == nil {
			t.Errorf("unexpected publish request: %v", s.Form)
			return
		}
		f.publish(s, w)
		return
	}
	offset, _ := strconv.ParseInt(s.Form.Get("offset"), 10, 64)
	size, _ := strconv.ParseInt(s.Form.Get("filesize"), 10, 64)
	if f.onChunk != nil {
		f.onChunk(offset)
	}
	switch {
	case !strings.HasPrefix(s.ContentType, "multipart/form-data"):
		t.Errorf("chunk at %d not multipart: %s", offset, s.ContentType)
	case s.Form.Get("stash") != "1" || s.Form.Get("ignorewarnings") != "1" || s.Form.Get("filename") == "":
		t.Errorf("chunk at %d: %v", offset, s.Form)
	case s.Form.Has("file") || s.Files["file"] != "":
		t.Errorf("chunk at %d has a file parameter", offset)
	case offset != int64(len(f.data)):
		t.Errorf("chunk at offset %d, want %d", offset, len(f.data))
	case offset == 0 && s.Form.Has("filekey"):
		t.Errorf("first chunk with filekey %q", s.Form.Get("filekey"))
	case offset > 0 && s.Form.Get("filekey") != f.sessKey:
		t.Errorf("chunk at %d with filekey %q, want %q", offset, s.Form.Get("filekey"), f.sessKey)
	}
	f.chunks++
	f.data = append(f.data, chunk...)
	if offset == 0 {
		f.sessKey = "1d3sakn577gc.4xmb17.1.txt"
	}
	if int64(len(f.data)) < size {
		jsonAnswer(w, fmt.Sprintf(`{"upload":{"result":"Continue","offset":%d,"filekey":%q}}`, len(f.data), f.sessKey))
		return
	}
	if f.lastHook != nil && f.lastHook(w) {
		return
	}
	f.final = "1d3sakr6s85g.unq04v.1.txt"
	sum := sha1.Sum(f.data)
	jsonAnswer(w, fmt.Sprintf(`{"upload":{"result":"Success","filekey":%q,"imageinfo":{"size":%d,"sha1":%q}}}`,
		f.final, len(f.data), hex.EncodeToString(sum[:])))
}

func TestUploadChunkProtocol(t *testing.T) {
	const chunkSize = 64 << 10
	size := int64(5*chunkSize + 1234)
	content := newPatternReader(size)
	f := &stashWiki{t: t}
	f.onChunk = func(offset int64) {
		// Streaming: no more than the chunk on the wire (and one byte to
		// check the end) has been read.
		if got := content.consumed(); got > offset+chunkSize+1 {
			t.Errorf("at the chunk at offset %d, %d bytes of content were read", offset, got)
		}
	}
	var published seen
	f.publish = func(s seen, w http.ResponseWriter) {
		published = s
		jsonAnswer(w, fmt.Sprintf(`{"upload":{"result":"Success","filename":"Big_file.txt","imageinfo":{"size":%d}}}`, len(f.data)))
	}
	c, fw := newFake(t, Options{}, f.handle)
	var progress [][2]int64
	tags := new(Params)
	tags.Strings("tags", []string{"mwgen-test"})
	resp, err := c.Upload(ctx(t), &Upload{
		Filename:  "Big file.txt",
		Content:   content,
		Size:      size,
		Comment:   "a comment",
		Text:      "page text",
		Params:    tags,
		ChunkSize: chunkSize,
		Progress:  func(sent, total int64) { progress = append(progress, [2]int64{sent, total}) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(resp.Raw), `"filename":"Big_file.txt"`) {
		t.Errorf("Upload returned %s, want the publishing answer", resp.Raw)
	}
	if f.chunks != 6 || !bytes.Equal(f.data, patternBytes(size)) {
		t.Errorf("%d chunks, %d bytes stashed, want 6 chunks of the content", f.chunks, len(f.data))
	}
	want := [][2]int64{{chunkSize, size}, {2 * chunkSize, size}, {3 * chunkSize, size}, {4 * chunkSize, size}, {5 * chunkSize, size}, {size, size}}
	if !slices.Equal(progress, want) {
		t.Errorf("progress %v, want %v", progress, want)
	}
	if content.maxBlock > chunkSize {
		t.Errorf("content read %d bytes at once", content.maxBlock)
	}
	pf := published.Form
	if pf.Get("filekey") != f.final || pf.Get("filename") != "Big file.txt" || pf.Get("comment") != "a comment" ||
		pf.Get("text") != "page text" || pf.Get("tags") != "mwgen-test" || pf.Has("ignorewarnings") || pf.Has("stash") ||
		pf.Has("offset") || len(published.Files) != 0 {
		t.Errorf("publishing request: %v files %v", pf, published.Files)
	}
	// Each chunk's offset and the filekey threading.
	var offsets []string
	for _, r := range fw.requests() {
		if _, ok := r.Files["chunk"]; ok {
			offsets = append(offsets, r.Form.Get("offset")+":"+r.Form.Get("filekey"))
			if r.Form.Get("filesize") != strconv.FormatInt(size, 10) {
				t.Errorf("filesize %q", r.Form.Get("filesize"))
			}
		}
	}
	k := f.sessKey
	wantOffsets := []string{"0:", "65536:" + k, "131072:" + k, "196608:" + k, "262144:" + k, "327680:" + k}
	if !slices.Equal(offsets, wantOffsets) {
		t.Errorf("chunks (offset:filekey) %q, want %q", offsets, wantOffsets)
	}
}

func TestUploadChunkedSizeFromSeeker(t *testing.T) {
	data := patternBytes(10_000)
	f := &stashWiki{t: t, publish: func(s seen, w http.ResponseWriter) {
		jsonAnswer(w, `{"upload":{"result":"Success","filename":"X.txt"}}`)
	}}
	c, _ := newFake(t, Options{}, f.handle)
	r := bytes.NewReader(data)
	r.Seek(1000, io.SeekStart) // only the rest is uploaded
	var calls int
	if _, err := c.Upload(ctx(t), &Upload{Filename: "X.txt", Content: r, ChunkSize: 4000, Progress: func(int64, int64) { calls++ }}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(f.data, data[1000:]) || f.chunks != 3 || calls != 3 {
		t.Errorf("%d chunks, %d progress calls, %d bytes; want 3, 3, 9000", f.chunks, calls, len(f.data))
	}
}

func TestUploadSingle(t *testing.T) {
	c, fw := newFake(t, Options{}, func(s seen, w http.ResponseWriter) {
		if s.Params.Get("meta") == "tokens" {
			jsonAnswer(w, `{"query":{"tokens":{"csrftoken":"csrf+\\"}}}`)
			return
		}
		jsonAnswer(w, `{"upload":{"result":"Success","filename":"Small.txt","imageinfo":{"size":11}}}`)
	})
	extra := new(Params)
	extra.Set("watchlist", "nochange")
	extra.Set("comment", "overridden")
	for _, tc := range []struct {
		name string
		u    Upload
	}{
		{"known size", Upload{Size: 11, Content: strings.NewReader("hello world"), IgnoreWarnings: true, Text: "page", Params: extra}},
		{"unknown size, not seekable", Upload{Content: io.MultiReader(strings.NewReader("hello "), strings.NewReader("world"))}},
		{"under a threshold above the chunk size", Upload{Content: strings.NewReader("hello world"), ChunkSize: 2, ChunkThreshold: 100}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(fw.requests())
			u := tc.u
			u.Filename, u.Comment = "Small.txt", "a comment"
			var progress [][2]int64
			u.Progress = func(sent, total int64) { progress = append(progress, [2]int64{sent, total}) }
			if _, err := c.Upload(ctx(t), &u); err != nil {
				t.Fatal(err)
			}
			reqs := fw.requests()[before:]
			if len(reqs) == 2 && reqs[0].Params.Get("meta") == "tokens" {
				reqs = reqs[1:]
			}
			if len(reqs) != 1 {
				t.Fatalf("%d upload requests, want 1", len(reqs))
			}
			r := reqs[0]
			wantComment := "a comment"
			if u.Params != nil {
				wantComment = "overridden"
			}
			if r.Files["file"] != "hello world" || r.FileNames["file"] != "Small.txt" || r.Form.Get("filename") != "Small.txt" ||
				r.Form.Get("comment") != wantComment || r.Form.Has("stash") || r.Form.Has("chunk") || r.Form.Get("token") != "csrf+\\" ||
				r.Form.Has("ignorewarnings") != u.IgnoreWarnings || r.Form.Get("text") != u.Text ||
				(u.Params != nil && r.Form.Get("watchlist") != "nochange") {
				t.Errorf("upload request: %v files %v", r.Form, r.Files)
			}
			if !slices.Equal(progress, [][2]int64{{11, 11}}) {
				t.Errorf("progress %v", progress)
			}
		})
	}
}

func TestUploadSizeMismatch(t *testing.T) {
	for _, tc := range []struct {
		name    string
		size    int64
		content int64
		want    string
	}{
		{"single, shorter", 100, 90, "ended after 90 bytes, Size is 100"},
		{"single, longer", 100, 110, "longer than Size"},
		{"chunked, shorter", 10_000, 5_000, "ended after 5000 bytes, Size is 10000"},
		{"chunked, longer", 10_000, 10_001, "longer than Size"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, fw := newFake(t, Options{}, (&stashWiki{t: t}).handle)
			_, err := c.Upload(ctx(t), &Upload{Filename: "X.txt", Content: newPatternReader(tc.content), Size: tc.size, ChunkSize: 4096, ChunkThreshold: 1000})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Upload: %v, want %q", err, tc.want)
			}
			// A wrong size is noticed before the last chunk goes out.
			for _, r := range fw.requests() {
				if off, _ := strconv.Atoi(r.Form.Get("offset")); off >= 8192 {
					t.Errorf("the last chunk was sent")
				}
			}
		})
	}
	c, _ := newFake(t, Options{}, (&stashWiki{t: t}).handle)
	for _, bad := range []*Upload{nil, {Content: strings.NewReader("x")}, {Filename: "X.txt"}, {Filename: "X.txt", Content: strings.NewReader("x"), Filekey: "k"}, {Filename: "X.txt", Content: strings.NewReader("x"), ChunkSize: -1}} {
		if _, err := c.Upload(ctx(t), bad); err == nil {
			t.Errorf("Upload(%+v): no error", bad)
		}
	}
}

func TestUploadWarnings(t *testing.T) {
	warning := `{"upload":{"result":"Warning","warnings":{"duplicate":["Small_probe_A.txt"],"exists":"Small_probe_B.txt"},"filekey":"1d3sal11lgvo.2qo91v.1.txt","sessionkey":"1d3sal11lgvo.2qo91v.1.txt"}}`
	c, fw := newFake(t, Options{}, func(s seen, w http.ResponseWriter) {
		switch {
		case s.Params.Get("meta") == "tokens":
			jsonAnswer(w, `{"query":{"tokens":{"csrftoken":"csrf+\\"}}}`)
		case s.Form.Has("ignorewarnings"):
			jsonAnswer(w, `{"upload":{"result":"Success","filename":"Small_probe_B.txt"}}`)
		default:
			jsonAnswer(w, warning)
		}
	})
	_, err := c.Upload(ctx(t), &Upload{Filename: "Small probe B.txt", Content: strings.NewReader("dup")})
	var we *UploadWarningError
	if !errors.As(err, &we) {
		t.Fatalf("Upload: %v, want an *UploadWarningError", err)
	}
	if string(we.Warnings["exists"]) != `"Small_probe_B.txt"` || string(we.Warnings["duplicate"]) != `["Small_probe_A.txt"]` ||
		we.Filekey != "1d3sal11lgvo.2qo91v.1.txt" || we.Filename != "Small probe B.txt" || we.Response == nil {
		t.Errorf("UploadWarningError = %+v", we)
	}
	wantMsg := `mediawiki: upload "Small probe B.txt": the wiki warns: duplicate ["Small_probe_A.txt"], exists "Small_probe_B.txt" (set IgnoreWarnings to upload anyway)`
	if err.Error() != wantMsg {
		t.Errorf("error\n%s\nwant\n%s", err, wantMsg)
	}

	// Go ahead with the stashed file.
	resp, err := c.Upload(ctx(t), &Upload{Filename: "Small probe B.txt", Filekey: we.Filekey, IgnoreWarnings: true, Comment: "anyway"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(resp.Raw), "Success") {
		t.Errorf("answer %s", resp.Raw)
	}
	reqs := fw.requests()
	last := reqs[len(reqs)-1]
	if last.Form.Get("filekey") != we.Filekey || last.Form.Get("ignorewarnings") != "1" || last.Form.Get("comment") != "anyway" ||
		len(last.Files) != 0 || last.Form.Has("file") {
		t.Errorf("publishing request %v files %v", last.Form, last.Files)
	}

	// Chunked: the warning comes when the file is published.
	f := &stashWiki{t: t, publish: func(s seen, w http.ResponseWriter) {
		if s.Form.Has("ignorewarnings") {
			jsonAnswer(w, `{"upload":{"result":"Success","filename":"Exists.txt"}}`)
			return
		}
		jsonAnswer(w, `{"upload":{"result":"Warning","warnings":{"exists":"Exists.txt","nochange":{"timestamp":"2026-11-22T15:50:33Z"}},"filekey":"1d3saong57u0.he7jyc.1.txt"}}`)
	}}
	c, _ = newFake(t, Options{}, f.handle)
	_, err = c.Upload(ctx(t), &Upload{Filename: "Exists.txt", Content: newPatternReader(5000), ChunkSize: 2048})
	if !errors.As(err, &we) || we.Filekey != "1d3saong57u0.he7jyc.1.txt" || len(we.Warnings) != 2 {
		t.Fatalf("chunked Upload: %v, want an *UploadWarningError with exists and nochange", err)
	}
	f.data = nil
	if _, err := c.Upload(ctx(t), &Upload{Filename: "Exists.txt", Content: newPatternReader(5000), ChunkSize: 2048, IgnoreWarnings: true}); err != nil {
		t.Errorf("chunked Upload with IgnoreWarnings: %v", err)
	}
}

func TestUploadPoll(t *testing.T) {
	defer func(lo, hi time.Duration) { uploadPollMin, uploadPollMax = lo, hi }(uploadPollMin, uploadPollMax)
	uploadPollMin, uploadPollMax = time.Millisecond, 4*time.Millisecond
	polls := 0
	var publishedKey string
	f := &stashWiki{t: t}
	f.lastHook = func(w http.ResponseWriter) bool {
		jsonAnswer(w, fmt.Sprintf(`{"upload":{"result":"Poll","stage":"queued","filekey":%q}}`, f.sessKey))
		return true
	}
	f.publish = func(s seen, w http.ResponseWriter) {
		switch {
		case s.Form.Has("checkstatus"):
			if s.Form.Get("filekey") != f.sessKey {
				t.Errorf("checkstatus of %q, want %q", s.Form.Get("filekey"), f.sessKey)
			}
			polls++
			if polls < 3 {
				jsonAnswer(w, `{"upload":{"result":"Poll","stage":"assembling"}}`)
				return
			}
			jsonAnswer(w, `{"upload":{"result":"Success","stage":"assembling","filekey":"assembled.1.txt"}}`)
		default:
			publishedKey = s.Form.Get("filekey")
			jsonAnswer(w, `{"upload":{"result":"Success","filename":"Async.txt"}}`)
		}
	}
	c, _ := newFake(t, Options{}, f.handle)
	if _, err := c.Upload(ctx(t), &Upload{Filename: "Async.txt", Content: newPatternReader(5000), ChunkSize: 2048}); err != nil {
		t.Fatal(err)
	}
	if polls != 3 || publishedKey != "assembled.1.txt" {
		t.Errorf("%d polls, published %q; want 3 and the assembled file's key", polls, publishedKey)
	}
}

func TestUploadProtocolErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		answer func(s seen, w http.ResponseWriter)
		want   string
		is     error
	}{
		{"wrong offset", func(s seen, w http.ResponseWriter) {
			jsonAnswer(w, `{"upload":{"result":"Continue","offset":1000,"filekey":"k"}}`)
		}, "expects offset 1000, want 2048", nil},
		{"no filekey", func(s seen, w http.ResponseWriter) {
			jsonAnswer(w, `{"upload":{"result":"Continue","offset":2048}}`)
		}, "no filekey", nil},
		{"not an upload answer", func(s seen, w http.ResponseWriter) {
			jsonAnswer(w, `{"batchcomplete":true}`)
		}, "without an upload result", nil},
		{"early success", func(s seen, w http.ResponseWriter) {
			jsonAnswer(w, `{"upload":{"result":"Success","filekey":"k"}}`)
		}, "unexpected answer to the chunk at offset 0", nil},
		{"api error", func(s seen, w http.ResponseWriter) {
			apiError(w, "stashfailed", "Could not store upload in the stash.", "upload")
		}, "chunk at offset 0 of 5000", nil},
		{"permission denied", func(s seen, w http.ResponseWriter) {
			apiError(w, "permissiondenied", "You don't have permission to upload this file.", "upload")
		}, "permissiondenied", ErrPermissionDenied},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newFake(t, Options{}, func(s seen, w http.ResponseWriter) {
				if s.Params.Get("meta") == "tokens" {
					jsonAnswer(w, `{"query":{"tokens":{"csrftoken":"csrf+\\"}}}`)
					return
				}
				tc.answer(s, w)
			})
			_, err := c.Upload(ctx(t), &Upload{Filename: "E.txt", Content: newPatternReader(5000), ChunkSize: 2048})
			if err == nil || !strings.Contains(err.Error(), tc.want) || (tc.is != nil && !errors.Is(err, tc.is)) {
				t.Errorf("Upload: %v, want %q", err, tc.want)
			}
		})
	}
}

// The tests below run against the real wiki.

// uniqueText returns n bytes of text that no earlier run uploaded.
func uniqueText(n int) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "mwgen upload test %d\n", time.Now().UnixNano())
	seed := sha1.Sum(b.Bytes())
	for b.Len() < n {
		seed = sha1.Sum(seed[:])
		b.WriteString(hex.EncodeToString(seed[:]))
		b.WriteByte('\n')
	}
	return b.Bytes()[:n]
}

// imageInfo returns the size and SHA-1 the wiki has for File:name.
func imageInfo(t *testing.T, c *Client, name string) (size int64, sha string) {
	t.Helper()
	p := new(Params)
	p.Text("titles", "File:"+name)
	p.Text("prop", "imageinfo")
	p.Strings("iiprop", []string{"size", "sha1"})
	resp, err := c.Do(ctx(t), &Request{Action: "query", Params: p})
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Query struct {
			Pages []struct {
				Missing   bool `json:"missing"`
				ImageInfo []struct {
					Size int64  `json:"size"`
					SHA1 string `json:"sha1"`
				} `json:"imageinfo"`
			} `json:"pages"`
		} `json:"query"`
	}
	if err := resp.Decode(&out); err != nil {
		t.Fatal(err)
	}
	if len(out.Query.Pages) != 1 || len(out.Query.Pages[0].ImageInfo) == 0 {
		t.Fatalf("no imageinfo for File:%s: %s", name, resp.Raw)
	}
	ii := out.Query.Pages[0].ImageInfo[0]
	return ii.Size, ii.SHA1
}

func uploadedName(t *testing.T, resp *Response) string {
	t.Helper()
	var out struct {
		Upload struct{ Result, Filename string } `json:"upload"`
	}
	if err := resp.Decode(&out); err != nil || out.Upload.Result != "Success" || out.Upload.Filename == "" {
		t.Fatalf("upload answer: %v %s", err, resp.Raw)
	}
	return out.Upload.Filename
}

func TestWikiUploadChunked(t *testing.T) {
	w := testwiki.Require(t)
	c := wikiClient(t, w, false)
	if err := c.Login(ctx(t), w.BotUser, w.BotPassword); err != nil {
		t.Fatal(err)
	}
	data := uniqueText(3<<20 + 12345)
	name := fmt.Sprintf("Mwgen chunked %d.txt", time.Now().UnixNano())
	var sent []int64
	resp, err := c.Upload(ctx(t), &Upload{
		Filename:  name,
		Content:   io.MultiReader(bytes.NewReader(data)), // not seekable: streamed with the given Size
		Size:      int64(len(data)),
		Comment:   "mwgen chunked upload test",
		Text:      "A file uploaded in chunks by the mwgen runtime tests.",
		ChunkSize: 512 << 10,
		Progress: func(s, total int64) {
			if total != int64(len(data)) {
				t.Errorf("progress total %d", total)
			}
			sent = append(sent, s)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("progress %v", sent)
	increasing := len(sent) >= 6 && sent[len(sent)-1] == int64(len(data))
	for i := 1; i < len(sent); i++ {
		increasing = increasing && sent[i] > sent[i-1]
	}
	if !increasing {
		t.Errorf("progress %v: want at least 6 increasing offsets ending at %d", sent, len(data))
	}
	got := uploadedName(t, resp)
	size, sha := imageInfo(t, c, got)
	sum := sha1.Sum(data)
	if size != int64(len(data)) || sha != hex.EncodeToString(sum[:]) {
		t.Errorf("the wiki has %d bytes with SHA-1 %s, want %d bytes with %x", size, sha, len(data), sum)
	}
}

func TestWikiUploadSmall(t *testing.T) {
	w := testwiki.Require(t)
	c := wikiClient(t, w, false)
	if err := c.Login(ctx(t), w.BotUser, w.BotPassword); err != nil {
		t.Fatal(err)
	}
	data := uniqueText(2000)
	name := fmt.Sprintf("Mwgen small %d.txt", time.Now().UnixNano())
	calls := 0
	resp, err := c.Upload(ctx(t), &Upload{Filename: name, Content: bytes.NewReader(data), Comment: "mwgen small upload test",
		Progress: func(s, total int64) {
			calls++
			if s != total || total != int64(len(data)) {
				t.Errorf("progress %d/%d", s, total)
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	if calls != 1 {
		t.Errorf("%d progress calls, want 1", calls)
	}
	size, sha := imageInfo(t, c, uploadedName(t, resp))
	sum := sha1.Sum(data)
	if size != int64(len(data)) || sha != hex.EncodeToString(sum[:]) {
		t.Errorf("the wiki has %d bytes with SHA-1 %s, want %d bytes with %x", size, sha, len(data), sum)
	}
}

func TestWikiUploadWarnings(t *testing.T) {
	w := testwiki.Require(t)
	c := wikiClient(t, w, false)
	if err := c.Login(ctx(t), w.BotUser, w.BotPassword); err != nil {
		t.Fatal(err)
	}
	data := uniqueText(5000)
	stamp := time.Now().UnixNano()
	first := fmt.Sprintf("Mwgen warn A %d.txt", stamp)
	if _, err := c.Upload(ctx(t), &Upload{Filename: first, Content: bytes.NewReader(data)}); err != nil {
		t.Fatal(err)
	}

	// The same content under another name, chunked: a duplicate warning
	// when the file is published.
	second := fmt.Sprintf("Mwgen warn B %d.txt", stamp)
	_, err := c.Upload(ctx(t), &Upload{Filename: second, Content: bytes.NewReader(data), ChunkSize: 2048})
	var we *UploadWarningError
	if !errors.As(err, &we) || we.Warnings["duplicate"] == nil || we.Filekey == "" {
		t.Fatalf("duplicate upload: %v, want an *UploadWarningError with duplicate", err)
	}
	t.Logf("duplicate: %v (filekey %s)", err, we.Filekey)
	resp, err := c.Upload(ctx(t), &Upload{Filename: second, Filekey: we.Filekey, IgnoreWarnings: true})
	if err != nil {
		t.Fatalf("publishing the stashed duplicate: %v", err)
	}
	if size, _ := imageInfo(t, c, uploadedName(t, resp)); size != int64(len(data)) {
		t.Errorf("size %d", size)
	}

	// Other content under an existing name, in one request: exists.
	_, err = c.Upload(ctx(t), &Upload{Filename: first, Content: bytes.NewReader(uniqueText(100))})
	if !errors.As(err, &we) || we.Warnings["exists"] == nil {
		t.Fatalf("upload over an existing file: %v, want an *UploadWarningError with exists", err)
	}
	t.Logf("exists: %v", err)
}
