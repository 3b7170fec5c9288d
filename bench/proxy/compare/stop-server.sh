#!/usr/bin/env bash
# Usage: stop-server.sh PID [GRACE_S]
# Ends a server started by start-server.sh, by its PID only: SIGTERM, SIGKILL after GRACE_S
# (default 15) seconds; removes its Kamailio run folder. Reports children left behind.
set -uo pipefail
pid=${1:?usage: stop-server.sh PID [GRACE_S]} grace=${2:-15}
[[ "$pid" =~ ^[0-9]+$ ]] || { echo "error: bad PID '$pid'" >&2; exit 2; }
alive() { local l; { read -r l <"/proc/$1/stat"; } 2>/dev/null || return 1; l=${l##*) }; [[ ${l:0:1} != Z ]]; }
# children of the server (kamailio forks workers): remember them to check they go too
kids=$(ps -o pid= --ppid "$pid" 2>/dev/null | tr -s ' \n' ' ')
if alive "$pid"; then
	kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < grace * 10; i++)); do alive "$pid" || break; sleep 0.1; done
	if alive "$pid"; then echo "stop-server: $pid still alive after ${grace}s, SIGKILL" >&2; kill -KILL "$pid" 2>/dev/null; sleep 0.5; fi
fi
for ((i = 0; i < 50; i++)); do
	left=""; for k in $kids; do alive "$k" && left+=" $k"; done
	[[ -z "$left" ]] && break; sleep 0.1
done
[[ -n "${left:-}" ]] && echo "stop-server: children of $pid still alive:$left" >&2
RUN_DIR=${RUN_DIR:-${TMPDIR:-/tmp}/junction-compare/run}
if [[ -f "$RUN_DIR/$pid.rundir" ]]; then rm -rf "$(cat "$RUN_DIR/$pid.rundir")"; rm -f "$RUN_DIR/$pid.rundir"; fi
alive "$pid" && exit 1
exit 0
