#!/usr/bin/env bash
# Installs Chromium for the web client's browser tests (cmd/parley's
# web_*_test.go, internal/web/browsertest) when it is missing, and prints
# the line that points the tests at it:
#
#   eval "$(bash .ci/chromium.sh)"
#
# Debian's chromium package, as root, with apt-get. Only the export line goes
# to stdout.
set -euo pipefail

log() { echo "chromium.sh: $*" >&2; }

find_chromium() {
	if [[ -n "${PARLEY_CHROMIUM:-}" && -x "$PARLEY_CHROMIUM" ]]; then
		echo "$PARLEY_CHROMIUM"
		return
	fi
	for p in /usr/bin/chromium /usr/bin/chromium-browser; do
		[[ -x $p ]] && { echo "$p"; return; }
	done
	command -v chromium 2>/dev/null || command -v chromium-browser 2>/dev/null || true
}

path=$(find_chromium)
if [[ -z $path ]]; then
	[[ $EUID -eq 0 ]] || { log "chromium is missing; install Debian's chromium package (as root)"; exit 1; }
	log "installing chromium with apt-get"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2
	apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >&2
	path=$(find_chromium)
	[[ -n $path ]] || { log "chromium still missing after apt-get"; exit 1; }
fi
log "ready: $("$path" --version 2>/dev/null | head -n1)"
echo "export PARLEY_CHROMIUM=$(printf '%q' "$path")"
