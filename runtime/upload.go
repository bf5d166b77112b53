package runtime

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// DefaultChunkSize is the chunk size of [Client.Upload] when
// Upload.ChunkSize is 0: 1 MiB.
const DefaultChunkSize = 1 << 20

// Upload describes one file for [Client.Upload].
type Upload struct {
	// Filename is the target name on the wiki, without the "File:" prefix,
	// e.g. "Example.png". Required.
	Filename string
	// Content is the file's data. Required, unless Filekey is set. It is
	// read once, ChunkSize bytes at a time for a chunked upload.
	Content io.Reader
	// Size is the content's length in bytes, which the chunked protocol
	// needs up front. 0 means unknown: Upload then seeks to the end when
	// Content is an io.Seeker (an *os.File, a *bytes.Reader), and otherwise
	// reads it all into memory. A Size that disagrees with the content is
	// an error.
	Size int64
	// Comment is the upload log comment; MediaWiki also makes it the page
	// text of a new file when Text is empty.
	Comment string
	// Text is the initial page text of a new file; empty means not sent.
	Text string
	// IgnoreWarnings uploads despite warnings (the name exists, the content
	// duplicates another file, ...). Without it a warning answer is an
	// [*UploadWarningError].
	IgnoreWarnings bool
	// Params are extra raw parameters of the request that publishes the
	// file (the single upload, or the final request of a chunked one), e.g.
	// tags or watchlist. They override Upload's own.
	Params *Params
	// ChunkSize is the size of each chunk of a chunked upload; 0 means
	// [DefaultChunkSize]. MediaWiki refuses chunks (but the last) below
	// $wgMinUploadChunkSize (1 KiB by default), and PHP's
	// upload_max_filesize bounds them from above.
	ChunkSize int64
	// ChunkThreshold is the size above which the upload is chunked; 0
	// means ChunkSize. Files of at most this size go in one request.
	ChunkThreshold int64
	// Progress, when set, is called with the bytes sent so far and the
	// total: after each chunk of a chunked upload, once at the end of a
	// single-request one.
	Progress func(sent, total int64)
	// Filekey, when set, publishes a file already in the user's upload
	// stash (e.g. the Filekey of an [*UploadWarningError]) under Filename
	// instead of sending Content, which must then be nil.
	Filekey string
}

// UploadWarningError is an upload the wiki held back because of warnings
// (result "Warning"), returned when Upload.IgnoreWarnings is false. The
// file stays in the user's upload stash under Filekey for a while: to go
// ahead anyway, call [Client.Upload] again with that Filekey and
// IgnoreWarnings.
type UploadWarningError struct {
	// Filename is the requested target name.
	Filename string
	// Warnings maps each warning to its data, e.g. "exists" to the existing
	// file's name, "duplicate" to a list of files with the same content,
	// "was-deleted", "duplicate-archive", "badfilename", "nochange".
	Warnings map[string]json.RawMessage
	// Filekey is the stash key of the held-back file ("" if the wiki gave
	// none).
	Filekey string
	// Response is the whole answer.
	Response *Response
}

// Error returns e.g. `mediawiki: upload "A.png": the wiki warns: exists
// "A.png" (set IgnoreWarnings to upload anyway)`.
func (e *UploadWarningError) Error() string {
	names := make([]string, 0, len(e.Warnings))
	for k := range e.Warnings {
		names = append(names, k)
	}
	slices.Sort(names)
	var b strings.Builder
	fmt.Fprintf(&b, "mediawiki: upload %q: the wiki warns:", e.Filename)
	for i, k := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte(' ')
		b.WriteString(k)
		if v := bytes.TrimSpace(e.Warnings[k]); len(v) > 0 && string(v) != "true" && string(v) != "null" {
			b.WriteByte(' ')
			b.WriteString(cut(string(v), maxLogValue))
		}
	}
	b.WriteString(" (set IgnoreWarnings to upload anyway)")
	return b.String()
}

// uploadAnswer is the "upload" member of an action=upload answer.
type uploadAnswer struct {
	Result   string                     `json:"result"`
	Offset   *int64                     `json:"offset"`
	Filekey  string                     `json:"filekey"`
	Filename string                     `json:"filename"`
	Stage    string                     `json:"stage"`
	Warnings map[string]json.RawMessage `json:"warnings"`
}

