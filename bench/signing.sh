#!/usr/bin/env bash
# signing.sh — issue 14's benchmarks beside their anchors, medians of
# interleaved rounds, and the ratios.
#
# Usage: bench/signing.sh            (ROUNDS=5 BENCHTIME=1s by default)
#        BASE=<git revision> bench/signing.sh
#
# It builds three test binaries, then, holding the machine's shared lock
# (MWGEN_HEAVY_LOCK, default /tmp/mwgen-heavy.lock, when flock exists),
# runs ROUNDS rounds of each, one after the other (so that a slow moment
# hits ours and its anchor alike):
#
#   runtime/oauth        BenchmarkSignGET, BenchmarkSignPOST1K: our
#                        Transport, dghubble/oauth1's, our Signer alone,
#                        building the request alone, dghubble's HMACSigner,
#                        HMAC-SHA1 of the same base string keyed per call
#                        and keyed once;
#   bench/signedrequest  BenchmarkSignedRequest: meta=userinfo through
#                        net/http alone, net/http + oauth.Transport,
#                        runtime.Client + generated Query unsigned, signed,
#                        signed with RefreshingTransport, against a local
#                        server, with the process CPU per request;
#   apischema            BenchmarkDecodeDefault beside
#                        BenchmarkPlainDecodeSnapshot (encoding/json).
#
# With BASE set, the same benchmark files are also built against that
# revision of the code (git archive) and run in the same rounds, reported
# as "BASE:..." and "before" figures.
#
# Then it prints the medians (time, B/op, allocs/op, cpu-ns/op) and the
# ratios and differences of issue 14's table. The raw output is kept in
# $OUT (default a temporary file, printed at the end).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROUNDS=${ROUNDS:-5}
BENCHTIME=${BENCHTIME:-1s}
LOCK=${MWGEN_HEAVY_LOCK:-/tmp/mwgen-heavy.lock}
OUT=${OUT:-$(mktemp "${TMPDIR:-/tmp}/mwgen-bench-signing.XXXXXX")}
BIN=$(mktemp -d "${TMPDIR:-/tmp}/mwgen-bench-signing-bin.XXXXXX")
trap 'rm -rf "$BIN"' EXIT

