"""keel run --disk FILE[:ro]: a raw image as a virtio-blk-pci function
(slot 5; its interrupt through MSI-X, docs/devices.md), lent to dom0,
whose driver (sdk/drivers/virtio, virtio-blk) brings it up beside the NIC
and reads its first sector through the queue and the interrupt.  Several
files: test_disks.py.  A file
that cannot be a disk is one line and status 2 before QEMU starts."""
import os
import re

from conftest import KEEL, guest, keel_run, text

import subprocess

DISK = re.compile(r"dom0\| disk: 00:05\.0 up in \d+ us: (\d+) sectors of (\d+) bytes, "
                  r"(rw|ro), (flush|no flush), discard \d+, features 0x[0-9a-f]+, "
                  r"(interrupts|polled); "
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
    assert re.search(r"disk: 00:05\.0 up .* discard [1-9]\d*, ", text(r.stderr))  # agreed
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
                       (str(tmp_path / "a,b.img"), "--disk wants [NAME=]FILE")]:
        r = subprocess.run([KEEL, "run", "--disk", spec, guest("sleep.img")],
                           capture_output=True, timeout=30)
        assert r.returncode == 2, (spec, text(r.stderr))
        err = text(r.stderr)
        assert err.count("\n") == 1 and want in err, err


def fill(n, seed, salt):
    return bytes((seed * 31 + salt * 7 + i * 13 + (i >> 9)) & 255 for i in range(n))


def disk_guest(img, *args, options=(), more=()):
    return keel_run([guest("disk.img"), *more], args=list(args),
                    options=["-v", "--net", "none", "--disk", img, *options])


def test_guest_writes_flushes_and_a_second_run_reads(tmp_path):
    img = tmp_path / "rw.img"
    img.write_bytes(bytes(4 * 1024 * 1024))
    r = disk_guest(str(img), "write", "7")
    assert r.returncode == 0, text(r.stdout) + text(r.stderr)
    assert "disk: wrote, flushed, read back ok" in text(r.stdout)
    data = img.read_bytes()
    assert data[:45056] == fill(45056, 7, 0)                  # on the host file
    assert data[1000 * 512:1000 * 512 + 4096] == fill(4096, 7, 1)
    r = disk_guest(str(img), "check", "7")
    assert "disk: found ok" in text(r.stdout), text(r.stdout)
    r = disk_guest(str(img), "check", "8")                     # and it can fail
    assert "disk: FAIL" in text(r.stdout) and r.returncode == 1


def test_zero_copy_buffers_reach_the_host_file(tmp_path):
    """Requests on blkfront_buffer_alloc's memory name its pages (no copy
    in the guest; in dom0 the device reaches them when the pins work): the
    bytes land where they should, reads fill the buffer, and the bounds
    hold (tests/guests/disk.c zerocopy)."""
    img = tmp_path / "zc.img"
    img.write_bytes(bytes(4 * 1024 * 1024))
    r = disk_guest(str(img), "zerocopy", "5")
    assert r.returncode == 0, text(r.stdout) + text(r.stderr)
    assert "disk: zero-copy buffers ok" in text(r.stdout)
    data, want = img.read_bytes(), fill(45056, 5, 9)
    assert data[4000 * 512:4000 * 512 + 45056] == want
    for i in range(8):
        at = (4100 + i * 8) * 512
        assert data[at:at + 4096] == want[(i + 1) * 4096:(i + 2) * 4096]


def test_read_only_disk_refuses_writes_in_the_guest(tmp_path):
    img = tmp_path / "ro.img"
    img.write_bytes(b"\x5a" * (1024 * 1024))
    r = disk_guest(f"{img}:ro", "ro")
    assert r.returncode == 0, text(r.stdout) + text(r.stderr)
    assert "disk: 2048 sectors of 512 bytes, ro" in text(r.stdout)
    assert "disk: write refused EROFS, discard refused EROFS, read ok" in text(r.stdout)
    assert img.read_bytes() == b"\x5a" * (1024 * 1024)


def test_hostile_guest_is_cut_off_alone(tmp_path):
    img = tmp_path / "evil.img"
    img.write_bytes(bytes(4 * 1024 * 1024))
    assert disk_guest(str(img), "write", "3").returncode == 0
    before = img.read_bytes()
    r = disk_guest(str(img), "evil", more=[guest("sleep.img")])
    out = text(r.stdout)
    assert r.returncode == 0, out + text(r.stderr)
    assert "disk| disk: cut off ok" in out
    assert "sleep| sleep_left=0 nanosleep_rc=0" in out         # the other guest
    assert re.search(r"blkback: domain \d+ cut off: its ring's producer index is corrupt",
                     text(r.stderr)), text(r.stderr)
    assert img.read_bytes() == before
    r = disk_guest(str(img), "check", "3")
    assert "disk: found ok" in text(r.stdout), text(r.stdout)


