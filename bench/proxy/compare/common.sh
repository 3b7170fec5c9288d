# shellcheck shell=bash
# Shared by steady.sh and maxrun.sh: tree checks, server start/stop by PID, port checks.
ME=${ME:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}
export PATH="$PATH:/usr/sbin:/sbin"
export PORT=${PORT:-5060} UAS_PORT=${UAS_PORT:-5080} UAC_PORT=${UAC_PORT:-5090}
export LOG_DIR=${LOG_DIR:-${TMPDIR:-/tmp}/junction-compare/logs}
mkdir -p "$LOG_DIR"

tree_ok() { [[ -f "$1/bench/proxy/run-step.sh" && -f "$1/distributions/ietf/src/main.ts" ]] || { echo "error: $1 is not a Junction tree" >&2; exit 2; }; }
tree_commit() { git -C "$1" rev-parse --short HEAD 2>/dev/null || echo unknown; }

# trees_args OUT TREE_A [TREE_B]: sets OUT, TREE_A and TREE_B (absolute paths, checked); 1 on other arguments
trees_args() {
	(($# == 2 || $# == 3)) || return 1
	OUT=$1 TREE_A=$(cd "$2" && pwd) || exit 2
	TREE_B=""
	if (($# == 3)); then TREE_B=$(cd "$3" && pwd) || exit 2; fi
	tree_ok "$TREE_A"
	[[ -z "$TREE_B" ]] || tree_ok "$TREE_B"
	touch "$OUT" || exit 2
}
# the trees and their commits, for the first line of a run
trees_label() { echo "A=$TREE_A ($(tree_commit "$TREE_A"))${TREE_B:+ B=$TREE_B ($(tree_commit "$TREE_B"))}"; }

# label -> "KIND TREE"
server_kind() { case "$1" in kamailio) echo kamailio ;; junctionA|junctionB) echo junction ;; bare) echo bare ;; *) return 1 ;; esac; }
server_tree() { case "$1" in junctionB) echo "$TREE_B" ;; *) echo "$TREE_A" ;; esac; }

ports_free() {
	local p busy=0
	for p in "$PORT" "$UAS_PORT" "$UAC_PORT"; do
		if ss -Hlun "sport = :$p" 2>/dev/null | grep -q .; then ss -Hlunp "sport = :$p" >&2; busy=1; fi
	done
	((busy == 0)) || { echo "error: a UDP port of the bench (${PORT}, ${UAS_PORT}, ${UAC_PORT}) is in use" >&2; return 1; }
}

SRV_PID=""
srv_start() {   # srv_start LABEL -> SRV_PID
	local label=$1 kind tree
	kind=$(server_kind "$label") || { echo "error: unknown server '$label'" >&2; return 1; }
	tree=$(server_tree "$label")
	ports_free || return 1
	SRV_PID=$(LABEL=$label "$ME/start-server.sh" "$kind" "$tree") || { SRV_PID=""; return 1; }
}
srv_stop() {
	[[ -n "$SRV_PID" ]] || return 0
	"$ME/stop-server.sh" "$SRV_PID" 15 || echo "warning: server $SRV_PID did not stop" >&2
	SRV_PID=""
}
trap srv_stop EXIT
trap 'exit 130' INT TERM
