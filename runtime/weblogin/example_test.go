package weblogin_test

import (
	"fmt"
	"log"
	"net/http"
	"os"

	"github.com/mwgen/mwgen/generated"
	"github.com/mwgen/mwgen/runtime"
	"github.com/mwgen/mwgen/runtime/oauth"
	"github.com/mwgen/mwgen/runtime/weblogin"
)

// A tool that lets its users log in with their Wikimedia account and edit
// as themselves.
func Example() {
	store, err := weblogin.NewFileStore("/var/lib/mytool/sessions")
	if err != nil {
		log.Fatal(err)
	}
	h, err := weblogin.New(weblogin.Config{
		API:       "https://meta.wikimedia.org/w/api.php",
		Consumer:  oauth.Credentials{ConsumerKey: os.Getenv("CONSUMER_KEY"), ConsumerSecret: os.Getenv("CONSUMER_SECRET")},
		Callback:  "https://mytool.toolforge.org/oauth-callback",
		Store:     store,
		UserAgent: "MyTool/1.0 (https://mytool.toolforge.org; me@example.org)",
	})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	h.Register(mux) // /login, /oauth-callback, /logout
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		if u := weblogin.UserFromContext(r.Context()); u != nil {
			fmt.Fprintf(w, "Hello, %s! <a href=\"/logout?next=/\">Log out</a>", u.Name)
			return
		}
		fmt.Fprint(w, `<a href="/login?next=/">Log in</a>`)
	})
	mux.HandleFunc("POST /sandbox", func(w http.ResponseWriter, r *http.Request) {
		if !h.ValidCSRF(r, r.PostFormValue("csrf")) {
			http.Error(w, "bad CSRF token", http.StatusForbidden)
			return
		}
		rt, err := h.Client(r) // signed with this user's access token
		if err != nil {
			http.Redirect(w, r, "/login?next=/", http.StatusSeeOther)
			return
		}
		_, err = generated.New(rt).Edit(r.Context(), &generated.EditParams{
			Title: "Project:Sandbox", Text: runtime.Set(r.PostFormValue("text")), Summary: "via MyTool",
		})
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		fmt.Fprint(w, "Saved.")
	})
	log.Fatal(http.ListenAndServe("127.0.0.1:8000", h.Middleware(mux)))
}
