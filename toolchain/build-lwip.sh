#!/bin/bash
# Fetch lwIP through `apt-get source lwip` (Debian's source package, with
# Debian's patches applied by dpkg-source), build its core, IPv4, ethernet
# and sequential APIs (netconn, sockets) with the Keel compiler, together
# with the Keel port, into one static archive.
#
#   toolchain/build-lwip.sh WORKDIR PORTDIR
#
# WORKDIR gets:
#   apt/       a private apt state: sources list, lists/, cache/ (the
#              last two dropped after the download).  The system's apt
#              configuration and state are never touched.
#   download/  the .dsc and its tarballs, kept: once there, no network is
#              needed again (offline: put them there by hand).
#   src/       the unpacked source package; obj/ the objects;
#   install/{include,lib}  what the sysroot copies; build.log.
# PORTDIR is sdk/lwip-port: include/ (lwipopts.h, arch/) and sys_arch.c.
#
# The deb-src entries are derived from the machine's own deb entries
# (/etc/apt/sources.list, sources.list.d/*.list and deb822 *.sources), so
# no archive's host name is written anywhere in the repository.
set -euo pipefail

work=$1
port=$2
here=$(cd "$(dirname "$0")" && pwd)
cc=$here/x86_64-keel-gcc
want_version=2.1.3   # the version sdk/lwip-port is written and tested for

mkdir -p "$work"
work=$(cd "$work" && pwd)
port=$(cd "$port" && pwd)
log=$work/build.log
: >"$log"

fail() {
    echo "lwip: $1 failed; last lines of $log:" >&2
    tail -n 40 "$log" >&2
    exit 1
}

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
    {
        echo "lwip: could not fetch Debian's lwip source package ($1); apt said:"
        tail -n 6 "$log" | sed 's/^/    /'
        echo
        echo "  The deb-src entries were derived from this machine's apt sources"
        echo "  into $work/apt/; the whole output is in $log."
        echo "  Offline: on a machine that can reach a Debian 12 archive run"
        echo "  'apt-get source --download-only lwip', copy the lwip_*.dsc and its"
        echo "  tarballs into $work/download/ and run make again."
    } >&2
    exit 1
}

# Downloads into a temporary folder that becomes download/ only when
# complete, so an interrupted fetch is retried, never half used.
fetch_source() {
    ls "$work"/download/lwip_*.dsc >/dev/null 2>&1 && return 0
    command -v dpkg-source >/dev/null ||
        { echo "lwip: dpkg-source missing: run scripts/install-deps.sh (dpkg-dev)" >&2; exit 1; }
    echo "  LWIP    apt-get source lwip (private apt state in $work/apt)"
    make_apt_state "$work/apt"
    # A source without deb-src indexes (a third-party archive) makes update
    # fail; what counts is whether lwip's source is found afterwards.
    apt_private update >>"$log" 2>&1 || echo "lwip: apt-get update reported errors (see log)" >>"$log"
    rm -rf "$work/download.tmp"
    mkdir -p "$work/download.tmp"
    (cd "$work/download.tmp" && apt_private source --download-only lwip) \
        >>"$log" 2>&1 || no_source "apt-get source lwip failed"
    ls "$work"/download.tmp/lwip_*.dsc >/dev/null 2>&1 || no_source "no .dsc downloaded"
    rm -rf "$work/download"
    mv "$work/download.tmp" "$work/download"
    # the indexes (about 20 MB) served this one download
    rm -rf "$work/apt/lists" "$work/apt/cache"
}

# The newest .dsc in download/, unpacked (patches applied) into src/.
unpack_source() {
    local dsc
    dsc=$(ls "$work"/download/lwip_*.dsc | sort -V | tail -n 1)
    rm -rf "$work/src"
    echo "  LWIP    unpack $(basename "$dsc")"
    dpkg-source --no-copy -x "$dsc" "$work/src" >>"$log" 2>&1 || fail "dpkg-source -x"
}

check_version() {
    local init=$work/src/src/include/lwip/init.h v
    # init.h has DOS line ends
    v=$(tr -d '\r' <"$init" |
        awk '/#define LWIP_VERSION_(MAJOR|MINOR|REVISION)[ \t]/ { printf "%s%s", sep, $3; sep = "." }')
    if [ "$v" != "$want_version" ]; then
        echo "lwip: the source package holds lwIP $v; sdk/lwip-port is written for $want_version" >&2
        exit 1
    fi
}

# lwIP's sources: warnings go to the log (third-party code, not ours to
# fix), except an undeclared function, which would be a call to nothing.
# The port is ours: -Werror.
compile_all() {
    local obj=$work/obj src=$work/src/src
    local flags="-std=gnu11 -O2 -g -I $port/include -I $src/include"
    rm -rf "$obj"
    mkdir -p "$obj"
    echo "  LWIP    compile lwIP $want_version + port"
    export cc obj flags log
    printf '%s\n' "$src"/core/*.c "$src"/core/ipv4/*.c "$src"/api/*.c \
                  "$src"/netif/ethernet.c |
        xargs -P "${JOBS:-2}" -n 1 sh -c \
            'o=$obj/$(echo "${1#*/src/src/}" | tr / _); o=${o%.c}.o
             "$cc" $flags -Wall -Werror=implicit-function-declaration -c "$1" -o "$o" >>"$log" 2>&1 ||
                 { echo "FAILED $1" >>"$log"; exit 255; }' sh ||
        fail compile
    for c in "$port"/*.c; do
        "$cc" $flags -Wall -Wextra -Werror -c "$c" -o "$obj/port_$(basename "${c%.c}").o" \
            >>"$log" 2>&1 || fail "compile $(basename "$c")"
    done
}

install_all() {
    local inst=$work/install
    rm -rf "$inst"
    mkdir -p "$inst/lib" "$inst/include"
    ar rcs "$inst/lib/liblwip.a" "$work"/obj/*.o >>"$log" 2>&1 || fail ar
    cp -a "$work/src/src/include/lwip" "$work/src/src/include/netif" "$inst/include/"
    cp -a "$port/include/." "$inst/include/"
}

fetch_source
unpack_source
check_version
compile_all
install_all
echo "  LWIP    done"
