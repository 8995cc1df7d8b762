#!/bin/bash
# Fetch lwIP through `apt-get source lwip` (Debian's source package, with
# Debian's patches applied by dpkg-source), build its core, IPv4, ethernet
# and sequential APIs (netconn, sockets) with the Keel compiler, together
# with the Keel port, into one static archive.
#
#   toolchain/build-lwip.sh WORKDIR PORTDIR
#
# WORKDIR gets apt/ and download/ (toolchain/apt-source.sh: Debian's
# source package through a private apt state), src/ the unpacked source
# package, obj/ the objects, install/{include,lib} what the sysroot
# copies, and build.log.
# PORTDIR is sdk/lwip-port: include/ (lwipopts.h, arch/) and *.c.
set -euo pipefail

port=$2
here=$(cd "$(dirname "$0")" && pwd)
cc=$here/x86_64-keel-gcc
want_version=2.1.3   # the version sdk/lwip-port is written and tested for

. "$here/build-common.sh"
. "$here/apt-source.sh"
build_begin lwip "$1"
port=$(cd "$port" && pwd)

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

apt_source_fetch lwip
unpack_source
check_version
compile_all
install_all
echo "  LWIP    done"
