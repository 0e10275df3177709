# tests/online/redis.sh: a private redis-server for a test (sourced after
# tests/lib.sh, which made $TMP): no persistence, a Unix socket in $TMP and,
# when asked, a free loopback port. Stopped when the test exits.
#
#   redis_start [NAME [PORT]]   starts it; sets REDIS_SOCK, REDIS_URL (unix://),
#                               REDIS_PID, and REDIS_TCP (redis://127.0.0.1:PORT)
#                               when PORT is given ("free" picks one)
#   redis_stop [NAME]           SIGKILL, as a crash (the data is gone: no persistence)
#   rcli ARGS...                redis-cli on the socket
#   redis_dump FILE             every hash, sorted: "key field value" lines

redis_need() {
	if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
		echo "1..0 # SKIP redis-server not installed: apt-get install -y redis-server"
		exit 0
	fi
}

free_port() {
	/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Answering, and done loading its data (a password-protected one asks for it).
redis_ready() {
	case $(redis-cli -s "$REDIS_SOCK" ping 2>&1) in
	PONG | NOAUTH*) return 0 ;;
	*) return 1 ;;
	esac
}

redis_start() {
	local name=${1:-redis} port=${2:-0}
	[ "$port" = free ] && port=$(free_port)
	REDIS_SOCK="$TMP/$name.sock"
	rm -f "$REDIS_SOCK"
	redis-server --port "$port" --bind 127.0.0.1 --unixsocket "$REDIS_SOCK" --save '' \
		--appendonly no --daemonize no --dir "$TMP" $REDIS_ARGS >"$TMP/$name.log" 2>&1 &
	REDIS_PID=$!
	echo "$REDIS_PID" >"$TMP/$name.redis-pid"
	for _ in $(seq 200); do
		[ -S "$REDIS_SOCK" ] && redis_ready && break
		sleep 0.02
	done
	if ! redis_ready; then
		echo "Bail out! redis-server did not start: $(tail -n 5 "$TMP/$name.log")"
		exit 1
	fi
	REDIS_URL="unix://$REDIS_SOCK"
	REDIS_TCP=
	[ "$port" != 0 ] && REDIS_TCP="redis://127.0.0.1:$port"
	return 0
}

redis_stop() {
	local name=${1:-redis} pid
	pid=$(cat "$TMP/$name.redis-pid" 2>/dev/null) || return 0
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rm -f "$TMP/$name.redis-pid" "$TMP/$name.sock"
}

rcli() { redis-cli -s "$REDIS_SOCK" "$@"; }

# Every hash as sorted "key<TAB>field<TAB>value" lines (one script in Redis).
redis_dump() {
	rcli EVAL "local o = {} for _, k in ipairs(redis.call('KEYS', '*')) do local h = redis.call('HGETALL', k) for i = 1, #h, 2 do o[#o + 1] = k .. '\t' .. h[i] .. '\t' .. h[i + 1] end end return o" 0 | sort >"$1"
}

trap 'for f in "$TMP"/*.redis-pid; do [ -e "$f" ] && { kill -9 "$(cat "$f")"; wait "$(cat "$f")"; } 2>/dev/null; done; rm -rf "$TMP"' EXIT
redis_need
