#!/usr/bin/env bash
# buildcost.sh — what the generated 1.39 package (generated/) costs to build
# and to ship, at one or more commits: its lines, the `go build` time of the
# package and of a one-call program on it, against the same call on raw
# net/http + encoding/json, and the size of both binaries.
#
# Usage: bench/buildcost.sh [REV...]   (default: the working tree; a REV is
#                                       any commit, exported with git archive)
#
# Method. The standard library is compiled once into a scratch GOCACHE (the
# packages the two programs import), which is then copied afresh before
# every timed build: each build finds the standard library cached and every
# mwgen package (internal/version, runtime, runtime/gensupport, generated)
# uncached, as in a project that has just added or regenerated the client.
# `go build ./generated` compiles the package and its mwgen dependencies;
# the one-call programs (one Query with meta=siteinfo, printing the raw
# body) are compiled and linked. Times are wall-clock medians of RUNS
# (default 5) builds, interleaved; GOMAXPROCS as the machine has it.
# Binary sizes are of `go build` with default flags, or with the build tags
# in TAGS (TAGS=mwgen_jsonv1: the runtime decodes with encoding/json).
#
# Environment: RUNS (default 5), BENCH_LOCK (a file to flock around the
# timed builds, for a machine shared with other heavy jobs).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=${RUNS:-5}
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || { echo "buildcost.sh: RUNS must be a positive integer" >&2; exit 1; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mwgen-buildcost.XXXXXX")
trap 'chmod -R u+w "$WORK" 2>/dev/null; rm -rf "$WORK"' EXIT

locked() {
	if [[ -n ${BENCH_LOCK:-} ]]; then
		flock "$BENCH_LOCK" "$@"
	else
		"$@"
	fi
}

# The one-call program on the generated client: a typed answer has Raw(),
# an untyped one (before typed answers) a Raw field.
read -r -d '' ONECALL <<'GO' || true
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/mwgen/mwgen/generated"
	"github.com/mwgen/mwgen/runtime"
)

func main() {
	rt, err := runtime.NewClient(os.Args[1], runtime.Options{UserAgent: "mwgen-buildcost/1 (https://github.com/mwgen/mwgen)"})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	res, err := generated.New(rt).Query(context.Background(), &generated.QueryParams{Meta: generated.QueryMetas{Siteinfo: &generated.QuerySiteinfoParams{}}})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var raw json.RawMessage
	switch r := any(res).(type) {
	case interface{ Raw() json.RawMessage }:
		raw = r.Raw()
	case *runtime.Response:
		raw = r.Raw
	}
	fmt.Println(string(raw))
}
GO

# The same call on raw net/http + encoding/json.
read -r -d '' RAWCALL <<'GO' || true
package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
)

func main() {
	q := url.Values{"action": {"query"}, "meta": {"siteinfo"}, "format": {"json"}, "formatversion": {"2"}}
	req, err := http.NewRequest("GET", os.Args[1]+"?"+q.Encode(), nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	req.Header.Set("User-Agent", "mwgen-buildcost/1 (https://github.com/mwgen/mwgen)")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer resp.Body.Close()
	var v json.RawMessage
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(string(v))
}
GO

revs=("$@")
((${#revs[@]})) || revs=(worktree)

# Export each tree, with the two programs in it.
for i in "${!revs[@]}"; do
	dir=$WORK/tree$i
	if [[ ${revs[i]} == worktree ]]; then
		mkdir -p "$dir"
		(cd "$ROOT" && tar -cf - --exclude=.git .) | tar -xf - -C "$dir"
	else
		mkdir -p "$dir"
		git -C "$ROOT" archive "${revs[i]}" | tar -xf - -C "$dir"
	fi
	mkdir -p "$dir/cmd/buildcost-onecall" "$dir/cmd/buildcost-raw"
	printf '%s\n' "$ONECALL" >"$dir/cmd/buildcost-onecall/main.go"
	printf '%s\n' "$RAWCALL" >"$dir/cmd/buildcost-raw/main.go"
done

# Warm a cache with the standard library the programs need.
export GOFLAGS="-mod=mod${TAGS:+ -tags=$TAGS}"
WARM=$WORK/cache-warm
std=$(cd "$WORK/tree0" && go list -deps -f '{{if .Standard}}{{.ImportPath}}{{end}}' ./cmd/buildcost-onecall ./cmd/buildcost-raw | sort -u)
(cd "$WORK/tree0" && GOCACHE=$WARM locked go build $std)

# timebuild DIR PKG: seconds of one `go build` of PKG in DIR on a fresh copy
# of the warm cache.
timebuild() {
	rm -rf "$WORK/cache"
	cp -a "$WARM" "$WORK/cache"
	local t0 t1
	t0=$(date +%s.%N)
	(cd "$1" && GOCACHE=$WORK/cache go build -o "$WORK/out.bin" "$2")
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
}

timed() {
	for ((r = 1; r <= RUNS; r++)); do
		for i in "${!revs[@]}"; do
			dir=$WORK/tree$i
			echo "$i pkg $(timebuild "$dir" ./generated)"
			echo "$i onecall $(timebuild "$dir" ./cmd/buildcost-onecall)"
			echo "$i raw $(timebuild "$dir" ./cmd/buildcost-raw)"
		done
	done
}
export -f timebuild
export WORK WARM
locked bash -c "$(declare -f timed); revs=(${revs[*]}); RUNS=$RUNS timed" >"$WORK/times"

median() { sort -n | awk '{ a[NR] = $1 } END { print NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

printf '%-10s %8s %9s %12s %14s %10s %13s %11s %8s\n' rev "lines" "KB src" "build pkg s" "build 1call s" "build raw s" "1call bytes" "raw bytes" "size x"
for i in "${!revs[@]}"; do
	dir=$WORK/tree$i
	lines=$(cat "$dir"/generated/*.go | wc -l)
	tests=$(cat "$dir"/generated/*_test.go 2>/dev/null | wc -l)
	kb=$(cat $(ls "$dir"/generated/*.go | grep -v '_test\.go$') | wc -c)
	(cd "$dir" && go build -o "$WORK/one.bin" ./cmd/buildcost-onecall && go build -o "$WORK/raw.bin" ./cmd/buildcost-raw)
	one=$(stat -c %s "$WORK/one.bin")
	raw=$(stat -c %s "$WORK/raw.bin")
	pkg=$(awk -v i="$i" '$1 == i && $2 == "pkg" { print $3 }' "$WORK/times" | median)
	oc=$(awk -v i="$i" '$1 == i && $2 == "onecall" { print $3 }' "$WORK/times" | median)
	rc=$(awk -v i="$i" '$1 == i && $2 == "raw" { print $3 }' "$WORK/times" | median)
	rev=${revs[i]}
	[[ $rev == worktree ]] || rev=$(git -C "$ROOT" rev-parse --short "$rev")
	printf '%-10s %8d %9d %12s %14s %10s %13d %11d %7.3fx\n' "$rev" $((lines - tests)) $((kb / 1024)) "$pkg" "$oc" "$rc" "$one" "$raw" \
		"$(awk -v a="$one" -v b="$raw" 'BEGIN { print a / b }')"
done
echo "lines: generated/*.go without tests; builds: median of $RUNS, stdlib cached, mwgen packages not"
