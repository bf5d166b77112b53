#!/usr/bin/env bash
# allpages.sh — time and peak memory of enumerating 2,000 pages with
# list=allpages&aplimit=max, through mwgen's generated client and through a
# minimal loop on raw net/http + encoding/json.
#
# Usage: bench/allpages.sh
#
# It starts a private MediaWiki (internal/testwiki/mediawiki.sh) in a
# temporary directory on a free port, imports the pages with
# importTextFiles.php, builds bench/allpages/generated and bench/allpages/raw,
# runs each under `/usr/bin/time -f '%M KB'` (a warm-up round, then ROUNDS
# timed rounds), prints ns/page and the maximum resident set size of each
# and their ratios, then stops the wiki and removes the directory.
#
# Environment: PAGES (default 2000), ROUNDS (default 20). The Debian packages
# of the wiki, and `time` for /usr/bin/time, are installed when missing
# (apt-get, as root or through sudo).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MW=$ROOT/internal/testwiki/mediawiki.sh
# shellcheck source=wiki.sh
source "$ROOT/bench/wiki.sh"
IMPORT=/usr/share/mediawiki/maintenance/importTextFiles.php
PAGES=${PAGES:-2000}
ROUNDS=${ROUNDS:-20}
PREFIX="Mwgen bench allpages "

die() {
	echo "allpages.sh: $*" >&2
	exit 1
}

[[ $PAGES =~ ^[1-9][0-9]*$ && $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "PAGES and ROUNDS must be positive integers"

# apt_install PKG...: install Debian packages, as root or through sudo.
apt_install() {
	local sudo=()
	if ((EUID != 0)); then
		command -v sudo >/dev/null || die "not root and no sudo: install $* by hand"
		sudo=(sudo)
	fi
	"${sudo[@]}" apt-get update >&2
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >&2
}

[[ -x /usr/bin/time ]] || apt_install time
bash "$MW" install-deps

WORK=$(mktemp -d "${TMPDIR:-/tmp}/mwgen-bench-allpages.XXXXXX")
WIKI=$WORK/wiki
cleanup() {
	stop_wiki "$WIKI"
	rm -rf "$WORK"
}
trap cleanup EXIT

# Start the wiki; the server stops itself should this script die.
start_wiki "$WIKI"
GENERATOR=$(php -r '$j = json_decode(file_get_contents($argv[1]), true); echo $j["query"]["general"]["generator"];' \
	"$API?action=query&meta=siteinfo&format=json&formatversion=2")
echo "wiki: $GENERATOR at $API" >&2

# Import the pages straight into the database (about 20 ms a page, against
# some 70 ms for an API edit). The script expands the quoted glob itself.
mkdir "$WORK/pages"
for ((i = 0; i < PAGES; i++)); do
	printf 'Page %d of the allpages benchmark\n' "$i" >"$WORK/pages/$(printf '%04d' "$i").txt"
done
SECONDS=0
MW_CONFIG_FILE=$WIKI/LocalSettings.php php "$IMPORT" --prefix "$PREFIX" --bot \
	--summary "mwgen allpages benchmark" "$WORK/pages/*.txt" >"$WORK/import.log" 2>&1 ||
	{ tail -n 20 "$WORK/import.log" >&2; die "importTextFiles.php failed"; }
grep -q "^Done! $PAGES succeeded, 0 skipped" "$WORK/import.log" ||
	{ tail -n 20 "$WORK/import.log" >&2; die "importTextFiles.php did not create $PAGES pages"; }
echo "imported $PAGES pages in ${SECONDS} s" >&2

(cd "$ROOT" && go build -o "$WORK/bin/generated" ./bench/allpages/generated &&
	go build -o "$WORK/bin/raw" ./bench/allpages/raw)

# run VARIANT: run one program under /usr/bin/time; sets NS and KB.
run() {
	local v=$1
	if ! /usr/bin/time -f '%M KB' -o "$WORK/$v.time" \
		"$WORK/bin/$v" -api "$API" -prefix "$PREFIX" -pages "$PAGES" -rounds "$ROUNDS" >"$WORK/$v.out"; then
		cat "$WORK/$v.out" "$WORK/$v.time" >&2
		die "$v failed"
	fi
	NS=$(sed -n 's/.*ns\/page=\([0-9.]*\).*/\1/p' "$WORK/$v.out")
	KB=$(sed -n 's/^\([0-9]*\) KB$/\1/p' "$WORK/$v.time")
	[[ -n $NS && -n $KB ]] || die "$v: cannot read its output: $(cat "$WORK/$v.out" "$WORK/$v.time")"
}

run generated
GEN_NS=$NS GEN_KB=$KB
run raw
RAW_NS=$NS RAW_KB=$KB

echo "allpages: $PAGES pages, aplimit=max (500 a request, anonymous), 1 warm-up + $ROUNDS timed rounds each"
printf '%-10s %12s %14s\n' variant ns/page "max RSS"
printf '%-10s %12s %11s KB\n' generated "$GEN_NS" "$GEN_KB"
printf '%-10s %12s %11s KB\n' raw "$RAW_NS" "$RAW_KB"
awk -v gn="$GEN_NS" -v rn="$RAW_NS" -v gk="$GEN_KB" -v rk="$RAW_KB" \
	'BEGIN { printf "ratio generated/raw: time %.2fx, max RSS %.2fx\n", gn / rn, gk / rk }'
