#!/bin/sh
# Regenerates ../shortcodes.txt from the emoji data of an npm package.
#
#   sh internal/emoji/gen/gen.sh [PACKAGE@VERSION]
#
# The default is emojione@4.5.0 because that, not emoji-toolkit, is what
# Rocket.Chat's server loads into emoji.list (see ../emoji.go). emoji-toolkit
# ships emoji.json in the same format, so emoji-toolkit@X works as well,
# should Rocket.Chat ever switch to it.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
spec=${1:-emojione@4.5.0}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# npm pack fetches the published tarball without running any of its scripts.
tarball=$(cd "$tmp" && npm pack --silent "$spec")
tar -xzf "$tmp/$tarball" -C "$tmp"
node "$here/extract.js" "$tmp/package" "$(cd "$here/.." && pwd)/shortcodes.txt"
