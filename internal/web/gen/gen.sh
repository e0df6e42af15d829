#!/bin/sh
# Regenerates ../static/js/emoji-data.js, the web client's shortcode table,
# from the emoji.json of an npm package.
#
#   sh internal/web/gen/gen.sh [PACKAGE@VERSION]
#
# The default, emojione@4.5.0, is the set the server accepts for reactions
# (internal/emoji), so every name the server takes has a glyph in the client.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
spec=${1:-emojione@4.5.0}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# npm pack fetches the published tarball without running any of its scripts.
tarball=$(cd "$tmp" && npm pack --silent "$spec")
tar -xzf "$tmp/$tarball" -C "$tmp"
node "$here/emoji-data.js" "$tmp/package" "$(cd "$here/.." && pwd)/static/js/emoji-data.js"
