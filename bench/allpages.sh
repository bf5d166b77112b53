#!/usr/bin/env bash
# allpages.sh — client CPU, allocations and peak memory of enumerating pages
# through mwgen's generated client against a minimal loop on raw net/http +
# encoding/json (the floor), for list=allpages&aplimit=max and for
# generator=allpages&gaplimit=max&prop=revisions, at 2,000 and 20,000 pages,
# in one run, with medians and ratios.
#
# Usage: bench/allpages.sh
#
# Both sides are the program bench/allpages (loops in bench/allpages/loops:
# same HTTP client settings, parameters and headers; structs with the same
# fields; continuation followed). Each run of a program does one warm-up
# round and then enough timed rounds for 20,000 pages, and prints its CPU
# time per page (user+system, getrusage: the wiki is another process), wall
# time per page, heap allocations and bytes per page (runtime.MemStats) and
# peak RSS. A third variant, rawtyped, is the raw loop decoding into the
# generated package's page and item types: generated/raw is what the
# generated client costs in all, generated/rawtyped what its runtime costs
# (rawtyped/raw being what its bigger types cost). RUNS runs of each are
# interleaved (generated, raw, rawtyped, rawtyped, raw, generated, …) and
# their medians compared.
#
# The wiki: the one MWGEN_TEST_WIKI_DIR points at (internal/testwiki/
# mediawiki.sh start DIR PORT), else a private one started in a temporary
# directory and stopped at the end. The pages ("Mwgen bench allpages 0000"…
# for 2,000, "Mwgen bench big 00000"… for 20,000) are imported with
# importTextFiles.php when the wiki does not have them yet.
#
# Environment: SIZES (default "2000 20000"), MODES (default "list
# revisions"), RUNS (default 5), BENCH_LOCK (a file to flock around the
# imports and the timed runs, for a machine shared with other heavy jobs;
# the wiki server is never started under it).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MW=$ROOT/internal/testwiki/mediawiki.sh
# shellcheck source=wiki.sh
source "$ROOT/bench/wiki.sh"
IMPORT=/usr/share/mediawiki/maintenance/importTextFiles.php
SIZES=${SIZES:-2000 20000}
MODES=${MODES:-list revisions}
RUNS=${RUNS:-5}

die() {
	echo "allpages.sh: $*" >&2
	exit 1
}

