"""Files through the C library on an ext2 disk (sdk/fs: libext2fs over
blkfront, docs/fs.md).  Disks are made on the host with `mke2fs -t ext2
-d DIR` and checked with `e2fsck -fn` after the guest is done."""
import os
import signal
import subprocess
import time

from conftest import KEEL, guest, keel_run, text

E2FSCK = "/usr/sbin/e2fsck" if os.path.exists("/usr/sbin/e2fsck") else "e2fsck"
MKE2FS = "/usr/sbin/mke2fs" if os.path.exists("/usr/sbin/mke2fs") else "mke2fs"


def make_disk(tmp_path, size="4M", files=None, name="fs"):
    root = tmp_path / f"{name}.root"
    root.mkdir(exist_ok=True)
    if files is None:
        (root / "hello.txt").write_text("hello from the host\n")
    for fname, data in (files or {}).items():
        (root / fname).write_bytes(data)
    img = tmp_path / f"{name}.img"
    r = subprocess.run([MKE2FS, "-q", "-F", "-t", "ext2", "-b", "1024", "-d", str(root),
                        str(img), size], capture_output=True, timeout=60)
    assert r.returncode == 0, text(r.stderr)
    return img


def fsck(img, *flags):
    return subprocess.run([E2FSCK, *(flags or ("-fn",)), str(img)],
                          capture_output=True, timeout=60)


def files(img, *args, ro=False):
    spec = f"{img}:ro" if ro else str(img)
    r = keel_run([guest("files.img")], args=list(args),
                 options=["--net", "none", "--disk", spec])
    return r, text(r.stdout)


def assert_clean(img):
    r = fsck(img)
    assert r.returncode == 0, text(r.stdout) + text(r.stderr)


def test_read_write_and_a_second_run_sees_it(tmp_path):
    img = make_disk(tmp_path)
    r, out = files(img, "read")
    assert "files: hello says hello from the host" in out, out + text(r.stderr)
    r, out = files(img, "write")
    assert "files: wrote ok" in out, out + text(r.stderr)
    assert "files: /new has a.txt" in out and "tmp.txt" not in out
    assert_clean(img)
    r, out = files(img, "check")
    assert "files: found ok" in out, out + text(r.stderr)
    assert_clean(img)
    # the host sees the guest's file too
    r = subprocess.run(["/usr/sbin/debugfs", "-R", "cat /new/a.txt", str(img)],
                       capture_output=True, timeout=30)
    assert text(r.stdout) == "written by the guest\n"


def test_full_disk_is_enospc_and_stays_clean(tmp_path):
    img = make_disk(tmp_path, size="1M")
    r, out = files(img, "fill")
    assert "files: full ok" in out, out + text(r.stderr)
    assert_clean(img)
    r, out = files(img, "read")                 # a full disk still works
    assert "files: hello says hello from the host" in out, out + text(r.stderr)


def test_read_only_disk_is_erofs(tmp_path):
    img = make_disk(tmp_path)
    before = img.read_bytes()
    r, out = files(img, "ro", ro=True)
    assert "files: read-only ok" in out, out + text(r.stderr)
    assert img.read_bytes() == before


def debugfs_cat(img, path):
    r = subprocess.run(["/usr/sbin/debugfs", "-R", f"cat {path}", str(img)],
                       capture_output=True, timeout=30)
    return text(r.stdout)


def test_two_disks_mount_at_their_points(tmp_path):
    """`/` and `/data` (--net none; test_disks.py has disks beside a NIC):
    each path on the disk of its longest mount point, rename across them
    EXDEV."""
    root = make_disk(tmp_path)
    data = make_disk(tmp_path, files={"data.txt": b"the data disk\n"}, name="data")
    r = keel_run([guest("files.img")], args=["mounts"],
                 options=["--net", "none", "--disk", str(root), "--disk", f"{data}:/data"])
    out = text(r.stdout)
    assert "files: mounts ok" in out, out + text(r.stderr)
    assert_clean(root)
    assert_clean(data)
    assert debugfs_cat(root, "/database") == "on the root disk\n"
    assert debugfs_cat(data, "/a.txt") == "second\n"
    assert "File not found" in text(subprocess.run(
        ["/usr/sbin/debugfs", "-R", "stat /a.txt", str(root)],
        capture_output=True, timeout=30).stderr)


