# wiki.sh — sourced by the bench scripts: start_wiki DIR starts a private
# MediaWiki (internal/testwiki/mediawiki.sh) in DIR on a free port and sets
# API to its api.php URL; stop_wiki DIR stops it. The server stops itself
# should the sourcing script die (MWGEN_TESTWIKI_WATCH_PID). The caller
# defines die.

BENCH_MW=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/internal/testwiki/mediawiki.sh

free_port() {
	php -r '$s = stream_socket_server("tcp://127.0.0.1:0"); $n = stream_socket_get_name($s, false); echo substr($n, strrpos($n, ":") + 1);'
}

start_wiki() {
	local wiki=$1 log=$1.start.log started=false attempt port status
	export MWGEN_TESTWIKI_WATCH_PID=$$
	for attempt in 1 2 3 4 5; do
		port=$(free_port)
		if bash "$BENCH_MW" start "$wiki" "$port" >"$log" 2>&1; then
			started=true
			break
		else
			status=$?
		fi
		bash "$BENCH_MW" stop "$wiki" >/dev/null 2>&1 || true
		rm -rf "$wiki"
		((status == 3)) || { cat "$log" >&2; die "cannot start the wiki"; }
	done
	$started || die "no free port after 5 attempts"
	API=$(sed -n "s/^export MWGEN_TEST_API='\(.*\)'$/\1/p" "$wiki/wiki.env")
	[[ -n $API ]] || die "no MWGEN_TEST_API in $wiki/wiki.env"
}

stop_wiki() {
	bash "$BENCH_MW" stop "$1" >/dev/null 2>&1 || true
}
