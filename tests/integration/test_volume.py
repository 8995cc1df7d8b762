"""keel run --volume [NAME=]DIR[:MOUNTPOINT] (a read-only ext2 disk made
for the run with mke2fs -d) and bin/mkdisk DIR SIZE OUT (a read-write
one): the guest finds ext2 on them at the mount point given, a volume
refuses writes, a made disk checks clean on the host before and after a
run, and every refusal is one line and a non-zero status."""
import os
import re
import subprocess

from conftest import KEEL, REPO, guest, keel_run, text

MKDISK = os.path.join(REPO, "bin", "mkdisk")
LISTED = re.compile(r"(?:(\S+)\| )?disk (\d+): (\d+) sectors, (ro|rw), at (\S+), sum [0-9a-f]+"
                    r"(, write refused EROFS)?(, ext2)?")


def tree(tmp_path):
    d = tmp_path / "site"
    (d / "sub").mkdir(parents=True)
    (d / "index.html").write_text("hello from the host\n")
    (d / "sub" / "big.bin").write_bytes(bytes(range(256)) * 2000)
    return d


def listed(r):
    return [m.groups() for m in LISTED.finditer(text(r.stdout))]


def test_volume_is_a_read_only_ext2_disk(tmp_path):
    d = tree(tmp_path)
    r = keel_run([guest("sleep.img"), guest("disk.img")], args=["list"],
                 options=["--net", "none", "--volume", f"disk={d}:/srv"])
    assert r.returncode == 0, text(r.stdout) + text(r.stderr)
    (row,) = listed(r)
    assert row[0] == "disk" and row[3:] == ("ro", "/srv", ", write refused EROFS", ", ext2")
    assert int(row[2]) * 512 >= 2 * 1024 * 1024                  # sized from the tree
    assert sorted(os.listdir(d)) == ["index.html", "sub"]         # the tree untouched


def test_mkdisk_makes_a_disk_the_guest_reads_and_e2fsck_passes(tmp_path):
    d, img = tree(tmp_path), tmp_path / "site.img"
    r = subprocess.run([MKDISK, str(d), "8M", str(img)], capture_output=True, timeout=30)
    assert r.returncode == 0, text(r.stderr)
    assert img.stat().st_size == 8 << 20
    assert subprocess.run(["e2fsck", "-fn", str(img)], capture_output=True,
                          timeout=30).returncode == 0
    cat = subprocess.run(["debugfs", "-R", "cat /index.html", str(img)],
                         capture_output=True, timeout=30)
    assert text(cat.stdout) == "hello from the host\n"
    r = keel_run([guest("disk.img")], args=["list"],
                 options=["--net", "none", "--disk", f"{img}:/data"])
    assert r.returncode == 0, text(r.stdout) + text(r.stderr)
    assert listed(r) == [(None, "0", "16384", "rw", "/data", None, ", ext2")]
    assert subprocess.run(["e2fsck", "-fn", str(img)], capture_output=True,
                          timeout=30).returncode == 0


def one_line(cmd, want, status=2, env=None):
    r = subprocess.run(cmd, capture_output=True, timeout=60, env=env)
    err = text(r.stderr)
    assert r.returncode == status and err.count("\n") == 1 and want in err, (cmd, err)


def test_refusals_are_one_line(tmp_path):
    d = tree(tmp_path)
    run = [KEEL, "run", "--net", "none"]
    one_line(run + ["--volume", str(tmp_path / "none"), guest("sleep.img")],
             "--volume %s: No such file or directory" % (tmp_path / "none"))
    one_line(run + ["--volume", str(d / "index.html"), guest("sleep.img")],
             "not a directory")
    five = [a for i in range(5) for a in ("--volume", f"{d}:/v{i}")]
    one_line([KEEL, "run", *five, guest("sleep.img")], "at most 4 disk files a run")
    # no mke2fs on PATH: QEMU still found, the volume refused in one line
    bindir = tmp_path / "bin"
    bindir.mkdir()
    qemu = subprocess.run(["sh", "-c", "command -v qemu-system-x86_64"],
                          capture_output=True, text=True).stdout.strip()
    os.symlink(qemu, bindir / "qemu-system-x86_64")
    launcher = os.path.join(REPO, "build", "bin", "keel")
    one_line([launcher] + run[1:] + ["--volume", str(d), guest("sleep.img")],
             "mke2fs not found (install e2fsprogs", env=dict(os.environ, PATH=str(bindir)))
    out = tmp_path / "x.img"
    one_line([MKDISK, str(d), "8M", str(out)], "mke2fs not found",
             env=dict(os.environ, MKE2FS="/nonexistent/mke2fs"))
    one_line([MKDISK, str(d), "8Q", str(out)], "SIZE wants a number")
    one_line([MKDISK, str(d / "index.html"), "8M", str(out)], "not a directory")
    one_line([MKDISK, str(d), "64K", str(out)], "mkdisk: ", status=1)   # too small
    assert not out.exists()
    out.write_bytes(b"keep")
    one_line([MKDISK, str(d), "8M", str(out)], "exists: not overwritten")
    assert out.read_bytes() == b"keep"
