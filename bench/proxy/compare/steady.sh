#!/usr/bin/env bash
# Usage: steady.sh OUT TREE_A [TREE_B]
#        steady.sh --report OUT [RUN_ID]     (table of a past run, default: the last one in OUT)
# Steady-state CPU per call at a fixed rate, each server fresh, as in bench/README.md
# "The floor at 500 calls/s": for each of ROUNDS rounds, for each server in SERVERS
# (default: kamailio junctionA [junctionB] bare; even rounds in reverse order): start it (start-server.sh), one warm-up step of
# WARM_S s at RATE calls/s, then STEPS steps of STEP_S s at RATE (TREE_A's bench/proxy/run-step.sh
# calls, a fresh SIPp UAC/UAS per step), stop it by PID (stop-server.sh). Kamailio uses TREE_A's
# stateful.cfg, bare TREE_A's bench/bare-proxy.ts, junctionA/junctionB junction-ietf of each tree.
# Every RESULT line is appended to OUT with run=, server=, commit=, round=, step= (warm-up: step=0)
# in front; full step outputs go to LOG_DIR. At the end a table: per server, the us/call of every
# measured step, their median, the not-successful calls, and the highest "CPU other" of a step.
# Environment: ROUNDS (3), WARM_S (40), STEP_S (20), STEPS (3), RATE (500), SERVERS, PORT (5060),
#   GAP_S (3, pause after a server stops), OTHER_MAX (15) / QUIET_WAIT_S (120): before each server
#   start wait up to QUIET_WAIT_S s until other processes use < OTHER_MAX % CPU (then run anyway),
#   and whatever run-step.sh reads (UAS_PORT, LIMIT, ...).
set -uo pipefail
ME=$(cd "$(dirname "$0")" && pwd)

