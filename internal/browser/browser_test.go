package browser_test

import (
	"bytes"
	"errors"
	"image/png"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mwgen/mwgen/internal/browser"
)

const page = `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>browser self-test</title></head>
<body>
<h1>browser self-test</h1>
<p id="out">before</p>
<button id="go" onclick="setTimeout(function () { document.getElementById('out').textContent = 'after: ' + document.getElementById('name').value; }, 200)">Change</button>
<input id="name" value="preset">
</body></html>`

func TestBrowser(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(page))
	}))
	defer srv.Close()

	b := browser.Start(t)
	if err := b.Navigate(srv.URL + "/self-test"); err != nil {
		t.Fatal(err)
	}
	if u, err := b.CurrentURL(); err != nil || u != srv.URL+"/self-test" {
		t.Fatalf("CurrentURL = %q, %v; want %q", u, err, srv.URL+"/self-test")
	}
	if title, err := b.Title(); err != nil || title != "browser self-test" {
		t.Errorf("Title = %q, %v", title, err)
	}

	out, err := b.FindCSS("#out")
	if err != nil {
		t.Fatal(err)
	}
	if s, err := out.Text(); err != nil || s != "before" {
		t.Fatalf("#out text = %q, %v; want before", s, err)
	}

	name, err := b.FindCSS("input#name")
	if err != nil {
		t.Fatal(err)
	}
	if err := name.Clear(); err != nil {
		t.Fatal(err)
	}
	if err := name.SendKeys("typed"); err != nil {
		t.Fatal(err)
	}
	if v, err := name.Property("value"); err != nil || v != "typed" {
		t.Fatalf("input value = %v, %v; want typed", v, err)
	}

	btn, err := b.FindCSS("button#go")
	if err != nil {
		t.Fatal(err)
	}
	if err := btn.Click(); err != nil {
		t.Fatal(err)
	}
	// The page changes the text 200ms after the click.
	var got string
	err = b.Wait(func() (bool, error) {
		var err error
		got, err = out.Text()
		return got != "before", err
	}, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if got != "after: typed" {
		t.Errorf("#out text after click = %q, want %q", got, "after: typed")
	}

	src, err := b.PageSource()
	if err != nil || !strings.Contains(src, "after: typed") {
		t.Errorf("PageSource lacks the changed text (err %v):\n%s", err, src)
	}

	shot, err := b.Screenshot()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(shot, []byte("\x89PNG\r\n\x1a\n")) {
		t.Fatalf("screenshot is not a PNG: % x", shot[:min(len(shot), 16)])
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatalf("decoding the screenshot: %v", err)
	}
	if r := img.Bounds(); r.Dx() < 800 || r.Dy() < 500 {
		t.Errorf("screenshot is %dx%d, want about the 1280x900 window", r.Dx(), r.Dy())
	}
	t.Logf("screenshot: %d bytes, %v", len(shot), img.Bounds())
}

func TestErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(page))
	}))
	defer srv.Close()

	b := browser.Start(t)
	if err := b.Navigate(srv.URL); err != nil {
		t.Fatal(err)
	}
	_, err := b.FindCSS("#missing")
	if !browser.IsNoSuchElement(err) {
		t.Fatalf("FindCSS(#missing) error = %v, want no such element", err)
	}
	var we *browser.Error
	if !errors.As(err, &we) || we.Status != http.StatusNotFound || !strings.Contains(string(we.JSON), `"no such element"`) {
		t.Errorf("error = %#v, want a 404 *browser.Error carrying the driver's JSON", err)
	}
	if strings.Contains(err.Error(), "stacktrace") {
		t.Errorf("error message has the stacktrace: %v", err)
	}
	t.Logf("the error reads: %v", err)

	els, err := b.FindAllCSS("#missing, .none")
	if err != nil || len(els) != 0 {
		t.Errorf("FindAllCSS of nothing = %v, %v", els, err)
	}

	_, err = b.FindCSS("[[invalid")
	if err == nil || browser.IsNoSuchElement(err) {
		t.Errorf("an invalid selector answered %v, want invalid selector", err)
	}

	// A condition that never holds ends at the timeout with the page's URL.
	err = b.Wait(func() (bool, error) { return false, nil }, 300*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), srv.URL) {
		t.Errorf("Wait timeout error = %v, want one naming %s", err, srv.URL)
	}
	// A condition's error ends the wait with it.
	boom := errors.New("boom")
	if err := b.Wait(func() (bool, error) { return false, boom }, time.Minute); err != boom {
		t.Errorf("Wait = %v, want the condition's error", err)
	}
}
