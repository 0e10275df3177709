# tests/lib.sh: shared set-up for the end-to-end shell tests (sourced).
#
# Sets top_srcdir/top_builddir when run by hand, puts the built programs
# first on PATH, makes a scratch directory removed at exit, and prints TAP.

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
export top_srcdir top_builddir
PATH="$top_builddir:$PATH"
export LC_ALL=C
TMP=$(mktemp -d "${TMPDIR:-/tmp}/fstools-test.XXXXXX")
# background processes a test adds to $pids (servers) are killed at exit
pids=""
trap 'kill $pids 2>/dev/null; rm -rf "$TMP"' EXIT
tap_n=0
tap_failed=0

plan() { echo "1..$1"; }
ok() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $*"; }
not_ok() { tap_n=$((tap_n + 1)); tap_failed=1; echo "not ok $tap_n - $*"; }
skip() { tap_n=$((tap_n + 1)); echo "ok $tap_n # SKIP $*"; }
# check DESCRIPTION COMMAND...: ok when the command succeeds.
check() { d=$1; shift; if "$@"; then ok "$d"; else not_ok "$d"; fi; }
diag() { sed 's/^/# /'; }

# listening_port LOG PID: the port of an fsscore --serve whose standard
# error is LOG, from its "listening on" line, once it is there (at most
# 10 s, and not after PID ended); nothing when it never came.
listening_port() {
	for _ in $(seq 200); do
		p=$(sed -n 's/.*listening on http:\/\/.*:\([0-9][0-9]*\).*/\1/p' "$1")
		[ -n "$p" ] && { echo "$p"; return 0; }
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

# golden DIR: runs each case DIR/NAME.sh in a fresh scratch directory with
# the fixtures of DIR/data copied in; its stdout, stderr and exit status
# must equal NAME.stdout, NAME.stderr and NAME.exit. FS_REGEN=1 rewrites
# the golden files instead (on purpose only: review the diff).
golden() {
	gdir=$1
	cases=$(cd "$gdir" 2>/dev/null && ls *.sh 2>/dev/null | sed 's/\.sh$//')
	if [ -z "$cases" ]; then
		# a missing directory (say, left out of the tarball) must not pass
		plan 1
		not_ok "golden cases found in $gdir"
		return
	fi
	plan "$(echo "$cases" | wc -l)"
	for c in $cases; do
		w="$TMP/$c"
		mkdir -p "$w"
		cp "$gdir"/data/* "$w"/
		(cd "$w" && sh "$gdir/$c.sh" >"$w/.stdout" 2>"$w/.stderr"; echo $? >"$w/.exit")
		if [ -n "$FS_REGEN" ]; then
			for k in stdout stderr exit; do cp "$w/.$k" "$gdir/$c.$k"; done
		fi
		bad=""
		for k in stdout stderr exit; do
			if ! cmp -s "$w/.$k" "$gdir/$c.$k"; then
				bad="$bad $k"
				diff -u "$gdir/$c.$k" "$w/.$k" 2>&1 | head -n 30 | diag
			fi
		done
		if [ -z "$bad" ]; then ok "$c"; else not_ok "$c (differs:$bad)"; fi
	done
}

# py_oracle "MODULES" "PACKAGES" SCRIPT ARGS...: runs a Python oracle that
# prints TAP, with Debian's /usr/bin/python3 (which has the packages); skips
# when a module is missing, and turns a crash into one failing case.
py_oracle() {
	mods=$1 pkgs=$2 script=$3
	shift 3
	py=/usr/bin/python3
	for m in $mods; do
		if ! "$py" -c "import $m" >/dev/null 2>&1; then
			echo "1..0 # SKIP python module $m missing: apt-get install -y $pkgs"
			return 0
		fi
	done
	"$py" "$top_srcdir/tests/oracle/$script" "$@" --workdir "$TMP" >"$TMP/tap" 2>"$TMP/err"
	rc=$?
	if [ $rc -eq 0 ] && head -n 1 "$TMP/tap" | grep -q '^1\.\.[0-9]'; then
		cat "$TMP/tap"
	else
		echo "1..1"
		echo "not ok 1 - $script ran to the end (exit $rc)"
		sed 's/^/# /' "$TMP/tap" "$TMP/err" | tail -n 40
	fi
}
