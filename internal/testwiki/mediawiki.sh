#!/usr/bin/env bash
# mediawiki.sh — a throwaway MediaWiki (Debian's mediawiki 1.39 package,
# SQLite, all bundled extensions) for mwgen's integration tests; with
# --version 1.43, Debian trixie's MediaWiki 1.43.9 LTS instead, unpacked
# privately into a cache (nothing installed system-wide).
#
# Usage:
#   mediawiki.sh install-deps      install the Debian packages if missing
#   mediawiki.sh install-deps-1.43 install-deps, then fetch and unpack
#                                  MediaWiki 1.43 into the cache (once)
#   mediawiki.sh start [--version 1.39|1.43] DIR PORT
#                                  install a fresh wiki into DIR (absent or
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
#   MWGEN_CACHE_DIR           where install-deps-1.43 keeps the unpacked 1.43
#                             tree (default \${XDG_CACHE_HOME:-~/.cache}/mwgen).
#   MWGEN_DEBIAN_MIRROR       the Debian archive to fetch trixie from (default:
#                             the one apt already uses for this release).
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
# Every grant MediaWiki 1.43 (with the bundled extensions) accepts
# (createBotPassword.php --showgrants): 1.39's plus Echo's
# echo-read-notifications.
BOT_GRANTS_143=$BOT_GRANTS,echo-read-notifications

# MediaWiki 1.43 LTS: Debian trixie's package, unpacked privately.
MW143_DEB_VERSION=1:1.43.9+dfsg-1~deb13u1
MW143_SUITE=trixie
MW143_PACKAGES=(mediawiki mediawiki-classes)
# Directory name of the unpacked tree in the cache (one per package version).
MW143_NAME=mediawiki-1.43.9-dfsg-1-deb13u1

# Set by select_version: the MediaWiki tree, the extra php arguments (1.43
# loads a privately unpacked gmp.so), the grants of the bot password.
PHP_ARGS=()

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

# cache_dir: where the unpacked MediaWiki 1.43 tree is kept.
cache_dir() {
	local base=${MWGEN_CACHE_DIR:-}
	if [[ -z $base ]]; then
		base=${XDG_CACHE_HOME:-${HOME:?neither MWGEN_CACHE_DIR nor HOME is set}/.cache}/mwgen
	fi
	echo "$base"
}

