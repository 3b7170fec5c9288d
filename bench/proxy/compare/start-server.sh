#!/usr/bin/env bash
# Usage: start-server.sh KIND TREE
#   KIND: kamailio   kamailio -f TREE/bench/proxy/kamailio/stateful.cfg -n 1 -DD -E -m 4096 -M 16
#                    -x tlsf -X tlsf (as bench/proxy/kamailio/bench-kamailio.sh stateful-1)
#         junction   junction-ietf from TREE's sources with the config of
#                    bench/proxy/junction/bench-junction.sh stateful (one process, log level error,
#                    no admin server, one route to the UAS; UDP buffers: its 4 MiB default)
#         bare       node --conditions=@junction/source TREE/bench/bare-proxy.ts PORT UAS_PORT
# Starts the server in the background on udp 127.0.0.1:PORT, relaying to 127.0.0.1:UAS_PORT,
# waits until that PID (or a child of it) listens on the port, and prints the PID on stdout.
# Stop it with stop-server.sh PID. Logs: LOG_DIR/<kind>-<time>-<pid>.log
# Environment: PORT (default 5060), UAS_PORT (default 5080), LOG_DIR (default
#   ${TMPDIR:-/tmp}/junction-compare/logs),
#   KAM_SHM (MB, 4096), KAM_PKG (MB, 16), KAM_MEM (tlsf), LABEL (log file name prefix),
#   NODE_FLAGS (junction and bare: extra node options, e.g. "--trace-deopt" or "--cpu-prof").
set -uo pipefail
ME=$(cd "$(dirname "$0")" && pwd)
(($# == 2)) || { sed -n '2,15p' "$0" >&2; exit 2; }
KIND=$1 TREE=$(cd "$2" && pwd) || exit 2
export PATH="$PATH:/usr/sbin:/sbin"
# shellcheck source=/dev/null
. "$TREE/bench/proxy/lib.sh"
PORT=${PORT:-5060} UAS_PORT=${UAS_PORT:-5080} NODE_FLAGS=${NODE_FLAGS:-}
LOG_DIR=${LOG_DIR:-${TMPDIR:-/tmp}/junction-compare/logs}
RUN_DIR=${RUN_DIR:-${TMPDIR:-/tmp}/junction-compare/run}
mkdir -p "$LOG_DIR" "$RUN_DIR"
stamp=$(date +%Y%m%d-%H%M%S)
log=$LOG_DIR/${LABEL:-$KIND}-$stamp.log

# kamailio binds with SO_REUSEADDR: a leftover on the port would pass the listen check
if ss -Hlun "sport = :$PORT" 2>/dev/null | grep -q .; then
	ss -Hlunp "sport = :$PORT" >&2
	die "UDP port $PORT is already in use; stop that process first"
fi

rundir=""
case "$KIND" in
	kamailio)
		command -v kamailio >/dev/null || die "kamailio not found"
		KAM_MEM=${KAM_MEM:-tlsf}
		mem_opts=(); [[ "$KAM_MEM" == default ]] || mem_opts=(-x "$KAM_MEM" -X "$KAM_MEM")
		rundir=$(mktemp -d "$RUN_DIR/kamrun.XXXXXX")
		cmd=(kamailio -f "$TREE/bench/proxy/kamailio/stateful.cfg" -n 1 -DD -E -m "${KAM_SHM:-4096}" -M "${KAM_PKG:-16}"
			"${mem_opts[@]}" -Y "$rundir" -A "LISTEN_SOCK=udp:127.0.0.1:$PORT" -A "NEXTHOP=\"sip:127.0.0.1:$UAS_PORT\"")
		;;
	junction | bare)
		eval "$("$TREE/junction" env)" || die "$TREE/junction env failed"
		if [[ $KIND == junction ]]; then
			cfg=$LOG_DIR/${LABEL:-$KIND}-$stamp.json
			cat >"$cfg" <<JSON
{ "sip": { "listen": ["udp:127.0.0.1:$PORT"], "domains": ["127.0.0.1"] },
  "routing": { "routes": [{ "to": "sip:127.0.0.1:$UAS_PORT" }], "stateless": false },
  "auth": { "enabled": false },
  "admin": { "enabled": false }, "log": { "level": "error" } }
JSON
			cmd=(node $NODE_FLAGS --conditions=@junction/source "$TREE/distributions/ietf/src/main.ts" -c "$cfg")
		else
			cmd=(node $NODE_FLAGS --conditions=@junction/source "$TREE/bench/bare-proxy.ts" "$PORT" "$UAS_PORT")
		fi
		;;
	*) die "KIND must be kamailio, junction or bare (got '$KIND')" ;;
esac

{ echo "# $(date -u +%FT%TZ) $KIND tree=$TREE commit=$(git -C "$TREE" rev-parse --short HEAD 2>/dev/null)"; echo "# ${cmd[*]}"; } >"$log"
(cd "$TREE" && exec "${cmd[@]}") </dev/null >>"$log" 2>&1 &
pid=$!
[[ -n "$rundir" ]] && echo "$rundir" >"$RUN_DIR/$pid.rundir"

# ready = the port is bound by this PID or one of its children
ok=0
for ((i = 0; i < 100; i++)); do
	pid_alive "$pid" || break
	owners=$(ss -Hlunp "sport = :$PORT" 2>/dev/null | grep -o 'pid=[0-9]*' | cut -d= -f2)
	if [[ -n "$owners" ]]; then
		tree=" $(proc_tree_pids "$pid" | tr '\n' ' ') "
		for o in $owners; do [[ "$tree" == *" $o "* ]] && ok=1; done
		((ok)) && break
	fi
	sleep 0.1
done
if ((!ok)); then
	tail -n 20 "$log" >&2
	"$ME/stop-server.sh" "$pid" >/dev/null 2>&1
	die "$KIND did not start on udp 127.0.0.1:$PORT (log: $log)"
fi
sleep 1   # as the harness: let the server settle
pid_alive "$pid" || { tail -n 20 "$log" >&2; die "$KIND exited right after start (log: $log)"; }
echo "start-server: $KIND pid $pid on 127.0.0.1:$PORT -> 127.0.0.1:$UAS_PORT ($(proc_tree_pids "$pid" | wc -l) processes; log $log)" >&2
echo "$pid"
