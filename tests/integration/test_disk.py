"""keel run --disk FILE[:ro]: a raw image as a virtio-blk-pci function
(slot 5, IRQ 10: no line shared with the NIC at slot 3), lent to dom0,
whose driver (sdk/drivers/virtio, virtio-blk) brings it up beside the NIC
and reads its first sector through the queue and the interrupt.  A file
that cannot be a disk is one line and status 2 before QEMU starts."""
import re

from conftest import KEEL, guest, keel_run, text

import subprocess

DISK = re.compile(r"dom0\| disk: 00:05\.0 up in \d+ us: (\d+) sectors of (\d+) bytes, "
                  r"(rw|ro), (flush|no flush), features 0x[0-9a-f]+, (interrupts|polled); "
                  r"first sector read: (\S+)")


def disk_line(r):
    m = DISK.search(text(r.stderr))
    assert m, text(r.stderr)
    return m


def test_disk_beside_the_nic(tmp_path):
    img = tmp_path / "disk.img"
    img.write_bytes(b"KEELDISK" + bytes(4 * 1024 * 1024 - 8))
    r = keel_run([guest("sleep.img")], options=["-v", "--disk", str(img)])
    assert r.returncode == 0, text(r.stderr)
    assert disk_line(r).groups() == ("8192", "512", "rw", "flush", "interrupts", "ok")
    assert re.search(r"net: NIC 00:03\.0 taken .* interrupts", text(r.stderr))
    assert "sleep_left=0 nanosleep_rc=0" in text(r.stdout)


def test_read_only_disk(tmp_path):
    img = tmp_path / "ro.img"
    img.write_bytes(bytes(1024 * 1024))
    r = keel_run([guest("sleep.img")], options=["-v", "--net", "none",
                                                "--disk", f"{img}:ro"])
    assert r.returncode == 0, text(r.stderr)
    assert disk_line(r).group(1, 3, 6) == ("2048", "ro", "ok")


def test_unusable_disks_are_one_line(tmp_path):
    bad = tmp_path / "odd.img"
    bad.write_bytes(bytes(1000))
    for spec, want in [(str(tmp_path / "missing.img"), "No such file or directory"),
                       (str(bad), "not a whole number of 512-byte sectors"),
                       (str(tmp_path), "Is a directory"),
                       (str(tmp_path / "a,b.img"), "--disk wants FILE or FILE:ro")]:
        r = subprocess.run([KEEL, "run", "--disk", spec, guest("sleep.img")],
                           capture_output=True, timeout=30)
        assert r.returncode == 2, (spec, text(r.stderr))
        err = text(r.stderr)
        assert err.count("\n") == 1 and want in err, err
