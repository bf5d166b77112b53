// Command webapp is an example web application on runtime/weblogin: users
// log in with their wiki account (OAuth 1.0a, or OAuth 2.0 with --oauth2),
// see their groups, and edit a page as themselves through the generated
// client.
//
//	MWGEN_CONSUMER_KEY=... MWGEN_CONSUMER_SECRET=... \
//	  go run ./examples/webapp --api https://test.wikipedia.org/w/api.php --listen 127.0.0.1:8000
//
//	MWGEN_OAUTH2_CLIENT_ID=... MWGEN_OAUTH2_CLIENT_SECRET=... \
//	  go run ./examples/webapp --oauth2 --api https://test.wikipedia.org/w/api.php
//
// For OAuth 2.0 register a client (Special:OAuthConsumerRegistration/propose/oauth2)
// with the callback URL http://LISTEN/oauth-callback; leave
// MWGEN_OAUTH2_CLIENT_SECRET unset for a public client.
//
// Register the consumer (Special:OAuthConsumerRegistration/propose/oauth1a)
// with the callback URL http://LISTEN/oauth-callback and "Allow consumer to
// specify a callback in requests and use 'callback' URL above as a
// required prefix" ticked, and the grants "Edit existing pages" and
// "Create, edit, and move pages". Sessions are kept in memory unless
// --sessions names a directory.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "webapp:", err)
		os.Exit(1)
	}
}

func run() error {
	api := flag.String("api", "", "the wiki's api.php `URL` (required)")
	listen := flag.String("listen", "127.0.0.1:8000", "`host:port` to listen on; the OAuth callback is http://host:port/oauth-callback")
	sessions := flag.String("sessions", "", "`directory` for the sessions, so that they survive a restart (default: in memory)")
	callback := flag.String("callback", "", "the OAuth callback `URL` when it is not http://LISTEN/oauth-callback (behind a proxy)")
	useOAuth2 := flag.Bool("oauth2", false, "log users in with OAuth 2.0 (client from MWGEN_OAUTH2_CLIENT_ID and MWGEN_OAUTH2_CLIENT_SECRET)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "Usage: webapp --api URL [--listen host:port] [--sessions DIR]\n\n"+
			"The OAuth consumer's key and secret are read from MWGEN_CONSUMER_KEY and MWGEN_CONSUMER_SECRET;\n"+
			"with --oauth2, the client's id and secret from MWGEN_OAUTH2_CLIENT_ID and MWGEN_OAUTH2_CLIENT_SECRET.\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() > 0 {
		flag.Usage()
		return fmt.Errorf("unexpected arguments: %q", flag.Args())
	}
	if *api == "" {
		flag.Usage()
		return errors.New("--api is required")
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	addr := publicHostPort(ln.Addr().String())
	h, err := newApp(appConfig{
		API:                *api,
		Listen:             addr,
		ConsumerKey:        os.Getenv("MWGEN_CONSUMER_KEY"),
		ConsumerSecret:     os.Getenv("MWGEN_CONSUMER_SECRET"),
		OAuth2:             *useOAuth2,
		OAuth2ClientID:     os.Getenv("MWGEN_OAUTH2_CLIENT_ID"),
		OAuth2ClientSecret: os.Getenv("MWGEN_OAUTH2_CLIENT_SECRET"),
		Sessions:           *sessions,
		Callback:           *callback,
		Logger:             logger,
	})
	if err != nil {
		ln.Close()
		return err
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      3 * time.Minute,
		IdleTimeout:       2 * time.Minute,
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdownCtx)
	}()
	cb := *callback
	if cb == "" {
		cb = "http://" + addr + "/oauth-callback"
	}
	logger.Info("webapp: listening", "url", "http://"+addr+"/", "callback", cb)
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