func decodeUpload(resp *Response) (uploadAnswer, error) {
	var out struct {
		Upload *uploadAnswer `json:"upload"`
	}
	if err := json.Unmarshal(resp.Raw, &out); err != nil || out.Upload == nil {
		return uploadAnswer{}, fmt.Errorf("answer without an upload result: %s", excerpt(resp.Raw))
	}
	return *out.Upload, nil
}

// Poll delays while the wiki works on an asynchronous upload step.
var (
	uploadPollMin = 500 * time.Millisecond
	uploadPollMax = 10 * time.Second
)

// Upload uploads a file with action=upload and returns the final answer
// (result "Success"; its "upload" member has filename and imageinfo). The
// client must be logged in with upload rights (see [Client.Login]); each
// request carries a csrf token.
//
// A file of at most ChunkThreshold bytes goes in one multipart request
// (file, filename, comment, text, ignorewarnings). A larger one is sent in
// chunks of ChunkSize, reading Content one chunk at a time: each chunk is
// POSTed with stash=1, filename, filesize, offset, chunk and, after the
// first, the filekey of the previous answer; MediaWiki answers "Continue"
// with the next offset until the last chunk, which it answers "Success"
// with a new filekey for the assembled file (or "Poll" when it assembles
// asynchronously: Upload then polls with checkstatus). A last request
// with that filekey, filename, comment, text and ignorewarnings publishes
// the file. Chunks are sent with ignorewarnings, as warnings about the
// name or content are checked when the file is published.
//
// Warnings without IgnoreWarnings give an [*UploadWarningError]; API
// errors are [*APIError]s (e.g. "fileexists-no-change" for a re-upload of
// the current version, "filetype-banned").
//
//	f, _ := os.Open("scan.pdf")
//	defer f.Close()
//	resp, err := c.Upload(ctx, &mw.Upload{
//		Filename: "Scan 2024.pdf", Content: f, Comment: "scan",
//		ChunkSize: 4 << 20, Progress: func(sent, total int64) { log.Print(sent, "/", total) },
//	})
func (c *Client) Upload(ctx context.Context, u *Upload) (*Response, error) {
	if u == nil || u.Filename == "" {
		return nil, errors.New("mediawiki: upload: no Filename")
	}
	if u.Filekey != "" {
		if u.Content != nil {
			return nil, fmt.Errorf("mediawiki: upload %q: both Content and Filekey are set", u.Filename)
		}
		return c.publishUpload(ctx, u, u.Filekey)
	}
	if u.Content == nil {
		return nil, fmt.Errorf("mediawiki: upload %q: no Content", u.Filename)
	}
	if u.Size < 0 || u.ChunkSize < 0 || u.ChunkThreshold < 0 {
		return nil, fmt.Errorf("mediawiki: upload %q: negative Size, ChunkSize or ChunkThreshold", u.Filename)
	}
	chunkSize := u.ChunkSize
	if chunkSize == 0 {
		chunkSize = DefaultChunkSize
	}
	threshold := u.ChunkThreshold
	if threshold == 0 {
		threshold = chunkSize
	}
	content, size := u.Content, u.Size
	if size == 0 {
		n, ok, err := remaining(content)
		if err != nil {
			return nil, fmt.Errorf("mediawiki: upload %q: finding the size: %w", u.Filename, err)
		}
		if ok {
			size = n
		} else {
			data, err := io.ReadAll(content)
			if err != nil {
				return nil, fmt.Errorf("mediawiki: upload %q: reading the content: %w", u.Filename, err)
			}
			content, size = bytes.NewReader(data), int64(len(data))
		}
	}
	if size <= threshold {
		return c.uploadWhole(ctx, u, content, size)
	}
	return c.uploadChunked(ctx, u, content, size, chunkSize)
}

// remaining returns how many bytes r has left when it is an io.Seeker
// that can tell; ok is false otherwise.
func remaining(r io.Reader) (n int64, ok bool, err error) {
	s, isSeeker := r.(io.Seeker)
	if !isSeeker {
		return 0, false, nil
	}
	cur, err := s.Seek(0, io.SeekCurrent)
	if err != nil {
		return 0, false, nil // e.g. a pipe: not seekable after all
	}
	end, err := s.Seek(0, io.SeekEnd)
	if err != nil {
		return 0, false, nil
	}
	if _, err := s.Seek(cur, io.SeekStart); err != nil {
		return 0, false, err
	}
	return max(end-cur, 0), true, nil
}

