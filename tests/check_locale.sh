#!/bin/sh
# Builds de_DE.UTF-8 into a private directory (no root, nothing installed
# system-wide; needs Debian's `locales` package for the locale sources) and
# runs check_locale under it.  Fails when the locale cannot be built.
#   check_locale.sh CHECK_LOCALE_EXE CATALOG_DIR CONFIG.json...
set -eu
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# localedef exits 1 on mere warnings: judge by the directory it writes.
localedef -i de_DE -f UTF-8 "$dir/de_DE.UTF-8" >/dev/null 2>&1 || true
if [ ! -d "$dir/de_DE.UTF-8" ]; then
    echo "FAIL: localedef could not build de_DE.UTF-8 (install Debian's 'locales')" >&2
    exit 1
fi
exe=$1
shift
LOCPATH=$dir "$exe" "$@"
