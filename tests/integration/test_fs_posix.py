"""The file system as POSIX programs expect it (sdk/fs, docs/fs.md):
mount points in directory listings, directories renamed across parents,
files unlinked while open.  tests/guests/fs_posix.c does the calls; the
host checks each disk with `e2fsck -fn` (or -p after a kill)."""
import shutil
import subprocess

from conftest import KEEL, guest, keel_run, text
from test_fs import assert_clean, fsck, kill_after, make_disk


def fs_posix(mode, *disks):
    opts = ["--net", "none"]
    for d in disks:
        opts += ["--disk", str(d)]
    r = keel_run([guest("fs_posix.img")], args=[mode], options=opts)
    out = text(r.stdout)
    assert f"fs_posix: {mode} ok" in out, out + text(r.stderr)


def test_readdir_lists_mount_points_once(tmp_path):
    """The disk at / without a /data directory, then with one."""
    data = make_disk(tmp_path, files={"data.txt": b"d\n"}, name="data")
    for own_dir in (False, True):
        if own_dir:
            (tmp_path / "fs.root" / "data").mkdir()
        root = make_disk(tmp_path)
        fs_posix("mountdir", root, f"{data}:/data")
        assert_clean(root)
    assert_clean(data)


def test_a_directory_of_mount_points_only(tmp_path):
    data = make_disk(tmp_path, files={"data.txt": b"d\n"}, name="data")
    fs_posix("mountonly", f"{data}:/data/x")
    assert_clean(data)


def test_rename_directories_across_parents(tmp_path):
    img = make_disk(tmp_path)
    fs_posix("rendir", img)
    assert_clean(img)


def test_rename_of_a_directory_across_mounts_is_exdev(tmp_path):
    root = make_disk(tmp_path)
    data = make_disk(tmp_path, files={"data.txt": b"d\n"}, name="data")
    fs_posix("exdev", root, f"{data}:/data")
    assert_clean(root)
    assert_clean(data)


def test_unlinked_open_files_keep_their_data_until_closed(tmp_path):
    img = make_disk(tmp_path, size="1M")
    fs_posix("orphan", img)
    assert_clean(img)                                 # the last one freed at exit


def test_an_orphan_left_by_a_kill_is_freed(tmp_path):
    """Killed with an unlinked file open: the orphan list holds it (the
    superblock says so); e2fsck -p frees it (a copy), and so does the
    next mount (the disk itself)."""
    img = make_disk(tmp_path, size="1M")
    out = kill_after([KEEL, "run", "--timeout", "60", "--net", "none", "--disk", str(img),
                      guest("fs_posix.img"), "--", "orphankill"], b"orphaned")
    assert b"fs_posix: orphaned" in out, text(out)
    r = subprocess.run(["/usr/sbin/dumpe2fs", "-h", str(img)], capture_output=True, timeout=30)
    assert "First orphan inode:" in text(r.stdout), text(r.stdout)
    copy = tmp_path / "copy.img"
    shutil.copy(img, copy)
    r = fsck(copy, "-fp")
    assert r.returncode in (0, 1), text(r.stdout) + text(r.stderr)
    assert_clean(copy)
    r = keel_run([guest("files.img")], args=["read"], options=["--net", "none", "--disk", str(img)])
    assert "files: hello says" in text(r.stdout), text(r.stdout) + text(r.stderr)
    assert_clean(img)                                 # the mount freed it


def test_threads_use_the_file_system_at_once(tmp_path):
    """Five threads in file calls that wait for the disk (sdk/fs/lock.c):
    each writer reads back its own bytes, the churner's directories come
    and go, and the file system checks clean."""
    img = make_disk(tmp_path)
    fs_posix("threads", img)
    assert_clean(img)
