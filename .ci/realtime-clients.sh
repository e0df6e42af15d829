#!/usr/bin/env bash
# Installs what the real-client tests of cmd/parley need and prints the line
# that points them at the installed clients:
#
#   eval "$(bash .ci/realtime-clients.sh)"
#
# - Node.js and npm (Debian's packages, as root, when missing), and the
#   clients locked in test/realtime-clients/package-lock.json, installed in
#   place with npm ci (again only when the lock file changed);
# - unshare and ip, with which the Go SDK's test gives itself a network
#   namespace with a private address.
# Only the export line goes to stdout.
set -euo pipefail
cd "$(dirname "$0")/.."

dir=$PWD/test/realtime-clients

log() { echo "realtime-clients.sh: $*" >&2; }

missing=()
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
command -v unshare >/dev/null || missing+=(util-linux)
command -v ip >/dev/null || missing+=(iproute2)
if ((${#missing[@]})); then
	[[ $EUID -eq 0 ]] || { log "missing ${missing[*]}; install them (as root)"; exit 1; }
	log "installing ${missing[*]} with apt-get"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# npm ci starts from an empty node_modules each time; the copy of the lock
# file it leaves behind tells a later run that nothing changed.
stamp=$dir/node_modules/.parley-package-lock.json
if ! cmp -s "$dir/package-lock.json" "$stamp"; then
	log "npm ci in $dir"
	(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >&2)
	cp "$dir/package-lock.json" "$stamp"
fi
log "ready: node $(node --version)"
echo "export PARLEY_REALTIME_CLIENTS_DIR=$dir"
