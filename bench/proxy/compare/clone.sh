#!/usr/bin/env bash
# Usage: clone.sh TREE COMMIT
# Fresh clone of this checkout at COMMIT into TREE, then `./junction setup` in TREE.
# Idempotent: if TREE is already a git work tree, fetch from this checkout, check COMMIT out, setup.
# Environment: SRC (default: the checkout this script is in). PATH gets /usr/sbin:/sbin; the rest of
# the environment is kept.
set -euo pipefail
(($# == 2)) || { sed -n '2,6p' "$0" >&2; exit 2; }
TREE=$1 COMMIT=$2
SRC=${SRC:-$(git -C "$(dirname "$0")" rev-parse --show-toplevel)}
export PATH="$PATH:/usr/sbin:/sbin"

if [[ -d "$TREE/.git" ]]; then
	git -C "$TREE" fetch --quiet "$SRC" '+refs/heads/*:refs/remotes/origin/*'
	git -C "$TREE" fetch --quiet "$SRC" "$COMMIT" 2>/dev/null || true   # a commit not on a branch
else
	[[ -e "$TREE" ]] && { echo "error: $TREE exists and is not a git clone" >&2; exit 2; }
	git clone --quiet "$SRC" "$TREE"
fi
git -C "$TREE" -c advice.detachedHead=false checkout --quiet "$COMMIT"
echo "clone.sh: $TREE at $(git -C "$TREE" rev-parse --short HEAD) ($(git -C "$TREE" log -1 --format=%s | cut -c1-70))" >&2
cd "$TREE"
./junction setup
