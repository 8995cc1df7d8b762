#!/bin/bash
# Fetch e2fsprogs through `apt-get source e2fsprogs` (Debian's source
# package, Debian's patches applied by dpkg-source), configure it for the
# Keel compiler against newlib, and build two of its libraries: libext2fs
# (the ext2/3/4 library that mke2fs and e2fsck are made of) and libcom_err
# (its error tables).  sdk/fs puts them under the C library's file calls.
#
#   toolchain/build-e2fs.sh WORKDIR
#
# WORKDIR gets apt/ and download/ (toolchain/apt-source.sh), src/ the
# unpacked source package, cfg/ the configured build tree, install/
# {include,lib} what the sysroot copies, and build.log.
#
# configure runs as for any cross build (--host, CC=x86_64-keel-gcc: its
# link tests link real Keel images).  newlib has no _IOR/_IOW, which
# ext2_fs.h uses for Linux's ioctl numbers (never issued by a guest): a
# forced include defines them as 0.  One object does not compile against
# newlib and is left out, because nothing a guest does needs it:
# finddev.c (walks /dev for a device number: <dirent.h>).  `make -k`
# builds the rest; the archive holds whatever compiled, and a missing
# object that matters shows up as an undefined symbol at a guest's link.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cc=$here/x86_64-keel-gcc
want_version=1.47.0   # the version sdk/fs is written and tested for

. "$here/build-common.sh"
. "$here/apt-source.sh"
build_begin e2fs "$1"

unpack_source() {
    local dsc
    dsc=$(ls "$work"/download/e2fsprogs_*.dsc | sort -V | tail -n 1)
    rm -rf "$work/src"
    echo "  E2FS    unpack $(basename "$dsc")"
    dpkg-source --no-copy -x "$dsc" "$work/src" >>"$log" 2>&1 || fail "dpkg-source -x"
    local v
    v=$(sed -n 's/^#define E2FSPROGS_VERSION "\(.*\)"/\1/p' "$work/src/version.h")
    if [ "$v" != "$want_version" ]; then
        echo "e2fs: the source package holds e2fsprogs $v; sdk/fs is written for $want_version" >&2
        exit 1
    fi
}

# Everything that is a program or needs threads (Keel images have no
# thread-local storage: --disable-tls), a shared library or a
# Linux interface is switched off; what is left is what the libraries need.
configure_tree() {
    rm -rf "$work/cfg"
    mkdir -p "$work/cfg"
    echo "  E2FS    configure for x86_64-keel-gcc"
    (cd "$work/cfg" &&
     "$work/src/configure" --host=x86_64-linux-gnu CC="$cc" \
        --disable-nls --disable-elf-shlibs --disable-bsd-shlibs --disable-fuse2fs \
        --disable-uuidd --disable-fsck --disable-e2initrd-helper --disable-debugfs \
        --disable-imager --disable-resizer --disable-defrag --disable-tdb \
        --disable-mmp --disable-backtrace --disable-tls --without-pthread \
        --disable-rpath) \
        >>"$log" 2>&1 || fail configure
}

compile_all() {
    local cfg=$work/cfg
    echo "  E2FS    compile libcom_err, libext2fs $want_version"
    make -C "$cfg/lib/et" -j "${JOBS:-2}" libcom_err.a compile_et >>"$log" 2>&1 ||
        fail "make libcom_err"
    printf '#ifndef _IOR\n#define _IOR(a, b, c) 0\n#define _IOW(a, b, c) 0\n#endif\n' \
        >"$cfg/keel_ioctl.h"
    # the generated headers first: -j would race them with the objects
    make -C "$cfg/lib/ext2fs" ext2_err.h ext2_types.h crc32c_table.h >>"$log" 2>&1 ||
        fail "make ext2fs headers"
    # -k: see the header (finddev.o).  A section per function and object:
    # the link's --gc-sections (x86_64-keel-gcc) drops what a program's
    # calls never reach inside the members it needs (docs/fs.md).
    make -C "$cfg/lib/ext2fs" -k -j "${JOBS:-2}" \
        CFLAGS_STLIB="-g -O2 -ffunction-sections -fdata-sections -include $cfg/keel_ioctl.h" \
        libext2fs.a >>"$log" 2>&1 || true
    for o in openfs fileio mkjournal fallocate; do
        [ -f "$cfg/lib/ext2fs/$o.o" ] || fail "make libext2fs ($o.o)"
    done
}

install_all() {
    local inst=$work/install cfg=$work/cfg src=$work/src
    rm -rf "$inst"
    mkdir -p "$inst/lib" "$inst/include/ext2fs" "$inst/include/et"
    ar rcs "$inst/lib/libext2fs.a" "$cfg"/lib/ext2fs/*.o >>"$log" 2>&1 || fail "ar libext2fs"
    cp "$cfg/lib/et/libcom_err.a" "$inst/lib/"
    for h in bitops.h ext2fs.h ext2_io.h ext2_fs.h ext2_ext_attr.h ext3_extents.h \
             hashmap.h; do
        cp "$src/lib/ext2fs/$h" "$inst/include/ext2fs/"
    done
    cp "$cfg/lib/ext2fs/ext2_err.h" "$cfg/lib/ext2fs/ext2_types.h" "$inst/include/ext2fs/"
    cp "$src/lib/et/com_err.h" "$inst/include/et/"
}

apt_source_fetch e2fsprogs
unpack_source
configure_tree
compile_all
install_all
echo "  E2FS    done"
