module github.com/mwgen/mwgen

go 1.26

require (
	github.com/dave/jennifer v1.7.1
	github.com/dghubble/oauth1 v0.7.3
	github.com/golang-jwt/jwt/v5 v5.3.1
	github.com/google/go-cmp v0.7.0
	github.com/spf13/pflag v1.1.0
)

require golang.org/x/oauth2 v0.30.0

require github.com/go-json-experiment/json v1.27.2