def test_a_path_in_no_mount_is_enoent(tmp_path):
    data = make_disk(tmp_path, files={"data.txt": b"the data disk\n"}, name="data")
    r = keel_run([guest("files.img")], args=["nomount"],
                 options=["--net", "none", "--disk", f"{data}:/data"])
    out = text(r.stdout)
    assert "files: no root ok" in out, out + text(r.stderr)
    assert_clean(data)


def qemu_of(launcher):
    """The launcher's child processes (QEMU)."""
    kids = []
    for task in os.listdir(f"/proc/{launcher}/task"):
        with open(f"/proc/{launcher}/task/{task}/children") as f:
            kids += [int(k) for k in f.read().split()]
    return kids


def kill_after(cmd, marker, seconds=60):
    """Runs cmd (a `keel run`) until its stdout shows marker (or ends, or
    seconds pass), then kills QEMU with SIGKILL: what it printed."""
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         stdin=subprocess.DEVNULL)
    out, killed = b"", []
    try:
        deadline = time.monotonic() + seconds
        while marker not in out and time.monotonic() < deadline:
            chunk = p.stdout.read1(4096)
            if not chunk:
                break
            out += chunk
        killed = qemu_of(p.pid)
        for q in killed:
            os.kill(q, signal.SIGKILL)
    finally:
        p.kill()
        p.wait(timeout=30)
    wait_gone(killed)
    return out


def wait_gone(pids):
    """A QEMU killed with SIGKILL keeps its image lock until the kernel
    has torn the process down (a loaded host: some ms); the next run
    would rightly refuse the disk as in use.  Wait for that, as a user
    who reruns after the process is gone would."""
    deadline = time.monotonic() + 30
    for q in pids:
        while time.monotonic() < deadline:
            try:
                with open(f"/proc/{q}/stat") as f:
                    if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                        break           # a zombie holds no files
            except FileNotFoundError:
                break
            time.sleep(0.01)


def sync_then_kill(img, seed):
    """files.img `sync SEED`: checks SEED-1's data, writes and fsyncs
    SEED's; QEMU is killed as soon as the guest says fsync returned."""
    out = kill_after([KEEL, "run", "--timeout", "60", "--net", "none", "--disk", str(img),
                      guest("files.img"), "--", "sync", str(seed)], b"fsync returned")
    assert b"files: fsync returned" in out, (seed, text(out))
    if seed:
        assert b"files: synced data ok" in out, (seed, text(out))


LOOPS = int(os.environ.get("KEEL_FS_KILL_LOOPS", "20"))


def test_fsync_survives_sigkill_of_qemu(tmp_path):
    img = make_disk(tmp_path)
    for seed in range(LOOPS):
        sync_then_kill(img, seed)
        r = fsck(img, "-fp")             # may fix unrelated metadata (1)
        assert r.returncode in (0, 1), (seed, text(r.stdout) + text(r.stderr))
    r, out = files(img, "verify", str(LOOPS - 1))
    assert "files: synced data ok" in out, out + text(r.stderr)


def symbols(image):
    r = subprocess.run(["nm", image], capture_output=True, timeout=30)
    assert r.returncode == 0, text(r.stderr)
    return text(r.stdout)


def test_only_apps_with_file_calls_link_the_file_system():
    """hello (printf, no file call) links none of sdk/fs, libext2fs or
    blkfront; files.img, which opens files, links them all."""
    plain, with_files = symbols(guest("hello.img")), symbols(guest("files.img"))
    for sym in (" ext2fs_open2", " fs_get", " blkfront_open"):
        assert sym not in plain, sym
        assert sym in with_files, sym
