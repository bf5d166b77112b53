#!/usr/bin/env bash
# mediawiki.sh — a throwaway MediaWiki (Debian's mediawiki 1.39 package,
# SQLite, all bundled extensions) for mwgen's integration tests.
#
# Usage:
#   mediawiki.sh install-deps      install the Debian packages if missing
#   mediawiki.sh start DIR PORT    install a fresh wiki into DIR (absent or
#                                  empty) and serve it on 127.0.0.1:PORT
#   mediawiki.sh stop DIR          stop the server started from DIR (files stay)
#
# After `start`, DIR/wiki.env holds shell-sourceable settings for the tests:
#   source DIR/wiki.env && go test ./...
# (MWGEN_TEST_WIKI_DIR in it makes testwiki.Require reuse the running wiki.)
#
# Nothing outside DIR is written: MediaWiki reads DIR/LocalSettings.php via
# MW_CONFIG_FILE. Logs: DIR/install.log, DIR/server.log; set
# MWGEN_TEST_DEBUG_LOG=1 when starting to get MediaWiki's DIR/debug.log.
#
# Exit status: 0 ok, 1 failure, 2 usage error, 3 the port is already in use
# (pick another port and a fresh DIR).
#
# Environment for `start`:
#   MWGEN_TESTWIKI_WATCH_PID  if set, the server stops itself when this
#                             process exits (used by the Go helper so a killed
#                             test binary does not leak a server).
#   MWGEN_TESTWIKI_NONINTERACTIVE=1
#                             install-deps uses `sudo -n` (never prompts).
#   MWGEN_TEST_DEBUG_LOG=1    enable DIR/debug.log.
set -euo pipefail

MW_ROOT=${MW_ROOT:-/usr/share/mediawiki}
PACKAGES=(mediawiki php-cli php-sqlite3 php-mbstring php-xml php-intl)

# Fixed, test-only credentials (the wiki only listens on 127.0.0.1).
ADMIN_USER=Admin
ADMIN_PASSWORD=Mwgen-Test-Admin-Passw0rd-1.39
BOT_APPID=mwgen
# Bot passwords must be at least 32 characters.
BOT_PASSWORD=mwgentestbotpassw0rd4integration
# Every grant MediaWiki 1.39 (with the bundled extensions) accepts.
BOT_GRANTS=basic,highvolume,editpage,editprotected,createeditmovepage,uploadfile,uploadeditmovefile,patrol,rollback,delete,protect,editinterface,editsiteconfig,editmycssjs,editmyoptions,editmywatchlist,viewmywatchlist,sendemail,createaccount,blockusers,viewdeleted,viewrestrictedlogs,mergehistory,import,privateinfo,oversight,oath

SCRIPT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")

die() {
	echo "mediawiki.sh: $*" >&2
	exit 1
}

usage() {
	sed -n '2,/^set -euo/p' "$SCRIPT" | sed '$d; s/^# \{0,1\}//' >&2
	exit 2
}

# tail_log FILE: the end of a log file, indented, for error messages.
tail_log() {
	if [[ -s $1 ]]; then
		echo "--- last lines of $1 ---" >&2
		tail -n 40 "$1" | sed 's/^/    /' >&2
		echo "---" >&2
	fi
}

# fetch URL: print the body, fail when there is no HTTP answer. Uses PHP so
# that nothing beyond the wiki's own packages is needed.
fetch() {
	php -n -r '
		$ctx = stream_context_create(["http" => ["timeout" => 10, "ignore_errors" => true]]);
		$body = @file_get_contents($argv[1], false, $ctx);
		if ($body === false) { exit(1); }
		echo $body;' "$1"
}

port_in_use() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

