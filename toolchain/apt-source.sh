# Sourced by a toolchain build script that builds a Debian source package
# (build-lwip.sh): fetch it with `apt-get source` through a private apt
# state, never touching the system's apt configuration or state.  Needs
# build-common.sh's $work and $log.
#
#   apt_source_fetch PACKAGE
#
# leaves PACKAGE_*.dsc and its tarballs in $work/download/ (kept: once
# there, no network is needed again; offline, put them there by hand),
# using $work/apt/ as the apt state: sources list, lists/, cache/ (the last
# two dropped after the download).
#
# The deb-src entries are derived from the machine's own deb entries
# (/etc/apt/sources.list, sources.list.d/*.list and deb822 *.sources), so
# no archive's host name is written anywhere in the repository.

# deb lines of one-line sources files become deb-src lines, options
# (signed-by=...) kept; deb-src lines are kept as they are.
derive_one_line() {
    sed -n -E 's/^[[:space:]]*deb(-src)?([[:space:]])/deb-src\2/p' "$@" | sort -u
}

# deb822 stanzas keep every field; their Types become deb-src.
derive_deb822() {
    awk 'tolower($0) ~ /^types:/ { print "Types: deb-src"; next } { print }' "$1"
}

make_apt_state() {
    local apt=$1 f
    rm -rf "$apt"
    mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/sources.list.d"
    derive_one_line /dev/null /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
        2>/dev/null >"$apt/sources.list" || true
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -r "$f" ] && derive_deb822 "$f" >"$apt/sources.list.d/$(basename "$f")"
    done
    return 0
}

# As root, apt would download as the _apt user, who may not write into a
# build tree: downloads run as the caller.
apt_private() {
    local apt=$work/apt
    apt-get -q -o Dir::Etc::sourcelist="$apt/sources.list" \
        -o Dir::Etc::sourceparts="$apt/sources.list.d" \
        -o Dir::State="$apt" -o Dir::Cache="$apt/cache" \
        -o APT::Sandbox::User=root "$@"
}

no_source() {
    local pkg=$1
    {
        echo "$pkg: could not fetch Debian's $pkg source package ($2); apt said:"
        tail -n 6 "$log" | sed 's/^/    /'
        echo
        echo "  The deb-src entries were derived from this machine's apt sources"
        echo "  into $work/apt/; the whole output is in $log."
        echo "  Offline: on a machine that can reach a Debian 12 archive run"
        echo "  'apt-get source --download-only $pkg', copy the ${pkg}_*.dsc and its"
        echo "  tarballs into $work/download/ and run make again."
    } >&2
    exit 1
}

# Downloads into a temporary folder that becomes download/ only when
# complete, so an interrupted fetch is retried, never half used.
apt_source_fetch() {
    local pkg=$1
    ls "$work"/download/"$pkg"_*.dsc >/dev/null 2>&1 && return 0
    command -v dpkg-source >/dev/null ||
        { echo "$pkg: dpkg-source missing: run scripts/install-deps.sh (dpkg-dev)" >&2; exit 1; }
    echo "  $(printf '%-7s' "${pkg^^}") apt-get source $pkg (private apt state in $work/apt)"
    make_apt_state "$work/apt"
    # A source without deb-src indexes (a third-party archive) makes update
    # fail; what counts is whether the package's source is found afterwards.
    apt_private update >>"$log" 2>&1 || echo "$pkg: apt-get update reported errors (see log)" >>"$log"
    rm -rf "$work/download.tmp"
    mkdir -p "$work/download.tmp"
    (cd "$work/download.tmp" && apt_private source --download-only "$pkg") \
        >>"$log" 2>&1 || no_source "$pkg" "apt-get source $pkg failed"
    ls "$work"/download.tmp/"$pkg"_*.dsc >/dev/null 2>&1 || no_source "$pkg" "no .dsc downloaded"
    rm -rf "$work/download"
    mv "$work/download.tmp" "$work/download"
    # the indexes (about 20 MB) served this one download
    rm -rf "$work/apt/lists" "$work/apt/cache"
}