// uploadWhole sends the file in one request.
func (c *Client) uploadWhole(ctx context.Context, u *Upload, content io.Reader, size int64) (*Response, error) {
	// Read one byte more than announced, to notice a wrong Size.
	data, err := io.ReadAll(io.LimitReader(content, size+1))
	if err != nil {
		return nil, fmt.Errorf("mediawiki: upload %q: reading the content: %w", u.Filename, err)
	}
	if int64(len(data)) != size {
		return nil, sizeMismatch(u.Filename, int64(len(data)), size)
	}
	p := new(Params)
	p.Set("filename", u.Filename)
	p.Text("comment", u.Comment)
	p.Text("text", u.Text)
	p.Bool("ignorewarnings", u.IgnoreWarnings)
	p.File("file", &File{Name: u.Filename, Content: bytes.NewReader(data)})
	mergeParams(p, u.Params)
	resp, err := c.Do(ctx, &Request{Action: "upload", Params: p, Post: true, TokenType: "csrf"})
	if err != nil {
		return nil, fmt.Errorf("mediawiki: upload %q: %w", u.Filename, err)
	}
	if u.Progress != nil {
		u.Progress(size, size)
	}
	return c.uploadOutcome(ctx, u, resp)
}

func sizeMismatch(filename string, got, size int64) error {
	if got > size {
		return fmt.Errorf("mediawiki: upload %q: the content is longer than Size (%d bytes)", filename, size)
	}
	return fmt.Errorf("mediawiki: upload %q: the content ended after %d bytes, Size is %d", filename, got, size)
}

// uploadChunked sends the file in chunks to the stash, then publishes it.
func (c *Client) uploadChunked(ctx context.Context, u *Upload, content io.Reader, size, chunkSize int64) (*Response, error) {
	buf := make([]byte, min(chunkSize, size))
	var offset int64
	filekey := ""
	for offset < size {
		n := min(chunkSize, size-offset)
		chunk := buf[:n]
		if got, err := io.ReadFull(content, chunk); err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return nil, sizeMismatch(u.Filename, offset+int64(got), size)
			}
			return nil, fmt.Errorf("mediawiki: upload %q: reading the content at offset %d: %w", u.Filename, offset, err)
		}
		last := offset+n == size
		if last {
			var one [1]byte
			if got, _ := io.ReadFull(content, one[:]); got > 0 {
				return nil, sizeMismatch(u.Filename, size+1, size)
			}
		}
		p := new(Params)
		p.Set("filename", u.Filename)
		p.Bool("stash", true)
		// Warnings are checked when the file is published; a chunk with a
		// warning would break the chunk sequence.
		p.Bool("ignorewarnings", true)
		p.Set("filesize", strconv.FormatInt(size, 10))
		p.Set("offset", strconv.FormatInt(offset, 10))
		p.Text("filekey", filekey)
		p.File("chunk", &File{Name: u.Filename, Content: bytes.NewReader(chunk)})
		resp, err := c.Do(ctx, &Request{Action: "upload", Params: p, Post: true, TokenType: "csrf"})
		if err != nil {
			return nil, fmt.Errorf("mediawiki: upload %q: chunk at offset %d of %d: %w", u.Filename, offset, size, err)
		}
		ans, err := decodeUpload(resp)
		if err != nil {
			return nil, fmt.Errorf("mediawiki: upload %q: chunk at offset %d: %w", u.Filename, offset, err)
		}
		switch {
		case ans.Result == "Continue" && !last:
			if ans.Offset == nil || *ans.Offset != offset+n {
				return nil, fmt.Errorf("mediawiki: upload %q: after the chunk at offset %d the wiki expects offset %s, want %d",
					u.Filename, offset, offsetText(ans.Offset), offset+n)
			}
		case ans.Result == "Success" && last:
		case ans.Result == "Poll" && last:
			if resp, ans, err = c.pollUpload(ctx, u.Filename, ans.Filekey); err != nil {
				return nil, err
			}
			if ans.Result != "Success" {
				return nil, fmt.Errorf("mediawiki: upload %q: assembling the chunks: unexpected status: %s", u.Filename, excerpt(resp.Raw))
			}
		default:
			return nil, fmt.Errorf("mediawiki: upload %q: unexpected answer to the chunk at offset %d (%d of %d bytes): %s",
				u.Filename, offset, n, size, excerpt(resp.Raw))
		}
		if ans.Filekey == "" {
			return nil, fmt.Errorf("mediawiki: upload %q: no filekey in the answer to the chunk at offset %d: %s", u.Filename, offset, excerpt(resp.Raw))
		}
		filekey = ans.Filekey
		offset += n
		if u.Progress != nil {
			u.Progress(offset, size)
		}
	}
	return c.publishUpload(ctx, u, filekey)
}