def fnv(data):
    h = 2166136261
    for b in data:
        h = ((h ^ b) * 16777619) & 0xffffffff
    return f"{h:08x}"


def listed(out, guest_name):
    return re.findall(rf"{guest_name}\| disk (\d+): (\d+) sectors, (ro|rw), at (\S+), "
                      rf"sum ([0-9a-f]+)(, write refused EROFS)?(?:, ext2)?", out)


def test_two_guests_share_a_read_only_disk(tmp_path):
    """One file given read-only to two guests: one virtio-blk function,
    blkback serves both; each guest's write is EROFS, both read the same
    bytes, and the file is unchanged."""
    img = tmp_path / "shared.img"
    img.write_bytes(fill(256 * 1024, 5, 2))
    before = fnv(img.read_bytes())
    r = keel_run([guest("disk.img"), guest("disk.img")], args=["list"],
                 options=["-v", "--net", "none", "--disk", f"disk={img}:ro:/share",
                          "--disk", f"1={img}:ro"])
    out = text(r.stdout)
    assert r.returncode == 0, out + text(r.stderr)
    assert len(DISK.findall(text(r.stderr))) == 1              # one device
    assert listed(out, "disk") == [("0", "512", "ro", "/share", before, ", write refused EROFS")]
    assert listed(out, "disk-2") == [("0", "512", "ro", "/", before, ", write refused EROFS")]
    assert fnv(img.read_bytes()) == before


def test_two_guests_write_their_slices_of_one_file(tmp_path):
    """--disk FILE:START+SIZE: two guests read-write on slices of one file
    (one virtio-blk function): each sees a disk of its slice's size, its
    writes land in its slice only, the bytes between stay as they were."""
    img = tmp_path / "sliced.img"
    img.write_bytes(b"\xa5" * (3 << 20))
    r = keel_run([guest("disk.img"), guest("disk.img")], args=["write", "6"],
                 options=["-v", "--net", "none", "--disk", f"disk={img}:0+1M",
                          "--disk", f"1={img}:2M+1M"])
    out = text(r.stdout)
    assert r.returncode == 0, out + text(r.stderr)
    assert len(DISK.findall(text(r.stderr))) == 1              # one device
    assert out.count("disk: 2048 sectors of 512 bytes, rw") == 2, out
    assert out.count("disk: wrote, flushed, read back ok") == 2, out
    data = img.read_bytes()
    for base in (0, 2 << 20):
        assert data[base:base + 45056] == fill(45056, 6, 0)
        assert data[base + 1000 * 512:base + 1000 * 512 + 4096] == fill(4096, 6, 1)
    assert data[1 << 20:2 << 20] == b"\xa5" * (1 << 20)
    r = keel_run([guest("disk.img")], args=["check", "6"],
                 options=["--net", "none", "--disk", f"{img}:2M+1M"])
    assert "disk: found ok" in text(r.stdout), text(r.stdout)
    r = keel_run([guest("disk.img")], args=["check", "6"],
                 options=["--net", "none", "--disk", f"{img}:1M+1M"])
    assert "disk: FAIL" in text(r.stdout)                       # the middle: not written


def test_several_disks_for_another_guest(tmp_path):
    """Two files to the second guest (by name), in order, each its own
    device on its own interrupt line; the first guest gets none."""
    a, b = tmp_path / "a.img", tmp_path / "b.img"
    a.write_bytes(fill(128 * 1024, 1, 1))
    b.write_bytes(fill(64 * 1024, 2, 2))
    r = keel_run([guest("sleep.img"), guest("disk.img")], args=["list"],
                 options=["-v", "--net", "none", "--disk", f"disk={a}:/data",
                          "--disk", f"disk={b}:ro:/etc/x"])
    out, err = text(r.stdout), text(r.stderr)
    assert r.returncode == 0, out + err
    assert re.search(r"dom0\| disk: 00:05\.0 up .*interrupts; first sector read: ok", err), err
    assert re.search(r"dom0\| disk: 00:04\.0 up .*interrupts; first sector read: ok", err), err
    assert listed(out, "disk") == [
        ("0", "256", "rw", "/data", fnv(a.read_bytes()), ""),
        ("1", "128", "ro", "/etc/x", fnv(b.read_bytes()), ", write refused EROFS")]
    assert "disk| disk: 2 disks listed ok" in out


