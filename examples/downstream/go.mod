module example.com/downstream

go 1.26

require github.com/mwgen/mwgen v0.0.0

require (
	github.com/dave/jennifer v1.7.1 // indirect
	github.com/dghubble/oauth1 v0.7.3 // indirect
	github.com/go-json-experiment/json v1.27.2 // indirect
	github.com/golang-jwt/jwt/v5 v5.3.1 // indirect
	github.com/spf13/pflag v1.1.0 // indirect
	golang.org/x/oauth2 v0.30.0 // indirect
)

tool github.com/mwgen/mwgen/cmd/mwgen

// The example builds against this checkout of mwgen. In your module, drop
// the replace and require a released version instead:
//
//	go get -tool github.com/mwgen/mwgen/cmd/mwgen@latest
replace github.com/mwgen/mwgen => ../..