func offsetText(o *int64) string {
	if o == nil {
		return "none"
	}
	return strconv.FormatInt(*o, 10)
}

// publishUpload moves the stashed file filekey to its name.
func (c *Client) publishUpload(ctx context.Context, u *Upload, filekey string) (*Response, error) {
	p := new(Params)
	p.Set("filename", u.Filename)
	p.Set("filekey", filekey)
	p.Text("comment", u.Comment)
	p.Text("text", u.Text)
	p.Bool("ignorewarnings", u.IgnoreWarnings)
	mergeParams(p, u.Params)
	resp, err := c.Do(ctx, &Request{Action: "upload", Params: p, Post: true, TokenType: "csrf"})
	if err != nil {
		return nil, fmt.Errorf("mediawiki: upload %q: publishing the stashed file: %w", u.Filename, err)
	}
	return c.uploadOutcome(ctx, u, resp)
}

// uploadOutcome interprets the answer of a publishing request.
func (c *Client) uploadOutcome(ctx context.Context, u *Upload, resp *Response) (*Response, error) {
	ans, err := decodeUpload(resp)
	if err != nil {
		return nil, fmt.Errorf("mediawiki: upload %q: %w", u.Filename, err)
	}
	if ans.Result == "Poll" {
		if resp, ans, err = c.pollUpload(ctx, u.Filename, ans.Filekey); err != nil {
			return nil, err
		}
	}
	switch ans.Result {
	case "Success":
		return resp, nil
	case "Warning":
		return nil, &UploadWarningError{Filename: u.Filename, Warnings: ans.Warnings, Filekey: ans.Filekey, Response: resp}
	}
	return nil, fmt.Errorf("mediawiki: upload %q: unexpected result %q: %s", u.Filename, ans.Result, excerpt(resp.Raw))
}

// pollUpload waits for an asynchronous step (result "Poll") on filekey to
// end, asking with checkstatus=1 at growing intervals, and returns the
// first answer that is not "Poll" (its filekey defaulting to filekey).
func (c *Client) pollUpload(ctx context.Context, filename, filekey string) (*Response, uploadAnswer, error) {
	if filekey == "" {
		return nil, uploadAnswer{}, fmt.Errorf("mediawiki: upload %q: the wiki answered Poll without a filekey", filename)
	}
	delay := uploadPollMin
	for {
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, uploadAnswer{}, fmt.Errorf("mediawiki: upload %q: waiting for the wiki: %w", filename, ctx.Err())
		case <-t.C:
		}
		resp, ans, err := c.checkUpload(ctx, filename, filekey)
		if err != nil {
			return nil, uploadAnswer{}, err
		}
		if ans.Result != "Poll" {
			if ans.Filekey == "" {
				ans.Filekey = filekey
			}
			return resp, ans, nil
		}
		c.log.DebugContext(ctx, "mediawiki: upload in progress", "filename", filename, "stage", ans.Stage)
		delay = min(2*delay, uploadPollMax)
	}
}

// checkUpload asks for the status of the asynchronous upload filekey.
func (c *Client) checkUpload(ctx context.Context, filename, filekey string) (*Response, uploadAnswer, error) {
	p := new(Params)
	p.Bool("checkstatus", true)
	p.Set("filekey", filekey)
	resp, err := c.Do(ctx, &Request{Action: "upload", Params: p, Post: true, TokenType: "csrf"})
	if err != nil {
		return nil, uploadAnswer{}, fmt.Errorf("mediawiki: upload %q: checking the status: %w", filename, err)
	}
	ans, err := decodeUpload(resp)
	if err != nil {
		return nil, uploadAnswer{}, fmt.Errorf("mediawiki: upload %q: checking the status: %w", filename, err)
	}
	return resp, ans, nil
}

// mergeParams copies src's parameters (values and files) into dst, src
// winning, and its sensitivity marks.
func mergeParams(dst, src *Params) {
	if src == nil {
		return
	}
	for _, e := range src.entries {
		dst.put(e)
	}
	for name := range src.sensitive {
		dst.Sensitive(name)
	}
}
