#!/usr/bin/env bash
# Prepares the reference markdown parser (../shared/tools/md-oracle) for the
# live differential test of internal/markdown and prints the line that points
# the test at it:
#
#   eval "$(bash .ci/md-oracle.sh)"
#
# The oracle folder is read-only, so it is copied to a writable place and its
# locked dependencies are installed there with npm ci. Node comes from
# Debian's nodejs package when it is missing (as root). Only the export line
# goes to stdout.
set -euo pipefail
cd "$(dirname "$0")/.."

src=../shared/tools/md-oracle
dst=${PARLEY_MD_ORACLE_DIR:-/tmp/parley-md-oracle}

log() { echo "md-oracle.sh: $*" >&2; }

[[ -f $src/package-lock.json ]] || { log "no oracle at $src"; exit 1; }

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	[[ $EUID -eq 0 ]] || { log "node/npm missing; install Node.js 18 or later"; exit 1; }
	log "installing nodejs and npm with apt-get"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2
	apt-get install -y -qq --no-install-recommends nodejs npm >&2
fi

if [[ ! -d $dst/node_modules/@rocket.chat/message-parser ]] || ! cmp -s "$src/package-lock.json" "$dst/package-lock.json"; then
	rm -rf "$dst"
	mkdir -p "$dst"
	cp -R "$src"/. "$dst"
	log "npm ci in $dst"
	(cd "$dst" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
log "ready"
echo "export PARLEY_MD_ORACLE_DIR=$dst"
