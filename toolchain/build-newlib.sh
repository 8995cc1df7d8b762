#!/bin/bash
# Build newlib from Debian's newlib-source tarball with the system gcc as the
# target compiler, and install it into a private prefix.
#
#   toolchain/build-newlib.sh TARBALL WORKDIR
#
# WORKDIR gets src/ (the extracted tarball), obj/ (the build tree),
# install/{include,lib} (what the sysroot copies) and build.log.  The whole
# build is logged; only its tail is shown if something fails.
#
# Why these flags:
#  - the host gcc is a Linux compiler: -nostdinc keeps glibc's headers out,
#    gcc's own include dir brings back stddef.h, stdarg.h, float.h and the
#    intrinsics, and the -U flags stop newlib from taking Linux code paths.
#  - -fno-pie/-mcmodel=small: images are static ELF at 0x400000.
#  - -fno-omit-frame-pointer: dom0 walks frame pointers for crash backtraces.
#  - -fno-stack-protector: the host gcc's default canary lives at %fs:0x28,
#    and Keel guests have no thread pointer.
#  - --disable-newlib-supplied-syscalls: the libos supplies _write, _sbrk ...
set -euo pipefail

tarball=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/build-common.sh"
build_begin newlib "$2"

[ -r "$tarball" ] || {
    echo "newlib: $tarball not found; install it with: apt-get install newlib-source" >&2
    exit 1
}

gccinc=$(gcc -print-file-name=include)
cflags="-nostdinc -isystem $gccinc $("$here/target-flags.sh")"
cflags="$cflags -mcmodel=small -O2 -g"

rm -rf "$work/src" "$work/obj" "$work/install"
mkdir -p "$work/src" "$work/obj"
echo "  NEWLIB  extract $(basename "$tarball")"
tar -xJf "$tarball" -C "$work/src" --strip-components=1 >>"$log" 2>&1 || fail extract

echo "  NEWLIB  configure (log: $log)"
(
    cd "$work/obj"
    "$work/src/configure" \
        --target=x86_64-elf \
        --prefix="$work/install" \
        --disable-multilib \
        --disable-libgloss \
        --disable-newlib-supplied-syscalls \
        --enable-newlib-io-long-long \
        --enable-newlib-retargetable-locking \
        --enable-newlib-io-c99-formats \
        --disable-nls \
        CC_FOR_TARGET=gcc \
        CFLAGS_FOR_TARGET="$cflags" \
        AR_FOR_TARGET=ar AS_FOR_TARGET=as LD_FOR_TARGET=ld \
        NM_FOR_TARGET=nm RANLIB_FOR_TARGET=ranlib \
        OBJDUMP_FOR_TARGET=objdump READELF_FOR_TARGET=readelf \
        STRIP_FOR_TARGET=strip \
        MAKEINFO=true
) >>"$log" 2>&1 || fail configure

# A parent make's jobserver is not ours to share (this script is not a
# recursive make); run our own -j.
unset MAKEFLAGS MFLAGS MAKELEVEL
echo "  NEWLIB  build (a few minutes)"
make -C "$work/obj" -j"${JOBS:-2}" all-target-newlib MAKEINFO=true \
    >>"$log" 2>&1 || fail build
make -C "$work/obj" install-target-newlib MAKEINFO=true \
    >>"$log" 2>&1 || fail install

# newlib installs into <prefix>/<target>/{include,lib}; flatten it.
mv "$work/install/x86_64-elf/include" "$work/install/include"
mv "$work/install/x86_64-elf/lib" "$work/install/lib"
rm -rf "$work/install/x86_64-elf" "$work/install/share"
echo "  NEWLIB  done"