[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer"
for n in $SIZES; do
	[[ $n =~ ^[1-9][0-9]*$ ]] || die "SIZES must be positive integers"
done

# locked CMD...: run CMD under BENCH_LOCK when set.
locked() {
	if [[ -n ${BENCH_LOCK:-} ]]; then
		flock "$BENCH_LOCK" "$@"
	else
		"$@"
	fi
}

# prefix N: the title prefix of the benchmark's N pages.
prefix() {
	case $1 in
	2000) echo "Mwgen bench allpages " ;; # as generated/bench_test.go
	20000) echo "Mwgen bench big " ;;
	*) echo "Mwgen bench n$1 " ;;
	esac
}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/mwgen-bench-allpages.XXXXXX")
WIKI=${MWGEN_TEST_WIKI_DIR:-}
OWN_WIKI=false
cleanup() {
	if $OWN_WIKI; then
		stop_wiki "$WIKI"
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT

if [[ -z $WIKI ]]; then
	bash "$MW" install-deps
	WIKI=$WORK/wiki
	OWN_WIKI=true
	# The server stops itself should this script die.
	start_wiki "$WIKI"
else
	API=$(sed -n "s/^export MWGEN_TEST_API='\(.*\)'$/\1/p" "$WIKI/wiki.env")
	[[ -n $API ]] || die "no MWGEN_TEST_API in $WIKI/wiki.env"
fi
GENERATOR=$(php -r '$j = json_decode(file_get_contents($argv[1]), true); echo $j["query"]["general"]["generator"];' \
	"$API?action=query&meta=siteinfo&format=json&formatversion=2")
echo "wiki: $GENERATOR at $API" >&2

# count PREFIX: how many pages the wiki has whose titles start with PREFIX.
count() {
	php -r '
		$n = 0; $cont = "";
		do {
			$j = json_decode(file_get_contents($argv[1] . "?action=query&list=allpages&aplimit=max&format=json&formatversion=2&apprefix=" . urlencode($argv[2]) . $cont), true);
			$n += count($j["query"]["allpages"]);
			$cont = isset($j["continue"]) ? "&apcontinue=" . urlencode($j["continue"]["apcontinue"]) : "";
		} while ($cont !== "");
		echo $n;' "$API" "$1"
}

# Import the pages straight into the database (about 20 ms a page, against
# some 70 ms for an API edit). The script expands the quoted glob itself.
for n in $SIZES; do
	p=$(prefix "$n")
	have=$(count "$p")
	((have == n)) && continue
	((have < n)) || die "the wiki has $have pages titled \"$p…\", want $n"
	mkdir -p "$WORK/pages$n"
	for ((i = 0; i < n; i++)); do
		printf 'Page %d of %s\n' "$i" "${p% }" >"$WORK/pages$n/$(printf '%05d' "$i").txt"
	done
	SECONDS=0
	locked env MW_CONFIG_FILE="$WIKI/LocalSettings.php" php "$IMPORT" --prefix "$p" --bot \
		--summary "mwgen allpages benchmark" "$WORK/pages$n/*.txt" >"$WORK/import.log" 2>&1 ||
		{ tail -n 20 "$WORK/import.log" >&2; die "importTextFiles.php failed"; }
	((have = $(count "$p"), have == n)) || die "the wiki has $have pages titled \"$p…\" after the import, want $n"
	echo "imported $n pages in ${SECONDS} s" >&2
done

(cd "$ROOT" && go build -o "$WORK/allpages" ./bench/allpages)

# run SIZE MODE VARIANT: one run of the program; appends its line to
# $WORK/results.
run() {
	local n=$1 mode=$2 v=$3 rounds=$((20000 / $1 > 1 ? 20000 / $1 : 1))
	"$WORK/allpages" -api "$API" -variant "$v" -mode "$mode" -prefix "$(prefix "$n")" -pages "$n" -rounds "$rounds" \
		>>"$WORK/results" || die "$v $mode $n failed"
}

timed() {
	for n in $SIZES; do
		for mode in $MODES; do
			for ((r = 1; r <= RUNS; r++)); do
				if ((r % 2)); then
					run "$n" "$mode" generated
					run "$n" "$mode" raw
					run "$n" "$mode" rawtyped
				else
					run "$n" "$mode" rawtyped
					run "$n" "$mode" raw
					run "$n" "$mode" generated
				fi
			done
		done
	done
}
export -f run prefix die
export WORK API
locked bash -c "$(declare -f timed); SIZES='$SIZES' MODES='$MODES' RUNS=$RUNS timed"

echo "allpages: $RUNS interleaved runs of each side, medians; anonymous client (500 pages a request)"
awk '
	function median(key, a, n, i, j, t) {
		n = split(vals[key], a, " ")
		for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	{
		delete f
		for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
		k = f["pages"] SUBSEP f["mode"] SUBSEP f["variant"]
		if (!(f["pages"] SUBSEP f["mode"] in seen)) { seen[f["pages"] SUBSEP f["mode"]] = 1; order[++no] = f["pages"] SUBSEP f["mode"] }
		for (m in f) if (m ~ /\//) vals[k SUBSEP m] = vals[k SUBSEP m] " " f[m]
		vals[k SUBSEP "maxrss-kb"] = vals[k SUBSEP "maxrss-kb"] " " f["maxrss-kb"]
	}
	END {
		printf "%-6s %-9s %-9s %12s %10s %11s %10s %11s\n", "pages", "mode", "variant", "cpu-ns/page", "ns/page", "allocs/page", "B/page", "maxRSS KB"
		for (o = 1; o <= no; o++) {
			split(order[o], pm, SUBSEP)
			for (v = 1; v <= 3; v++) {
				var = v == 1 ? "generated" : v == 2 ? "raw" : "rawtyped"
				k = order[o] SUBSEP var
				c[v] = median(k SUBSEP "cpu-ns/page"); w[v] = median(k SUBSEP "ns/page")
				a[v] = median(k SUBSEP "allocs/page"); b[v] = median(k SUBSEP "bytes/page"); r[v] = median(k SUBSEP "maxrss-kb")
				printf "%-6s %-9s %-9s %12.0f %10.0f %11.2f %10.0f %11.0f\n", pm[1], pm[2], var, c[v], w[v], a[v], b[v], r[v]
			}
			printf "%-6s %-9s %-9s %11.3fx %9.3fx %10.3fx %9.3fx %10.3fx\n", pm[1], pm[2], "gen/raw", c[1] / c[2], w[1] / w[2], a[1] / a[2], b[1] / b[2], r[1] / r[2]
			printf "%-6s %-9s %-9s %11.3fx %9.3fx %10.3fx %9.3fx %10.3fx\n", pm[1], pm[2], "gen/rawtyp", c[1] / c[3], w[1] / w[3], a[1] / a[3], b[1] / b[3], r[1] / r[3]
		}
	}' "$WORK/results"
