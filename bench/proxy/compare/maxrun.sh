#!/usr/bin/env bash
# Usage: maxrun.sh OUT TREE_A [TREE_B]
#        maxrun.sh --report OUT [RUN_ID]     (table of a past run, default: the last one in OUT)
# Maximum calls/s, as in bench/README.md "Maximum calls/s again": for each server in SERVERS
# (default: kamailio junctionA [junctionB]), start it fresh (start-server.sh), run TREE_A's
# bench/proxy/find-max.sh calls 127.0.0.1 PORT PID with STEP_S=10, stop it by PID (stop-server.sh).
# Every step's RESULT line and the MAX line are appended to OUT with run=, server=, commit= in
# front; find-max's full output goes to LOG_DIR. At the end: per server the highest passing rate,
# the lowest failing rate (the first failing step, after bisection) with what it reached, the
# us/call at the max, and every step in the order run.
# Environment: STEP_S (10), SERVERS, PORT (5060), GAP_S (5), and everything find-max.sh reads:
#   RATES ("200 500 1000 2000 4000 8000 16000"), REFINE (2), ROUND (100), COOLDOWN_S (3),
#   OTHER_MAX (15), QUIET_WAIT_S (600), plus run-step.sh's (UAS_PORT, LIMIT, ...).
set -uo pipefail
ME=$(cd "$(dirname "$0")" && pwd)

report() {   # report OUT RUN_ID
	awk -v run="$2" '
	function kv(   i, k, v) { delete r; for (i = 2; i <= NF; i++) { k = $i; sub(/=.*/, "", k); v = $i; sub(/^[^=]*=/, "", v); r[k] = v } }
	$1 == "RESULT" { kv(); if (r["run"] != run) next
		s = r["server"]; if (!(s in seen)) { seen[s] = 1; order[++ns] = s; commit[s] = r["commit"] }
		rate = r["rate"]; pass = (r["fail_pct"] + 0 < 0.1 && r["achieved"] + 0 >= 0.95 * rate)
		if (!((s, rate) in got)) { got[s, rate] = 1; rates[s] = rates[s] " " rate }
		res[s, rate] = (pass ? "ok" : "FAIL") "(" r["proxy_us_per_call"] "us," r["fail_pct"] "%," r["achieved"] "/s)"
		us[s, rate] = r["proxy_us_per_call"]; other[s, rate] = r["cpu_other"]
		detail[s, rate] = sprintf("reached %s/s, %s%% not ok, server CPU %s%%", r["achieved"], r["fail_pct"], r["cpu_proxy"])
		next }
	$1 == "MAX" { kv(); if (r["run"] != run) next
		s = r["server"]; if (!(s in seen)) { seen[s] = 1; order[++ns] = s; commit[s] = r["commit"] }
		mx[s] = r["max_rate"]; ff[s] = "none"
		if (match($0, /first_fail=[0-9]+/)) ff[s] = substr($0, RSTART + 11, RLENGTH - 11) }
	END {
		if (ns == 0) { print "no results of run " run; exit 1 }
		print "find-max calls, run " run " (pass = < 0.1 % not successful and >= 95 % of the target rate)"
		print ""
		print "| server | commit | max calls/s | us/call at max | first failing step | at the failing step | max CPU other % |"
		print "|---|---|---:|---:|---:|---|---:|"
		for (i = 1; i <= ns; i++) { s = order[i]; om = 0; n = split(rates[s], rr, " ")
			for (j = 1; j <= n; j++) if (other[s, rr[j]] + 0 > om) om = other[s, rr[j]] + 0
			m = (s in mx) ? mx[s] : "(no MAX line)"; f = (s in ff) ? ff[s] : ""
			printf "| %s | %s | %s | %s | %s | %s | %s |\n", s, commit[s], m, ((s, m) in us) ? us[s, m] : "", f,
				((s, f) in detail) ? detail[s, f] : "", om }
		print ""
		for (i = 1; i <= ns; i++) { s = order[i]; n = split(rates[s], rr, " "); line = ""
			for (j = 1; j <= n; j++) line = line (j > 1 ? "; " : "") rr[j] " " res[s, rr[j]]
			printf "%s steps: %s\n", s, line }
	}' "$1"
}

if [[ "${1:-}" == --report ]]; then
	out=${2:?usage: maxrun.sh --report OUT [RUN_ID]}
	run=${3:-$(grep -o ' run=maxrun-[^ ]*' "$out" | tail -n 1 | cut -d= -f2)}
	report "$out" "$run"; exit
fi

# shellcheck source=common.sh
. "$ME/common.sh"
trees_args "$@" || { sed -n '2,14p' "$0" >&2; exit 2; }
export STEP_S=${STEP_S:-10}
GAP_S=${GAP_S:-5}
SERVERS=${SERVERS:-"kamailio junctionA${TREE_B:+ junctionB}"}
RUN=maxrun-$(date +%Y%m%d-%H%M%S)
echo "run $RUN: servers [$SERVERS], find-max calls, STEP_S=$STEP_S RATES=\"${RATES:-default}\" REFINE=${REFINE:-2}," \
	"$(trees_label); logs $LOG_DIR/$RUN-*"

for label in $SERVERS; do
	srv_start "$label" || { echo "  $label: server did not start, skipped"; continue; }
	log=$LOG_DIR/$RUN-$label.log
	"$TREE_A/bench/proxy/find-max.sh" calls 127.0.0.1 "$PORT" "$SRV_PID" >"$log" 2>&1
	alive=yes; [[ -d /proc/$SRV_PID ]] || alive="NO (died during the run)"
	srv_stop
	tag="run=$RUN server=$label commit=$(tree_commit "$(server_tree "$label")")"
	grep -E '^(RESULT|MAX) ' "$log" | sed -E "s/^(RESULT|MAX) /\1 $tag /" >>"$OUT"
	echo "  $label: $(grep '^MAX ' "$log" | cut -d' ' -f2-4)  server alive at the end: $alive  (log $log)"
	sleep "$GAP_S"
done
echo
report "$OUT" "$RUN"
