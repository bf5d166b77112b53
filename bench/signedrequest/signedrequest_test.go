//go:build unix

// Package signedrequest benchmarks what OAuth signing adds to a request
// end to end, through runtime.Client and the generated client, beside an
// unsigned request through the same client and net/http alone; see
// bench/signing.sh.
package signedrequest_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/mwgen/mwgen/generated"
	"github.com/mwgen/mwgen/runtime"
	"github.com/mwgen/mwgen/runtime/oauth"
)

// BenchmarkSignedRequest sends action=query&meta=userinfo, one request at
// a time over a kept-alive connection, to a local server (httptest on
// 127.0.0.1, in this process) that answers a fixed userinfo, in five ways
// in the same run:
//
//   - RawHTTP: net/http alone (http.NewRequest, Client.Do, read the body);
//   - RawHTTPSigned: the same through an oauth.Transport;
//   - Unsigned: runtime.Client and the generated Query;
//   - Signed: the same with oauth.NewHTTPClient (Transport);
//   - SignedRefreshing: the same with a RefreshingTransport, what
//     ClientFromEnvOrStore returns.
//
// Besides ns/op (wall time) each reports cpu-ns/op, the CPU time (user and
// system, all threads) of the whole process per request: the client's, and
// the in-process server's, which is the same work for every variant but
// for reading the signed requests' longer Authorization header. Signed
// minus Unsigned is what signing adds to a request, end to end.
func BenchmarkSignedRequest(b *testing.B) {
	const answer = `{"batchcomplete":true,"query":{"userinfo":{"id":1,"name":"Bench"}}}`
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/signed/") && !strings.HasPrefix(r.Header.Get("Authorization"), "OAuth ") {
			http.Error(w, "not signed", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		io.WriteString(w, answer)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	newBase := func() *http.Client {
		return &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4, IdleConnTimeout: time.Minute}}
	}
	creds := oauth.Credentials{
		ConsumerKey: "0123456789abcdef0123456789abcdef", ConsumerSecret: "fedcba9876543210fedcba9876543210fedcba98",
		Token: "abcdef0123456789abcdef0123456789", TokenSecret: "0123456789abcdef0123456789abcdef01234567",
	}
	signer := func() *oauth.Signer { return &oauth.Signer{Credentials: creds, Server: srv.URL} }
	const query = "?action=query&meta=userinfo&format=json&formatversion=2&errorformat=plaintext&maxlag=5"

	raw := func(hc *http.Client, api string) func(context.Context) error {
		return func(ctx context.Context) error {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, api+query, nil)
			if err != nil {
				return err
			}
			req.Header.Set("User-Agent", "mwgen-bench/1")
			resp, err := hc.Do(req)
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			if _, err := io.ReadAll(resp.Body); err != nil {
				return err
			}
			if resp.StatusCode != http.StatusOK {
				b.Fatalf("HTTP %s", resp.Status)
			}
			return nil
		}
	}
	gen := func(hc *http.Client, api string) func(context.Context) error {
		rt, err := runtime.NewClient(api, runtime.Options{HTTPClient: hc, UserAgent: "mwgen-bench/1"})
		if err != nil {
			b.Fatal(err)
		}
		c := generated.New(rt)
		p := &generated.QueryParams{Meta: generated.QueryMetas{Userinfo: &generated.QueryUserinfoParams{}}}
		return func(ctx context.Context) error {
			_, err := c.Query(ctx, p)
			return err
		}
	}
	refreshing := func() *http.Client {
		return &http.Client{Transport: oauth.NewRefreshingTransport(oauth.RefreshOptions{
			Config:      oauth.Config{Index: srv.URL + "/w/index.php", Server: srv.URL, Consumer: creds},
			Credentials: creds,
			Base:        newBase().Transport,
		})}
	}

	for _, v := range []struct {
		name string
		do   func(context.Context) error
	}{
		{"RawHTTP", raw(newBase(), srv.URL+"/w/api.php")},
		{"RawHTTPSigned", raw(oauth.NewHTTPClient(signer(), newBase()), srv.URL+"/signed/api.php")},
		{"Unsigned", gen(newBase(), srv.URL+"/w/api.php")},
		{"Signed", gen(oauth.NewHTTPClient(signer(), newBase()), srv.URL+"/signed/api.php")},
		{"SignedRefreshing", gen(refreshing(), srv.URL+"/signed/api.php")},
	} {
		b.Run(v.name, func(b *testing.B) {
			ctx := context.Background()
			if err := v.do(ctx); err != nil { // warm-up: the connection
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			conns0 := conns.Load()
			cpu0 := processCPU(b)
			for range b.N {
				if err := v.do(ctx); err != nil {
					b.Fatal(err)
				}
			}
			cpu := processCPU(b) - cpu0
			b.StopTimer()
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
			// Every request over the warm-up's connection: 0.
			b.ReportMetric(float64(conns.Load()-conns0), "new-conns")
		})
	}
}

// processCPU returns the user and system CPU time of the process so far.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
