#!/usr/bin/env bash
# schema.sh — client CPU of `mwgen schema fetch` (the whole process: start,
# two requests, decode, validate, hash, write the snapshot) beside `curl`
# of the same two requests, against a local test wiki; issue 14's row
# "schema fetch client CPU, whole process, wikitext help" (goal <= 3x).
#
# Usage: bench/schema.sh            (ROUNDS=15 by default)
#
# It starts a private MediaWiki (internal/testwiki/mediawiki.sh) in a
# temporary directory on a free port, builds cmd/mwgen, and runs ROUNDS
# interleaved rounds of
#
#   curl -s URL1 -o FILE URL2 -o FILE   (one process, the two requests
#                                        mwgen sends: siteinfo and
#                                        paraminfo modules=main|** with
#                                        helpformat=wikitext)
#   mwgen schema fetch --api API -o FILE
#
# after a warm-up of each, measuring the user + system CPU of each child
# process with getrusage (python3). It prints the medians and the ratio,
# then stops the wiki and removes the directory. Holding the machine's
# shared lock (MWGEN_HEAVY_LOCK, default /tmp/mwgen-heavy.lock) for the
# timed rounds only; the wiki server never holds it.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MW=$ROOT/internal/testwiki/mediawiki.sh
# shellcheck source=wiki.sh
source "$ROOT/bench/wiki.sh"
ROUNDS=${ROUNDS:-15}
LOCK=${MWGEN_HEAVY_LOCK:-/tmp/mwgen-heavy.lock}

die() {
	echo "schema.sh: $*" >&2
	exit 1
}

[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive integer"
command -v curl >/dev/null || die "curl is needed"
command -v python3 >/dev/null || die "python3 is needed"
bash "$MW" install-deps

WORK=$(mktemp -d "${TMPDIR:-/tmp}/mwgen-bench-schema.XXXXXX")
WIKI=$WORK/wiki
cleanup() {
	stop_wiki "$WIKI"
	rm -rf "$WORK"
}
trap cleanup EXIT

# Start the wiki; the server stops itself should this script die.
start_wiki "$WIKI"
echo "wiki at $API" >&2

(cd "$ROOT" && go build -o "$WORK/mwgen" ./cmd/mwgen)

# The two requests exactly as apischema.Fetch sends them (url.Values.Encode).
SITEINFO="$API?action=query&format=json&formatversion=2&maxlag=5&meta=siteinfo%7Cuserinfo&siprop=general&uiprop=rights"
PARAMINFO="$API?action=paraminfo&format=json&formatversion=2&helpformat=wikitext&maxlag=5&modules=main%7C%2A%2A"

exec 9>>"$LOCK"
echo "waiting for $LOCK..." >&2
flock 9
python3 - "$ROUNDS" "$WORK" "$API" "$SITEINFO" "$PARAMINFO" 9>&- <<'EOF'
import os, resource, statistics, subprocess, sys

rounds, work, api, siteinfo, paraminfo = int(sys.argv[1]), *sys.argv[2:]
out = os.path.join(work, "out")
cmds = {
    "curl": ["curl", "-sf", siteinfo, "-o", out + ".site", paraminfo, "-o", out + ".param"],
    "mwgen": [os.path.join(work, "mwgen"), "schema", "fetch", "--api", api, "-o", out + ".json"],
}

def cpu(cmd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)

for cmd in cmds.values():  # warm-up: the wiki's caches, the page cache
    cpu(cmd)
size = os.path.getsize(out + ".param")
got = {k: [] for k in cmds}
for _ in range(rounds):
    for k, cmd in cmds.items():
        got[k].append(cpu(cmd))
med = {k: statistics.median(v) for k, v in got.items()}
print(f"schema fetch, client CPU (user+sys) of the whole process, median of {rounds} interleaved rounds")
print(f"  paraminfo answer: {size} bytes (helpformat=wikitext); snapshot written: {os.path.getsize(out + '.json')} bytes")
for k in cmds:
    lo, hi = min(got[k]), max(got[k])
    print(f"  {k:6s} {med[k] * 1000:7.1f} ms  (min {lo * 1000:.1f}, max {hi * 1000:.1f})")
print(f"  ratio mwgen/curl: {med['mwgen'] / med['curl']:.2f}x (goal <= 3x)")
EOF
flock -u 9