[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || { echo "signing.sh: ROUNDS must be a positive integer" >&2; exit 1; }

cd "$ROOT"
echo "building the test binaries..." >&2
go test -c -o "$BIN/oauth.test" ./runtime/oauth
go test -c -o "$BIN/signedrequest.test" ./bench/signedrequest
go test -c -o "$BIN/apischema.test" ./apischema
if [[ -n ${BASE:-} ]]; then
	echo "building them against $BASE..." >&2
	mkdir -p "$BIN/base"
	git archive "$BASE" | tar -x -C "$BIN/base"
	mkdir -p "$BIN/base/bench/signedrequest"
	cp runtime/oauth/bench_test.go "$BIN/base/runtime/oauth/"
	cp bench/signedrequest/signedrequest_test.go "$BIN/base/bench/signedrequest/"
	cp apischema/plaindecode_bench_test.go "$BIN/base/apischema/"
	(cd "$BIN/base" && go test -c -o "$BIN/base-oauth.test" ./runtime/oauth &&
		go test -c -o "$BIN/base-signedrequest.test" ./bench/signedrequest &&
		go test -c -o "$BIN/base-apischema.test" ./apischema)
fi

# run_one PREFIX: one round of the three binaries named PREFIX*.test.
run_one() {
	(cd runtime/oauth && "$BIN/${1}oauth.test" -test.run '^$' -test.bench '^(BenchmarkSignGET|BenchmarkSignPOST1K)$' \
		-test.benchmem -test.benchtime "$BENCHTIME" 9>&-)
	(cd bench/signedrequest && "$BIN/${1}signedrequest.test" -test.run '^$' -test.bench '^BenchmarkSignedRequest$' \
		-test.benchmem -test.benchtime "$BENCHTIME" 9>&-)
	(cd apischema && "$BIN/${1}apischema.test" -test.run '^$' -test.bench '^(BenchmarkDecodeDefault|BenchmarkPlainDecodeSnapshot)$' \
		-test.benchmem -test.benchtime "$BENCHTIME" 9>&-)
}

run_all() {
	local i
	for ((i = 1; i <= ROUNDS; i++)); do
		echo "round $i of $ROUNDS..." >&2
		run_one ""
		if [[ -n ${BASE:-} ]]; then
			run_one base- | sed 's/^Benchmark/BASE:Benchmark/'
		fi
	done
}

: >"$OUT"
if command -v flock >/dev/null; then
	echo "waiting for $LOCK..." >&2
	exec 9>>"$LOCK"
	flock 9
fi
go version >>"$OUT"
# (The lock's descriptor, 9, is closed for the benchmarks, so that no
# process they might leave behind keeps the lock.)
run_all >>"$OUT" 2>&1
if command -v flock >/dev/null; then
	flock -u 9
fi

# Medians per benchmark and unit, then the table.
awk -v rounds="$ROUNDS" '
function median(key,   n, i, j, t, a) {
	n = cnt[key]
	for (i = 1; i <= n; i++) a[i] = val[key, i]
	for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
	if (n == 0) return -1
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function m(name, unit) { return median(name SUBSEP unit) }
function us(ns) { return ns < 0 ? "n/a" : sprintf("%.2f µs", ns / 1000) }
function diff(a, b) { return (a < 0 || b < 0) ? "n/a" : sprintf("%+.2f µs", (a - b) / 1000) }
function ratio(a, b) { return (a < 0 || b <= 0) ? "n/a" : sprintf("%.2f×", a / b) }
/^(BASE:)?Benchmark/ {
	name = $1; sub(/-[0-9]+$/, "", name)
	for (i = 3; i < NF; i += 2) {
		key = name SUBSEP $(i + 1)
		cnt[key]++; val[key, cnt[key]] = $i + 0
	}
	names[name] = 1
}
END {
	printf "medians of %d rounds\n\n", rounds
	printf "%-50s %14s %12s %10s %14s\n", "benchmark", "time/op", "B/op", "allocs/op", "cpu/op"
	n = 0; for (k in names) list[++n] = k
	for (i = 2; i <= n; i++) { t = list[i]; for (j = i - 1; j >= 1 && list[j] > t; j--) list[j + 1] = list[j]; list[j + 1] = t }
	for (i = 1; i <= n; i++) {
		k = list[i]
		printf "%-50s %14s %12d %10d %14s\n", k, us(m(k, "ns/op")), m(k, "B/op"), m(k, "allocs/op"), m(k, "cpu-ns/op") < 0 ? "" : us(m(k, "cpu-ns/op"))
	}
	for (row = 1; row <= 2; row++) {
		b = row == 1 ? "BenchmarkSignGET" : "BenchmarkSignPOST1K"
		goal = row == 1 ? "goal <= 2.5 µs, <= 15 allocs" : "goal <= 5 µs, <= 20 allocs"
		ours = m(b "/Ours", "ns/op")
		printf "\n%s (%s)\n", row == 1 ? "sign a GET, 8 params" : "sign a 1 KB form POST", goal
		printf "  ours (Transport, request built): %s, %d allocs\n", us(ours), m(b "/Ours", "allocs/op")
		if (("BASE:" b "/Ours") in names)
			printf "  before (BASE):                   %s, %d allocs: now %s of it\n", us(m("BASE:" b "/Ours", "ns/op")), m("BASE:" b "/Ours", "allocs/op"), ratio(ours, m("BASE:" b "/Ours", "ns/op"))
		printf "  ours / dghubble Transport:       %s (dghubble %s, %d allocs)\n", ratio(ours, m(b "/Dghubble", "ns/op")), us(m(b "/Dghubble", "ns/op")), m(b "/Dghubble", "allocs/op")
		printf "  ours / HMAC-SHA1 keyed per call: %s (HMAC %s)\n", ratio(ours, m(b "/HMACKeyedPerCall", "ns/op")), us(m(b "/HMACKeyedPerCall", "ns/op"))
		printf "  ours / HMAC-SHA1 keyed once:     %s (HMAC %s)\n", ratio(ours, m(b "/HMACKeyedOnce", "ns/op")), us(m(b "/HMACKeyedOnce", "ns/op"))
		printf "  of which building the request:   %s, %d allocs\n", us(m(b "/NewRequest", "ns/op")), m(b "/NewRequest", "allocs/op")
		printf "  our Signer alone:                %s, %d allocs\n", us(m(b "/OursSignerOnly", "ns/op")), m(b "/OursSignerOnly", "allocs/op")
		printf "  of which dghubble HMACSigner:    %s, %d allocs\n", us(m(b "/DghubbleHMACSigner", "ns/op")), m(b "/DghubbleHMACSigner", "allocs/op")
	}
	b = "BenchmarkSignedRequest"
	u = m(b "/Unsigned", "cpu-ns/op"); s = m(b "/Signed", "cpu-ns/op"); r = m(b "/SignedRefreshing", "cpu-ns/op")
	ru = m(b "/RawHTTP", "cpu-ns/op"); rs = m(b "/RawHTTPSigned", "cpu-ns/op")
	printf "\nclient CPU a signed request adds, end to end (goal <= 40 µs)\n"
	printf "  runtime.Client + generated Query: unsigned %s, signed %s: %s (%+d allocs)\n", us(u), us(s), diff(s, u), m(b "/Signed", "allocs/op") - m(b "/Unsigned", "allocs/op")
	printf "  with RefreshingTransport:         %s: %s (%+d allocs)\n", us(r), diff(r, u), m(b "/SignedRefreshing", "allocs/op") - m(b "/Unsigned", "allocs/op")
	printf "  net/http alone %s, + oauth.Transport %s: %s\n", us(ru), us(rs), diff(rs, ru)
	if (("BASE:" b "/Signed") in names)
		printf "  before (BASE): unsigned %s, signed %s: %s; refreshing %s\n", us(m("BASE:" b "/Unsigned", "cpu-ns/op")), us(m("BASE:" b "/Signed", "cpu-ns/op")), diff(m("BASE:" b "/Signed", "cpu-ns/op"), m("BASE:" b "/Unsigned", "cpu-ns/op")), diff(m("BASE:" b "/SignedRefreshing", "cpu-ns/op"), m("BASE:" b "/Unsigned", "cpu-ns/op"))
	printf "  (cpu/op is the whole process: the in-process server too)\n"
	d = m("BenchmarkDecodeDefault", "ns/op"); p = m("BenchmarkPlainDecodeSnapshot", "ns/op")
	printf "\ndecode + validate + hash the embedded snapshot (goal <= 1.5× the plain decode)\n"
	printf "  Default() %s, %d allocs; plain encoding/json %s, %d allocs: %s\n", us(d), m("BenchmarkDecodeDefault", "allocs/op"), us(p), m("BenchmarkPlainDecodeSnapshot", "allocs/op"), ratio(d, p)
}' "$OUT"
echo
echo "raw output: $OUT"
