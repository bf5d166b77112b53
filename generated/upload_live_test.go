package generated_test

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/mwgen/mwgen/generated"
	"github.com/mwgen/mwgen/runtime"
)

// uploadTestData returns n bytes of text no earlier run uploaded (the wiki
// warns about duplicates).
func uploadTestData(n int) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "mwgen generated upload test %d\n", time.Now().UnixNano())
	seed := sha1.Sum(b.Bytes())
	for b.Len() < n {
		seed = sha1.Sum(seed[:])
		b.WriteString(hex.EncodeToString(seed[:]))
		b.WriteByte('\n')
	}
	return b.Bytes()[:n]
}

// checkImageinfo queries prop=imageinfo through the generated Query and
// compares the wiki's size and SHA-1 of File:name with data's.
func checkImageinfo(t *testing.T, c *generated.Client, name string, data []byte) {
	t.Helper()
	res, err := c.Query(context.Background(), &generated.QueryParams{
		PageSet: generated.PageSet{Titles: []string{"File:" + name}},
		Prop: generated.QueryProps{Imageinfo: &generated.QueryImageinfoParams{
			Prop: []generated.QueryImageinfoProp{generated.QueryImageinfoPropSize, generated.QueryImageinfoPropSHA1},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Pages) != 1 || res.Pages[0].QueryImageinfoPage == nil || len(res.Pages[0].Imageinfo) != 1 {
		t.Fatalf("imageinfo of File:%s: %s", name, res.Raw())
	}
	ii := res.Pages[0].Imageinfo[0]
	sum := sha1.Sum(data)
	if ii.Size != len(data) || ii.SHA1 != hex.EncodeToString(sum[:]) {
		t.Errorf("File:%s has %d bytes with SHA-1 %s, want %d bytes with %x", name, ii.Size, ii.SHA1, len(data), sum)
	}
}

// TestUploadSmallFile uploads a file in one request through the generated
// Upload.
func TestUploadSmallFile(t *testing.T) {
	c, _ := newClient(t)
	data := uploadTestData(1500)
	name := fmt.Sprintf("Mwgen generated small %d.txt", time.Now().UnixNano())
	res, err := c.Upload(context.Background(), &generated.UploadParams{
		Filename:       name,
		File:           &runtime.File{Name: "local.txt", Content: bytes.NewReader(data)},
		Comment:        "mwgen generated upload test",
		Text:           runtime.Set("Uploaded through the generated client."),
		Ignorewarnings: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Result != generated.UploadStatusSuccess || res.Filename == "" {
		t.Fatalf("upload: %s", res.Raw())
	}
	checkImageinfo(t, c, res.Filename, data)
}

// TestUploadChunked drives MediaWiki's chunked upload protocol through the
// generated UploadParams (stash, filesize, offset, chunk, filekey), then
// publishes the stashed file with its filekey.
func TestUploadChunked(t *testing.T) {
	c, _ := newClient(t)
	ctx := context.Background()
	data := uploadTestData(3<<20 + 4321)
	name := fmt.Sprintf("Mwgen generated chunked %d.txt", time.Now().UnixNano())
	const chunkSize = 512 << 10
	filekey := ""
	chunks := 0
	for offset := 0; offset < len(data); offset += chunkSize {
		end := min(offset+chunkSize, len(data))
		res, err := c.Upload(ctx, &generated.UploadParams{
			Filename:       name,
			Stash:          true,
			Ignorewarnings: true,
			Filesize:       runtime.Set(len(data)),
			Offset:         runtime.Set(offset),
			Chunk:          &runtime.File{Name: name, Content: bytes.NewReader(data[offset:end])},
			Filekey:        filekey,
		})
		if err != nil {
			t.Fatalf("chunk at %d: %v", offset, err)
		}
		chunks++
		want := generated.UploadStatusContinue
		if end == len(data) {
			want = generated.UploadStatusSuccess // the last chunk; the stash holds the whole file
		}
		if res.Result != want || res.Filekey == "" || (want == generated.UploadStatusContinue && res.Offset != end) {
			t.Fatalf("chunk at %d: %s, want %s with offset %d and a filekey", offset, res.Raw(), want, end)
		}
		filekey = res.Filekey
	}
	if chunks < 6 {
		t.Errorf("%d chunks", chunks)
	}
	res, err := c.Upload(ctx, &generated.UploadParams{
		Filename: name,
		Filekey:  filekey,
		Comment:  "mwgen generated chunked upload test",
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Result != generated.UploadStatusSuccess || res.Filename == "" {
		t.Fatalf("publishing: %s", res.Raw())
	}
	checkImageinfo(t, c, res.Filename, data)
}

// TestUploadChunkedThroughRuntime sends a chunked upload through the
// runtime's Upload of a generated client's session.
func TestUploadChunkedThroughRuntime(t *testing.T) {
	c, _ := newClient(t)
	data := uploadTestData(3<<20 + 99)
	name := fmt.Sprintf("Mwgen generated runtime chunked %d.txt", time.Now().UnixNano())
	var progress []int64
	res, err := c.Runtime().Upload(context.Background(), &runtime.Upload{
		Filename:  name,
		Content:   io.MultiReader(bytes.NewReader(data)),
		Size:      int64(len(data)),
		Comment:   "mwgen generated chunked upload test",
		ChunkSize: 512 << 10,
		Progress:  func(sent, _ int64) { progress = append(progress, sent) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(progress) < 6 || progress[len(progress)-1] != int64(len(data)) {
		t.Errorf("progress %v", progress)
	}
	// The runtime's answer decodes into the generated typed one.
	var ans generated.UploadResponse
	if err := res.Decode(&ans); err != nil {
		t.Fatal(err)
	}
	if ans.Result != generated.UploadStatusSuccess {
		t.Fatalf("upload: %s", res.Raw)
	}
	checkImageinfo(t, c, ans.Filename, data)
}
