#!/bin/bash
# Installs the Debian 12 packages Keel needs, and only those that are
# missing.  Runs apt-get as root, or through sudo when not root.
#
#   gcc make binutils libc6-dev   the host compiler (also wrapped for guests)
#   qemu-system-x86               the machine `keel run` boots
#   newlib-source                 the guests' C library, built from source
#   dpkg-dev                      `apt-get source` (lwIP, see docs/toolchain.md)
#   python3 python3-pytest        the integration tests
#   python3-matplotlib            make bench's density plot (bench/density.py)
#   xz-utils                      unpacks newlib's tarball
#   curl apache2-utils            apps/httpd's tests: curl, and ab for load
#   e2fsprogs                     mke2fs -d for keel run --volume and bin/mkdisk,
#                                 e2fsck and debugfs for the disk tests
set -euo pipefail

PACKAGES=(gcc make binutils libc6-dev qemu-system-x86 newlib-source dpkg-dev
          python3 python3-pytest python3-matplotlib xz-utils curl apache2-utils
          e2fsprogs)

missing=()
for p in "${PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
    [ "$status" = installed ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: all ${#PACKAGES[@]} packages present"
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    sudo=()
elif command -v sudo >/dev/null; then
    sudo=(sudo)
else
    echo "install-deps: missing ${missing[*]}; run as root or install sudo" >&2
    exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update
"${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
