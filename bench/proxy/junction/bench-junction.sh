#!/usr/bin/env bash
# Run junction-ietf through the generic harness (../find-max.sh), the way kamailio/bench-kamailio.sh
# runs Kamailio: same ports (proxy 127.0.0.1:5070, next hop 127.0.0.1:5080), same steps.
#
# Usage: junction/bench-junction.sh [CASE...]
#   CASE: stateful       record-route + stateful proxy (the default route with one static route)
#         stateless      routing.stateless: RFC 3261 §16.11 forwarding, no transactions
#         register       REGISTER without authentication (registrar, in-memory location store)
#         register-auth  REGISTER with digest: 401, then REGISTER with Authorization (MD5, users
#                        file of USERS users with password "secret", as Kamailio's -A WITH_AUTH)
#         rss            fresh process, exactly 10000 then 100000 REGISTERs of unique users, the
#                        process memory after each (as kamailio/bench-kamailio.sh rss)
#   Default: stateful stateless.
#
# junction-ietf runs from the sources (node --conditions=@junction/source, type stripping) with
# the project's Node (./junction env), one process, log level error, no admin server.
# Environment: OUT_DIR, IDLE_S, and everything find-max.sh / run-step.sh read (RATES, STEP_S, ...).
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
BENCH=$(cd "$HERE/.." && pwd)
ROOT=$(cd "$BENCH/../.." && pwd)
# shellcheck source=../lib.sh
. "$BENCH/lib.sh"

eval "$("$ROOT/junction" env)"
PORT=5070
OUT_DIR=${OUT_DIR:-$(mktemp -d -t junctionbench.XXXXXX)}
mkdir -p "$OUT_DIR"
cases=("$@")
((${#cases[@]})) || cases=(stateful stateless)

J_PID=""
j_start() {   # j_start stateful|stateless|register|register-auth
	local stateless=false auth='{ "enabled": false }'
	[[ $1 == stateless ]] && stateless=true
	if [[ $1 == register-auth ]]; then
		local users=$OUT_DIR/users.yaml
		awk -v n="${USERS:-10000}" 'BEGIN { print "users:"; for (i = 1; i <= n; i++) printf "  - { user: user%06d, password: secret }\n", i }' >"$users"
		auth="{ \"usersFile\": \"$users\", \"algorithms\": [\"MD5\"] }"
	fi
	if ss -Hlun "sport = :$PORT" 2>/dev/null | grep -q .; then
		ss -Hlunp "sport = :$PORT" >&2
		die "UDP port $PORT is already in use; stop that process first"
	fi
	local cfg=$OUT_DIR/$CASE.json
	cat >"$cfg" <<JSON
{ "sip": { "listen": ["udp:127.0.0.1:$PORT"], "domains": ["127.0.0.1"] },
  "routing": { "routes": [{ "to": "sip:127.0.0.1:${UAS_PORT:-5080}" }], "stateless": $stateless },
  "auth": $auth,
  "admin": { "enabled": false }, "log": { "level": "error" } }
JSON
	node --conditions=@junction/source "$ROOT/distributions/ietf/src/main.ts" -c "$cfg" >"$OUT_DIR/$CASE-junction.log" 2>&1 &
	J_PID=$!
	if ! wait_udp_listen "$PORT"; then
		cat "$OUT_DIR/$CASE-junction.log" >&2
		die "junction-ietf did not start"
	fi
	sleep 1
	echo "junction-ietf started: pid $J_PID, $1, node $(node -v)"
	if ((${IDLE_S:-0} > 0)); then proc_tree_idle_cpu "$J_PID" "$IDLE_S" | tee "$OUT_DIR/$CASE-idle.txt"; fi
}
j_stop() {
	[[ -n "$J_PID" ]] || return 0
	stop_pid "$J_PID" TERM 15
	J_PID=""
}
trap j_stop EXIT
trap 'exit 130' INT TERM

for c in "${cases[@]}"; do
	CASE=$c
	log=$OUT_DIR/$c.log
	echo "##### case $c  (log: $log)"
	case "$c" in
		stateful | stateless)
			j_start "$c"
			"$BENCH/find-max.sh" calls 127.0.0.1 "$PORT" "$J_PID" >"$log" 2>&1 ;;
		register)
			j_start "$c"
			"$BENCH/find-max.sh" register 127.0.0.1 "$PORT" "$J_PID" >"$log" 2>&1 ;;
		register-auth)
			j_start "$c"
			AUTH=1 "$BENCH/find-max.sh" register-auth 127.0.0.1 "$PORT" "$J_PID" >"$log" 2>&1 ;;
		rss)
			j_start register
			{
				echo "before: $(proc_tree_mem "$J_PID")  (nprocs sumRSS_kB sumPSS_kB maxRSS_kB)"
				USERS=10000 "$BENCH/run-register.sh" 127.0.0.1 "$PORT" 1000 10 "$J_PID"
				sleep 2
				echo "after 10000 registrations: $(proc_tree_mem "$J_PID")  (nprocs sumRSS_kB sumPSS_kB maxRSS_kB)"
				USERS=100000 "$BENCH/run-register.sh" 127.0.0.1 "$PORT" 2000 50 "$J_PID"
				sleep 2
				echo "after 100000 registrations (100000 users): $(proc_tree_mem "$J_PID")  (nprocs sumRSS_kB sumPSS_kB maxRSS_kB)"
			} >"$log" 2>&1
			j_stop
			cat "$log" | grep -E '^(before|after|RESULT)'
			continue ;;
		*) echo "unknown case $c" >&2; continue ;;
	esac
	j_stop
	grep -E '^(MAX|RESULT)' "$log" | tail -n 3
	sleep 3
done
echo "logs: $OUT_DIR"
