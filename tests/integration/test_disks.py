"""Several disk files beside the NIC: each its own virtio-blk-pci function
(slots 5, 4, 6, 7), interrupting through MSI-X (docs/devices.md), since
QEMU's i440fx has two PCI lines and the NIC at slot 3 shares IRQ 11 with
slot 4.  Each disk is an ext2 image mounted at its own point; the guest
reads and writes every one, and the host checks each image after."""
import os
import re
import subprocess

from conftest import KEEL, guest, keel_run, text

MKE2FS = "/usr/sbin/mke2fs" if os.path.exists("/usr/sbin/mke2fs") else "mke2fs"
E2FSCK = "/usr/sbin/e2fsck" if os.path.exists("/usr/sbin/e2fsck") else "e2fsck"
UP = r"dom0\| disk: 00:0{}\.0 up in \d+ us: \d+ sectors of 512 bytes, rw, flush, " \
     r"discard \d+, features 0x[0-9a-f]+, interrupts; first sector read: ok"


def ext2_named(tmp_path, mount):
    root = tmp_path / f"{mount}.root"
    root.mkdir()
    (root / "name.txt").write_text(f"disk /{mount}\n")
    img = tmp_path / f"{mount}.img"
    r = subprocess.run([MKE2FS, "-q", "-F", "-t", "ext2", "-b", "1024", "-d", str(root),
                        str(img), "2M"], capture_output=True, timeout=60)
    assert r.returncode == 0, text(r.stderr)
    return img


def debugfs_cat(img, path):
    r = subprocess.run(["/usr/sbin/debugfs", "-R", f"cat {path}", str(img)],
                       capture_output=True, timeout=30)
    return text(r.stdout)


def test_four_disks_beside_the_nic(tmp_path):
    mounts = ["a", "b", "c", "d"]
    imgs = [ext2_named(tmp_path, m) for m in mounts]
    options = ["-v"]
    for img, m in zip(imgs, mounts):
        options += ["--disk", f"{img}:/{m}"]
    r = keel_run([guest("disks.img")], args=[f"/{m}" for m in mounts], options=options)
    out, err = text(r.stdout), text(r.stderr)
    assert "disks: 4 ok" in out, out + err
    assert r.returncode == 0, err
    for slot in (5, 4, 6, 7):                    # 4 shares IRQ 11 with the NIC
        assert re.search(UP.format(slot), err), err
    assert re.search(r"net: NIC 00:03\.0 taken .* interrupts", err), err
    for img, m in zip(imgs, mounts):
        assert debugfs_cat(img, "/guest.txt") == f"written by the guest on /{m}\n"
        fsck = subprocess.run([E2FSCK, "-fn", str(img)], capture_output=True, timeout=60)
        assert fsck.returncode == 0, text(fsck.stdout)


def test_a_fifth_disk_file_is_refused_in_one_line(tmp_path):
    opts = []
    for i in range(5):
        img = tmp_path / f"{i}.img"
        img.write_bytes(bytes(4096))
        opts += ["--disk", f"{img}:/d{i}"]
    r = subprocess.run([KEEL, "run", *opts, guest("sleep.img")], capture_output=True, timeout=30)
    err = text(r.stderr)
    assert r.returncode == 2 and err.count("\n") == 1, err
    assert "at most 4 disk files a run" in err, err
