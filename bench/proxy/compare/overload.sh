#!/usr/bin/env bash
# Usage: overload.sh OUT TREE_A [TREE_B]
#        overload.sh --report OUT [RUN_ID]     (table of a past run, default: the last one in OUT)
# Goodput past the maximum: for each server in SERVERS (default: kamailio junctionA [junctionB]),
# start it fresh (start-server.sh), run TREE_A's bench/proxy/run-step.sh calls at each rate of
# RATES in turn (STEP_S seconds each, COOLDOWN_S between), stop it by PID. A proxy that holds its
# goodput (successful calls/s) when offered more than it can take sheds load; one that collapses
# loses datagrams and drowns in retransmissions (RFC 6357 §3). Every step's RESULT line is appended
# to OUT with run=, server=, commit= in front; run-step's output goes to LOG_DIR.
# Environment: RATES ("4000 6000 8000 4000"), STEP_S (20), COOLDOWN_S (10), SERVERS, PORT (5060),
#   GAP_S (5), plus run-step.sh's (UAS_PORT, LIMIT, RECV_TIMEOUT_MS, ...).
set -uo pipefail
ME=$(cd "$(dirname "$0")" && pwd)

report() {   # report OUT RUN_ID
	awk -v run="$2" '
	function kv(   i, k, v) { delete r; for (i = 2; i <= NF; i++) { k = $i; sub(/=.*/, "", k); v = $i; sub(/^[^=]*=/, "", v); r[k] = v } }
	$1 == "RESULT" { kv(); if (r["run"] != run) next
		s = r["server"]; if (!(s in seen)) { seen[s] = 1; order[++ns] = s; commit[s] = r["commit"] }
		cells[s] = cells[s] sprintf(" %s/s: %s ok/s (%s%% not ok, CPU %s%%, other %s%%);", r["rate"], r["achieved"], r["fail_pct"], r["cpu_proxy"], r["cpu_other"])
		next }
	END {
		if (ns == 0) { print "no results of run " run; exit 1 }
		print "overload steps, run " run " (offered rate: successful calls/s reached)"
		for (i = 1; i <= ns; i++) { s = order[i]; printf "%s (%s):%s\n", s, commit[s], cells[s] }
	}' "$1"
}

if [[ "${1:-}" == --report ]]; then
	out=${2:?usage: overload.sh --report OUT [RUN_ID]}
	run=${3:-$(grep -o ' run=overload-[^ ]*' "$out" | tail -n 1 | cut -d= -f2)}
	report "$out" "$run"; exit
fi

# shellcheck source=common.sh
. "$ME/common.sh"
trees_args "$@" || { sed -n '2,12p' "$0" >&2; exit 2; }
RATES=${RATES:-"4000 6000 8000 4000"}
STEP_S=${STEP_S:-20}
COOLDOWN_S=${COOLDOWN_S:-10}
GAP_S=${GAP_S:-5}
SERVERS=${SERVERS:-"kamailio junctionA${TREE_B:+ junctionB}"}
RUN=overload-$(date +%Y%m%d-%H%M%S)
echo "run $RUN: servers [$SERVERS], rates [$RATES], STEP_S=$STEP_S, $(trees_label); logs $LOG_DIR/$RUN-*"

for label in $SERVERS; do
	srv_start "$label" || { echo "  $label: server did not start, skipped"; continue; }
	log=$LOG_DIR/$RUN-$label.log
	tag="run=$RUN server=$label commit=$(tree_commit "$(server_tree "$label")")"
	for rate in $RATES; do
		"$TREE_A/bench/proxy/run-step.sh" calls 127.0.0.1 "$PORT" "$rate" "$STEP_S" "$SRV_PID" >>"$log" 2>&1
		grep '^RESULT ' "$log" | tail -n 1 | sed -E "s/^RESULT /RESULT $tag /" >>"$OUT"
		echo "  $label @ $rate/s: $(grep '^RESULT ' "$log" | tail -n 1 | grep -o 'achieved=[0-9.]*\|fail_pct=[0-9.]*' | tr '\n' ' ')"
		sleep "$COOLDOWN_S"
	done
	alive=yes; [[ -d /proc/$SRV_PID ]] || alive="NO (died during the run)"
	srv_stop
	echo "  $label: server alive at the end: $alive  (log $log)"
	sleep "$GAP_S"
done
echo
report "$OUT" "$RUN"