cmd_install_deps() {
	local missing=() p
	for p in "${PACKAGES[@]}"; do
		if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
			missing+=("$p")
		fi
	done
	if ((${#missing[@]} == 0)); then
		return 0
	fi
	echo "mediawiki.sh: installing ${missing[*]}" >&2
	local sudo=()
	if ((EUID != 0)); then
		command -v sudo >/dev/null || die "not root and no sudo: install ${missing[*]} by hand"
		sudo=(sudo)
		# Called from the Go tests: fail rather than wait for a password.
		[[ -n ${MWGEN_TESTWIKI_NONINTERACTIVE:-} ]] && sudo=(sudo -n)
	fi
	"${sudo[@]}" apt-get update >&2
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y --no-install-recommends "${missing[@]}" >&2
}

# append_settings DIR: test settings after install.php's LocalSettings.php.
append_settings() {
	local dir=$1 imagemagick=false
	# Only real ImageMagick will do for thumbnails.
	if command -v convert >/dev/null && convert -version 2>/dev/null | grep -q ImageMagick; then
		imagemagick=true
	fi
	cat >>"$dir/LocalSettings.php" <<EOF

# ---- mwgen integration-test settings (internal/testwiki/mediawiki.sh) ----
\$wgShowExceptionDetails = true;
if ( getenv( 'MWGEN_TEST_DEBUG_LOG' ) ) {
	\$wgDebugLogFile = "$dir/debug.log";
}
\$wgCacheDirectory = "$dir/cache";

# Sessions and tokens must survive between requests (and across the
# PHP built-in server's worker processes), so keep them in the database.
\$wgMainCacheType = CACHE_DB;
\$wgSessionCacheType = CACHE_DB;

# Uploads, stored under DIR/images and served through img_auth.php (the
# built-in server's document root is the read-only MediaWiki tree).
\$wgEnableUploads = true;
\$wgUploadDirectory = "$dir/images";
\$wgUploadPath = "\$wgScriptPath/img_auth.php";
\$wgFileExtensions = array_merge( \$wgFileExtensions, [ 'txt', 'pdf' ] );
\$wgMaxUploadSize = 100 * 1024 * 1024;
\$wgUseImageMagick = $imagemagick;

# Nothing may wait on the internet.
\$wgBlacklistSettings = [ 'spam' => [ 'files' => [] ] ];
\$wgTitleBlacklistSources = [];
# Math: show <math> as source, and skip the TeX check (both call RESTBase).
\$wgDefaultUserOptions['math'] = 'source';
\$wgMathDisableTexFilter = 'always';
\$wgPingback = false;
\$wgUseInstantCommons = false;

# Tests hammer the API.
\$wgRateLimits = [];
EOF
	# mwgen's response-shape trace hook (test wikis only; see the file).
	cp "$(dirname "$SCRIPT")/mwgen-trace.php" "$dir/mwgen-trace.php"
	echo "require_once '$dir/mwgen-trace.php';" >>"$dir/LocalSettings.php"
}

cmd_start() {
	(($# == 2)) || usage
	local dir=$1 port=$2
	[[ $port =~ ^[0-9]+$ ]] && ((port > 0 && port < 65536)) || die "bad port: $port"
	if [[ -e $dir ]]; then
		[[ -d $dir ]] || die "$dir exists and is not a directory"
		[[ -z $(ls -A "$dir") ]] || die "$dir is not empty (use a fresh directory)"
	fi
	cmd_install_deps
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	[[ $dir != *"'"* && $dir != *'"'* && $dir != *'$'* && $dir != *'\'* ]] ||
		die "directory name must not contain quotes, \$ or backslashes: $dir"
	if port_in_use "$port"; then
		echo "mediawiki.sh: port $port on 127.0.0.1 is already in use" >&2
		exit 3
	fi

	local server="http://127.0.0.1:$port"
	mkdir -p "$dir/images" "$dir/cache"
	if ! php "$MW_ROOT/maintenance/install.php" \
		--dbtype=sqlite --dbpath="$dir" --dbname=wiki \
		--server="$server" --scriptpath="" --lang=en \
		--pass="$ADMIN_PASSWORD" --confpath="$dir" \
		--with-extensions "Test Wiki" "$ADMIN_USER" >"$dir/install.log" 2>&1; then
		tail_log "$dir/install.log"
		die "install.php failed (see $dir/install.log)"
	fi
	append_settings "$dir"
	export MW_CONFIG_FILE=$dir/LocalSettings.php

	# Several server workers share the SQLite files; write-ahead logging lets
	# readers and a writer proceed together instead of failing with "locked".
	local db
	for db in wiki wikicache wiki_jobqueue wiki_l10n_cache; do
		php -r '$db = new PDO("sqlite:" . $argv[1]); $db->exec("PRAGMA journal_mode=WAL");' \
			"$dir/$db.sqlite" >>"$dir/install.log" 2>&1 || die "cannot switch $db.sqlite to WAL"
	done

	if ! php "$MW_ROOT/maintenance/createBotPassword.php" \
		--appid="$BOT_APPID" --grants="$BOT_GRANTS" \
		"$ADMIN_USER" "$BOT_PASSWORD" >>"$dir/install.log" 2>&1; then
		tail_log "$dir/install.log"
		die "createBotPassword.php failed (see $dir/install.log)"
	fi

	# The server runs in its own session (process group) so `stop` can end
	# the PHP workers together; its stdio must not hold the caller's pipes.
	: >"$dir/server.log"
	setsid "$BASH" "$SCRIPT" _serve "$dir" "$port" "${MWGEN_TESTWIKI_WATCH_PID:-}" \
		</dev/null >>"$dir/server.log" 2>&1 &
	local pid=$!
	echo "$pid" >"$dir/server.pid"

	local api="$server/api.php" deadline=$((SECONDS + 60)) body=""
	while :; do
		if ! kill -0 "$pid" 2>/dev/null; then
			rm -f "$dir/server.pid"
			tail_log "$dir/server.log"
			if grep -q 'Address already in use' "$dir/server.log"; then
				echo "mediawiki.sh: port $port on 127.0.0.1 is already in use" >&2
				exit 3
			fi
			die "the PHP server exited (see $dir/server.log)"
		fi
		if body=$(fetch "$api?action=query&meta=siteinfo&format=json" 2>/dev/null) &&
			[[ $body == *'"generator"'* ]]; then
			break
		fi
		if ((SECONDS >= deadline)); then
			[[ -n $body ]] && printf 'last answer from %s:\n%s\n' "$api" "${body:0:2000}" >&2
			tail_log "$dir/server.log"
			cmd_stop "$dir" >/dev/null 2>&1 || true
			die "no answer from $api within 60 s"
		fi
		sleep 0.2
	done

	cat >"$dir/wiki.env" <<EOF
# Written by internal/testwiki/mediawiki.sh start; source it before go test.
export MWGEN_TEST_WIKI_DIR='$dir'
export MWGEN_TEST_API='$api'
export MWGEN_TEST_INDEX='$server/index.php'
export MWGEN_TEST_SERVER='$server'
export MWGEN_TEST_ADMIN_USER='$ADMIN_USER'
export MWGEN_TEST_ADMIN_PASSWORD='$ADMIN_PASSWORD'
export MWGEN_TEST_BOT_USER='$ADMIN_USER@$BOT_APPID'
export MWGEN_TEST_BOT_PASSWORD='$BOT_PASSWORD'
export MWGEN_TEST_PID='$pid'
export MWGEN_TEST_DATADIR='$dir'
EOF
	echo "$api"
}

# _serve DIR PORT [WATCH_PID]: the server process group's leader (internal).
cmd__serve() {
	local dir=$1 port=$2 watch=${3:-} fd
	# Keep no descriptor the caller leaked: started under `flock LOCK
	# mediawiki.sh start`, the server would otherwise hold the lock for as
	# long as it runs.
	for fd in /proc/$$/fd/*; do
		fd=${fd##*/}
		if [[ $fd =~ ^[0-9]+$ ]] && ((fd > 2)); then
			eval "exec $fd>&-" 2>/dev/null || true
		fi
	done
	export MW_CONFIG_FILE=$dir/LocalSettings.php PHP_CLI_SERVER_WORKERS=4
	local php=(php -d upload_max_filesize=110M -d post_max_size=120M -d memory_limit=512M
		-S "127.0.0.1:$port" -t "$MW_ROOT")
	if [[ -z $watch ]]; then
		exec "${php[@]}"
	fi
	"${php[@]}" &
	local srv=$!
	while kill -0 "$srv" 2>/dev/null; do
		if ! kill -0 "$watch" 2>/dev/null; then
			echo "mediawiki.sh: process $watch is gone; stopping the server"
			kill -TERM -- "-$$"
		fi
		sleep 1
	done
	wait "$srv"
}

# group_alive PGID: whether a live (non-zombie) process is in the group.
group_alive() {
	local pgid=$1 f st rest
	if [[ ! -d /proc/self ]]; then
		kill -0 -- "-$pgid" 2>/dev/null
		return
	fi
	for f in /proc/[0-9]*/stat; do
		read -r st <"$f" 2>/dev/null || continue
		rest=${st##*) } # after "pid (comm) ": state ppid pgrp ...
		read -r -a st <<<"$rest"
		[[ ${st[2]} == "$pgid" && ${st[0]} != Z ]] && return 0
	done
	return 1
}

cmd_stop() {
	(($# == 1)) || usage
	local dir=$1 pid
	if [[ ! -f $dir/server.pid ]]; then
		echo "mediawiki.sh: no server.pid in $dir; nothing to stop" >&2
		return 0
	fi
	pid=$(<"$dir/server.pid")
	[[ $pid =~ ^[0-9]+$ ]] || die "bad pid in $dir/server.pid: $pid"
	# Do not kill a stranger that reused the pid.
	if [[ -r /proc/$pid/cmdline ]] && ! tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qE '_serve|php'; then
		echo "mediawiki.sh: process $pid is not the wiki server; removing stale server.pid" >&2
		rm -f "$dir/server.pid"
		return 0
	fi
	kill -TERM -- "-$pid" 2>/dev/null || true
	local i
	for ((i = 0; i < 100; i++)); do
		group_alive "$pid" || break
		sleep 0.1
	done
	if group_alive "$pid"; then
		kill -KILL -- "-$pid" 2>/dev/null || true
		sleep 0.2
	fi
	rm -f "$dir/server.pid"
	echo "mediawiki.sh: stopped server $pid ($dir)" >&2
}

main() {
	(($# >= 1)) || usage
	local cmd=$1
	shift
	case $cmd in
	install-deps) cmd_install_deps "$@" ;;
	start) cmd_start "$@" ;;
	stop) cmd_stop "$@" ;;
	_serve) cmd__serve "$@" ;;
	-h | --help | help) usage ;;
	*) usage ;;
	esac
}

main "$@"