# debian_mirror: the Debian archive apt already uses for this machine's
# release (the URI of its main suite), so trixie comes from the same place.
debian_mirror() {
	if [[ -n ${MWGEN_DEBIAN_MIRROR:-} ]]; then
		echo "${MWGEN_DEBIAN_MIRROR%/}"
		return
	fi
	local codename uri
	codename=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
	if [[ -n $codename ]]; then
		uri=$(apt-get indextargets --no-release-info --format '$(RELEASE) $(REPO_URI)' 2>/dev/null |
			awk -v r="$codename" '$1 == r { print $2; exit }')
	fi
	uri=${uri:-http://deb.debian.org/debian/}
	echo "${uri%/}"
}

# repoint_links ROOT: make every absolute symlink below ROOT point at the
# same path inside ROOT (as a relative link, so the tree can move), then
# check that no link resolves outside ROOT.
repoint_links() {
	local root=$1 link target rel up n i
	while IFS= read -r -d '' link; do
		target=$(readlink "$link")
		[[ $target == /* ]] || continue
		rel=${link#"$root"/}
		# One "../" per directory between ROOT and the link.
		n=$(tr -cd / <<<"$rel" | wc -c)
		up=""
		for ((i = 0; i < n; i++)); do up+="../"; done
		ln -sfn "${up}${target#/}" "$link"
	done < <(find "$root" -type l -print0)
	local real bad=0
	while IFS= read -r -d '' link; do
		real=$(realpath -m -- "$link")
		if [[ $real != "$root" && $real != "$root"/* ]]; then
			echo "mediawiki.sh: $link resolves outside $root: $real" >&2
			bad=1
		fi
	done < <(find "$root" -type l -print0)
	((bad == 0)) || die "symlinks of the unpacked MediaWiki point outside $root"
}

# mw143_tree: the cached tree's directory (may not exist yet).
mw143_tree() {
	echo "$(cache_dir)/$MW143_NAME"
}

cmd_install_deps_143() {
	(($# == 0)) || usage
	# PHP, SQLite and friends come from bookworm as for 1.39.
	cmd_install_deps
	local cache final
	cache=$(cache_dir)
	final=$cache/$MW143_NAME
	if [[ -f $final/.complete ]]; then
		return 0
	fi
	mkdir -p "$cache"
	# One install at a time (test binaries may start wikis in parallel); the
	# lock is held by this subshell only, never by a wiki server.
	(
		flock 9
		install_143_locked "$cache" "$final"
	) 9>"$cache/.$MW143_NAME.lock"
}

# install_143_locked CACHE FINAL: cmd_install_deps_143's work, under its lock.
install_143_locked() {
	local cache=$1 final=$2 tmp
	# Another install may have finished while this one waited.
	[[ ! -f $final/.complete ]] || return 0
	tmp=$(mktemp -d "$cache/.$MW143_NAME.XXXXXX")
	# Nothing half-written: the tree appears under its name only when done.
	trap 'rm -rf "$tmp"' EXIT
	echo "mediawiki.sh: fetching MediaWiki $MW143_DEB_VERSION from Debian $MW143_SUITE into $final" >&2

	# A private apt state naming the trixie suite: the system's sources,
	# lists and package cache stay as they are.
	local apt=$tmp/apt mirror
	mirror=$(debian_mirror)
	mkdir -p "$apt/sources" "$apt/lists/partial" "$apt/cache/archives/partial" "$tmp/debs"
	cat >"$apt/sources/$MW143_SUITE.sources" <<SRC
Types: deb
URIs: $mirror
Suites: $MW143_SUITE
Components: main
Targets: Packages
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
	local aptopts=(-q -oDir::Etc::SourceList=/dev/null -oDir::Etc::SourceParts="$apt/sources"
		-oDir::State::Lists="$apt/lists" -oDir::Cache="$apt/cache" -oDir::State::status=/dev/null
		-oAcquire::Languages=none -oAPT::Sandbox::User=root)
	apt-get "${aptopts[@]}" update >"$tmp/apt.log" 2>&1 || {
		tail_log "$tmp/apt.log"
		die "apt-get update of Debian $MW143_SUITE ($mirror) failed"
	}
	local pkgs=() p
	for p in "${MW143_PACKAGES[@]}"; do pkgs+=("$p=$MW143_DEB_VERSION"); done
	(cd "$tmp/debs" && apt-get "${aptopts[@]}" download "${pkgs[@]}") >>"$tmp/apt.log" 2>&1 || {
		tail_log "$tmp/apt.log"
		die "apt-get download ${pkgs[*]} from Debian $MW143_SUITE ($mirror) failed"
	}

	# 1.43 needs gmp; bookworm's php8.2-gmp, of the installed PHP's version,
	# unpacked here and loaded with -d extension=..., leaves /etc/php alone.
	local phpver common gmp
	phpver=$(php -r 'echo PHP_MAJOR_VERSION . "." . PHP_MINOR_VERSION;')
	common=$(dpkg-query -W -f='${Version}' "php$phpver-common" 2>/dev/null) ||
		die "php$phpver-common is not installed"
	(cd "$tmp/debs" && apt-get -q download "php$phpver-gmp=$common") >>"$tmp/apt.log" 2>&1 || {
		tail_log "$tmp/apt.log"
		die "apt-get download php$phpver-gmp=$common failed (is apt's package list current? try apt-get update)"
	}

	local deb
	for deb in "$tmp"/debs/mediawiki*.deb; do
		dpkg -x "$deb" "$tmp/root"
	done
	dpkg -x "$tmp"/debs/php*-gmp_*.deb "$tmp/php"
	repoint_links "$tmp/root"
	gmp=$(find "$tmp/php" -name gmp.so -print -quit)
	[[ -n $gmp ]] || die "no gmp.so in php$phpver-gmp"
	php -d extension="$gmp" -r 'exit(extension_loaded("gmp") ? 0 : 1);' ||
		die "PHP cannot load $gmp"
	[[ -f $tmp/root/usr/share/mediawiki/maintenance/install.php ]] ||
		die "the unpacked packages have no usr/share/mediawiki/maintenance/install.php"
	rm -rf "$tmp/apt" "$tmp/debs" "$tmp/apt.log"
	chmod 755 "$tmp"
	touch "$tmp/.complete"

	[[ -f $final/.complete ]] || rm -rf "$final"
	if ! mv -T "$tmp" "$final" 2>/dev/null; then
		# Another install finished first; use that one.
		[[ -f $final/.complete ]] || die "cannot move $tmp to $final"
	fi
	trap - EXIT
	rm -rf "$tmp"
	# The tree moved: check its links again from where it now lives.
	repoint_links "$final/root"
}

# select_version VERSION: set MW_ROOT, PHP_ARGS and the bot grants for it
# (installing what it needs).
select_version() {
	case $1 in
	1.39) cmd_install_deps ;;
	1.43)
		cmd_install_deps_143
		local tree gmp
		tree=$(mw143_tree)
		MW_ROOT=$tree/root/usr/share/mediawiki
		gmp=$(find "$tree/php" -name gmp.so -print -quit)
		[[ -n $gmp ]] || die "no gmp.so under $tree/php (remove $tree and retry)"
		PHP_ARGS=(-d "extension=$gmp")
		BOT_GRANTS=$BOT_GRANTS_143
		;;
	*) die "unknown MediaWiki version $1 (want 1.39 or 1.43)" ;;
	esac
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
	local version=1.39
	if [[ ${1:-} == --version ]]; then
		(($# >= 2)) || usage
		version=$2
		shift 2
	elif [[ ${1:-} == --version=* ]]; then
		version=${1#--version=}
		shift
	fi
	(($# == 2)) || usage
	local dir=$1 port=$2
	[[ $port =~ ^[0-9]+$ ]] && ((port > 0 && port < 65536)) || die "bad port: $port"
	if [[ -e $dir ]]; then
		[[ -d $dir ]] || die "$dir exists and is not a directory"
		[[ -z $(ls -A "$dir") ]] || die "$dir is not empty (use a fresh directory)"
	fi
	select_version "$version"
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
	if [[ $version != 1.39 ]]; then
		# PHP's and MediaWiki's temporary files stay inside DIR too.
		mkdir -p "$dir/tmp"
		export TMPDIR=$dir/tmp
	fi
	if ! php "${PHP_ARGS[@]}" "$MW_ROOT/maintenance/install.php" \
		--dbtype=sqlite --dbpath="$dir" --dbname=wiki \
		--server="$server" --scriptpath="" --lang=en \
		--pass="$ADMIN_PASSWORD" --confpath="$dir" \
		--with-extensions "Test Wiki" "$ADMIN_USER" >"$dir/install.log" 2>&1; then
		tail_log "$dir/install.log"
		die "install.php failed (see $dir/install.log)"
	fi
	append_settings "$dir"
	if [[ $version != 1.39 ]]; then
		echo "\$wgTmpDirectory = \"$dir/tmp\";" >>"$dir/LocalSettings.php"
	fi
	export MW_CONFIG_FILE=$dir/LocalSettings.php

	# Several server workers share the SQLite files; write-ahead logging lets
	# readers and a writer proceed together instead of failing with "locked".
	local db
	for db in wiki wikicache wiki_jobqueue wiki_l10n_cache; do
		php -r '$db = new PDO("sqlite:" . $argv[1]); $db->exec("PRAGMA journal_mode=WAL");' \
			"$dir/$db.sqlite" >>"$dir/install.log" 2>&1 || die "cannot switch $db.sqlite to WAL"
	done

	if ! php "${PHP_ARGS[@]}" "$MW_ROOT/maintenance/createBotPassword.php" \
		--appid="$BOT_APPID" --grants="$BOT_GRANTS" \
		"$ADMIN_USER" "$BOT_PASSWORD" >>"$dir/install.log" 2>&1; then
		tail_log "$dir/install.log"
		die "createBotPassword.php failed (see $dir/install.log)"
	fi

	# The server runs in its own session (process group) so `stop` can end
	# the PHP workers together; its stdio must not hold the caller's pipes.
	: >"$dir/server.log"
	MW_ROOT=$MW_ROOT MWGEN_PHP_ARGS="${PHP_ARGS[*]}" \
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

	# A 1.43 wiki names its directory in a variable of its own, so sourcing
	# its wiki.env never points the 1.39 tests at it.
	local dirvar=MWGEN_TEST_WIKI_DIR
	[[ $version == 1.39 ]] || dirvar=MWGEN_TEST_WIKI_DIR_${version//./_}
	cat >"$dir/wiki.env" <<EOF
# Written by internal/testwiki/mediawiki.sh start; source it before go test.
export $dirvar='$dir'
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
	if [[ $version != 1.39 ]]; then
		echo "export MWGEN_TEST_MW_VERSION='$version'" >>"$dir/wiki.env"
		echo "export MWGEN_TEST_MW_ROOT='$MW_ROOT'" >>"$dir/wiki.env"
	fi
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
	# From start: extra php arguments (a private gmp.so for 1.43, no spaces
	# in its path) and the temporary directory inside DIR.
	local extra=()
	[[ -z ${MWGEN_PHP_ARGS:-} ]] || read -r -a extra <<<"$MWGEN_PHP_ARGS"
	local php=(php "${extra[@]}" -d upload_max_filesize=110M -d post_max_size=120M -d memory_limit=512M
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
	install-deps-1.43) cmd_install_deps_143 "$@" ;;
	start) cmd_start "$@" ;;
	stop) cmd_stop "$@" ;;
	_serve) cmd__serve "$@" ;;
	-h | --help | help) usage ;;
	*) usage ;;
	esac
}

main "$@"