def test_disk_plans_refused_in_one_line(tmp_path):
    img, other = tmp_path / "d.img", tmp_path / "e.img"
    img.write_bytes(bytes(4096))
    other.write_bytes(bytes(4096))
    img2 = tmp_path / "ro.img"
    img2.write_bytes(bytes(4096))
    img2.chmod(0o444)
    cases = [(["--disk", f"{img}:ro", "--disk", f"1={img}"], "a file is shared read-only"),
             (["--disk", f"{img}:0+4K", "--disk", f"1={img}:2K+2K"], "slices that do not overlap"),
             (["--disk", f"{img}:2K+4K"], "is not inside its 4096 bytes"),
             (["--disk", f"{img}:1+4K"], "START and SIZE whole 512-byte sectors"),
             (["--disk", f"nobody={img}"], "no such guest"),
             (["--disk", str(img), "--disk", str(other), "--disk", f"{tmp_path / 'g.img'}"],
              "No such file or directory"),
             (["--net", "none", "--disk", str(img), "--disk", str(other), "--disk", f"1={tmp_path / 'f.img'}"],
              "No such file or directory")]
    import os
    import fcntl
    busy = tmp_path / "busy.img"
    busy.write_bytes(bytes(4096))
    locked = open(busy, "r+b")
    fcntl.lockf(locked, fcntl.LOCK_EX, 1, 100)        # as another QEMU would
    cases.append((["--disk", str(busy)], "in use by another process"))
    if os.geteuid() != 0:                     # root opens a 0444 file rw
        cases.append((["--disk", str(img2)], "Permission denied (add :ro to lend it read-only)"))
    for opts, want in cases:
        r = subprocess.run([KEEL, "run", *opts, guest("sleep.img"), guest("sleep.img")],
                           capture_output=True, timeout=30)
        err = text(r.stderr)
        assert r.returncode == 2 and err.count("\n") == 1 and want in err, (opts, err)


def test_discard_punches_a_hole_in_the_host_file(tmp_path):
    """A guest fills 4 MiB of a sparse file (flushed: the blocks are
    there), a second run discards them: blkfront, blkback, the driver's
    DISCARD, QEMU's discard=unmap punch a hole, so the file's allocated
    blocks drop, the range reads zeros (a hole; discard alone promises
    only "undefined", the hole is what QEMU makes of it on a raw file),
    and the bytes either side stay."""
    img = tmp_path / "sparse.img"
    with open(img, "wb") as f:
        f.write(b"\x5a" * (1 << 20))                 # the first MiB: not the guest's range
        f.truncate(8 << 20)
    empty = os.stat(img).st_blocks
    r = disk_guest(str(img), "fill", "9")
    assert r.returncode == 0, text(r.stdout) + text(r.stderr)
    assert "disk: filled 8192 sectors ok" in text(r.stdout)
    full = os.stat(img).st_blocks
    assert full - empty >= 8192, (empty, full)        # 4 MiB allocated
    data = img.read_bytes()
    assert data[(1 << 20):(1 << 20) + 45056] == fill(45056, 9, 0)
    r = disk_guest(str(img), "discard")
    assert r.returncode == 0, text(r.stdout) + text(r.stderr)
    assert "disk: discarded 8192 sectors ok" in text(r.stdout)
    after = os.stat(img).st_blocks
    assert full - after >= 8192 - 16, (empty, full, after)   # the hole
    data = img.read_bytes()
    assert data[(1 << 20):(5 << 20)] == bytes(4 << 20)
    assert data[:1 << 20] == b"\x5a" * (1 << 20)
    assert data[5 << 20:] == bytes(3 << 20)


def test_discard_past_a_slice_is_refused(tmp_path):
    """A guest on --disk FILE:1M+1M discards across its slice's end, past
    it, and wrapping round: each refused (blkback checks the range inside
    the slice, -KEEL_EINVAL in the guest) with the bytes beyond untouched;
    its discard of its whole slice works in the same run."""
    img = tmp_path / "sliced.img"
    img.write_bytes(b"\xa5" * (3 << 20))
    before = os.stat(img).st_blocks
    r = keel_run([guest("disk.img")], args=["discardpast"],
                 options=["-v", "--net", "none", "--disk", f"{img}:1M+1M"])
    out = text(r.stdout)
    assert r.returncode == 0, out + text(r.stderr)
    assert "disk: discards past the end refused EINVAL, the disk discarded ok" in out, out
    data = img.read_bytes()
    assert data[:1 << 20] == b"\xa5" * (1 << 20)
    assert data[2 << 20:] == b"\xa5" * (1 << 20)
    assert data[1 << 20:2 << 20] == bytes(1 << 20)
    assert before - os.stat(img).st_blocks >= 2048 - 16