report() {   # report OUT RUN_ID
	awk -v run="$2" '
	function med(s,   n, a, i, j, t) {
		n = split(s, a, " "); if (n == 0) return "na"
		for (i = 2; i <= n; i++) { t = a[i] + 0; for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
		return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	$1 == "RESULT" {
		delete r; for (i = 2; i <= NF; i++) { k = $i; sub(/=.*/, "", k); v = $i; sub(/^[^=]*=/, "", v); r[k] = v }
		if (r["run"] != run) next
		s = r["server"]; key = s SUBSEP r["round"]
		if (!(s in seen)) { seen[s] = 1; order[++ns] = s; commit[s] = r["commit"] }
		if (!(key in rseen)) { rseen[key] = 1; rounds[s] = rounds[s] " " r["round"] }
		if (r["step"] == 0) { warm[key] = r["proxy_us_per_call"]; wnotok[s] += r["not_ok"]; next }
		steps[key] = steps[key] (steps[key] == "" ? "" : ", ") r["proxy_us_per_call"]
		if (r["proxy_us_per_call"] != "na") { all[s] = all[s] " " r["proxy_us_per_call"]; rall[key] = rall[key] " " r["proxy_us_per_call"] }
		notok[s] += r["not_ok"]; failed[s] += r["failed"]; nsteps[s]++
		if (r["cpu_other"] + 0 > other[s] + 0) other[s] = r["cpu_other"]
		if (r["achieved"] + 0 < 0.95 * r["rate"]) slow[s]++
	}
	END {
		if (ns == 0) { print "no RESULT lines of run " run; exit 1 }
		print "steady state, run " run " (us/call = CPU of the server process tree per successful call)"
		print ""
		print "| server | commit | round | warm-up us/call | us/call per step | round median |"
		print "|---|---|---|---:|---|---:|"
		for (i = 1; i <= ns; i++) { s = order[i]; n = split(rounds[s], rr, " ")
			for (j = 1; j <= n; j++) { key = s SUBSEP rr[j]
				printf "| %s | %s | %s | %s | %s | %s |\n", s, commit[s], rr[j], warm[key], steps[key], med(rall[key]) } }
		print ""
		print "| server | commit | median us/call (all steps) | x kamailio | steps | not successful (sipp failed) | warm-up not successful | steps < 95 % of rate | max CPU other % |"
		print "|---|---|---:|---:|---:|---|---:|---:|---:|"
		km = ("kamailio" in seen) ? med(all["kamailio"]) : ""
		for (i = 1; i <= ns; i++) { s = order[i]; m = med(all[s])
			x = (km != "" && km > 0 && m != "na") ? sprintf("%.2f", m / km) : ""
			printf "| %s | %s | %s | %s | %d | %d (%d) | %d | %d | %s |\n", s, commit[s], m, x, nsteps[s], notok[s], failed[s], wnotok[s], slow[s], other[s] }
	}' "$1"
}

if [[ "${1:-}" == --report ]]; then
	out=${2:?usage: steady.sh --report OUT [RUN_ID]}
	run=${3:-$(grep -o ' run=steady-[^ ]*' "$out" | tail -n 1 | cut -d= -f2)}
	report "$out" "$run"; exit
fi

# shellcheck source=common.sh
. "$ME/common.sh"
trees_args "$@" || { sed -n '2,20p' "$0" >&2; exit 2; }
. "$TREE_A/bench/proxy/lib.sh"
ROUNDS=${ROUNDS:-3} WARM_S=${WARM_S:-40} STEP_S=${STEP_S:-20} STEPS=${STEPS:-3} RATE=${RATE:-500}
GAP_S=${GAP_S:-3} OTHER_MAX=${OTHER_MAX:-15} QUIET_WAIT_S=${QUIET_WAIT_S:-120}
SERVERS=${SERVERS:-"kamailio junctionA${TREE_B:+ junctionB} bare"}
for v in ROUNDS WARM_S STEP_S STEPS RATE; do require_uint "$v" "${!v}"; done
STEP_SH=$TREE_A/bench/proxy/run-step.sh
RUN=steady-$(date +%Y%m%d-%H%M%S)
echo "run $RUN: servers [$SERVERS], $ROUNDS round(s), warm-up ${WARM_S}s + $STEPS x ${STEP_S}s at $RATE/s," \
	"$(trees_label); logs $LOG_DIR/$RUN-*"

one_step() {   # one_step LABEL ROUND STEP DURATION
	local label=$1 round=$2 step=$3 dur=$4 log res
	log=$LOG_DIR/$RUN-$label-r$round-s$step.log
	"$STEP_SH" calls 127.0.0.1 "$PORT" "$RATE" "$dur" "$SRV_PID" >"$log" 2>&1
	res=$(grep '^RESULT ' "$log" | tail -n 1)
	if [[ -z "$res" ]]; then echo "  $label round $round step $step: no RESULT (see $log)"; tail -n 5 "$log" | sed 's/^/    /'; return 1; fi
	echo "RESULT run=$RUN server=$label commit=$(tree_commit "$(server_tree "$label")") round=$round step=$step ${res#RESULT }" >>"$OUT"
	printf '  %-10s r%s step %s (%ss): %s us/call, ok %s/%s, not ok %s, achieved %s/s, CPU server %s%%, other %s%%\n' "$label" "$round" "$step" "$dur" \
		"$(grep -o 'proxy_us_per_call=[^ ]*' <<<"$res" | cut -d= -f2)" "$(grep -o ' ok=[^ ]*' <<<"$res" | cut -d= -f2)" \
		"$(grep -o 'planned=[^ ]*' <<<"$res" | cut -d= -f2)" "$(grep -o 'not_ok=[^ ]*' <<<"$res" | cut -d= -f2)" \
		"$(grep -o 'achieved=[^ ]*' <<<"$res" | cut -d= -f2)" "$(grep -o 'cpu_proxy=[^ ]*' <<<"$res" | cut -d= -f2)" \
		"$(grep -o 'cpu_other=[^ ]*' <<<"$res" | cut -d= -f2)"
}

# even rounds run the servers in reverse order (A B, B A, ...): a server's place in a round moves
# its figure (11-28: the second of two junction-ietf trees read ~5 % higher in either order)
read -r -a order <<<"$SERVERS"
reversed=()
for ((i = ${#order[@]} - 1; i >= 0; i--)); do reversed+=("${order[i]}"); done
for ((round = 1; round <= ROUNDS; round++)); do
	if ((round % 2 == 0)); then labels=("${reversed[@]}"); else labels=("${order[@]}"); fi
	for label in "${labels[@]}"; do
		wait_quiet "$OTHER_MAX" "$QUIET_WAIT_S" || echo "  warning: machine not quiet after ${QUIET_WAIT_S}s (other processes ${QUIET_LEVEL}% CPU); running anyway"
		srv_start "$label" || { echo "  $label round $round: server did not start, skipped"; continue; }
		if ((WARM_S > 0)); then one_step "$label" "$round" 0 "$WARM_S"; fi
		for ((s = 1; s <= STEPS; s++)); do
			pid_alive "$SRV_PID" || { echo "  $label round $round: server $SRV_PID died"; break; }
			one_step "$label" "$round" "$s" "$STEP_S"
		done
		srv_stop
		sleep "$GAP_S"
	done
done
echo
report "$OUT" "$RUN"
