#!/bin/sh
# Regenerates the golden files (and, with --data, psl.txt and
# classes_table.go) from the md-oracle. The oracle folder is read-only in
# CI, so it is copied to a temporary folder and installed there.
#
#   sh internal/markdown/testdata/gen/regen.sh [--data] [ORACLE_DIR]
#
# ORACLE_DIR defaults to ../shared/tools/md-oracle next to the repository.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
data=
if [ "${1:-}" = "--data" ]; then
	data=1
	shift
fi
src=${1:-$here/../../../../../shared/tools/md-oracle}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -R "$src"/. "$tmp"
(cd "$tmp" && npm ci --no-audit --no-fund --loglevel=error)
if [ -n "$data" ]; then
	node "$here/extract-data.js" "$tmp"
	gofmt -w "$here/../../classes_table.go"
fi
TZ=UTC node "$here/make-golden.js" "$tmp"
