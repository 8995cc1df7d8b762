"""make bench's file rows (docs/fs.md, "Measured"): bench/fs.c writes a
64 MiB file through the file system (write calls of 64 KiB, then fsync)
and reads it back, beside the same bytes through blkfront on a second,
raw disk in 44 KiB requests one at a time (the guest's own ceiling for a
single stream).  Medians of BENCH_FS_RUNS (3) runs, each on a fresh ext2
image from bin/mkdisk.  `bench.py --only fs` runs these alone."""
import os
import re
import statistics
import subprocess
import sys
import tempfile

import bench as b

FS_IMG = os.path.join(b.BUILD, "fs.img")
MKDISK = os.path.join(b.REPO, "bin", "mkdisk")
RUNS = int(os.environ.get("BENCH_FS_RUNS", "3"))
KEYS = ("fsw", "fsr", "raww", "rawr")


def one_run(tmp):
    empty = os.path.join(tmp, "empty")
    os.makedirs(empty, exist_ok=True)
    disk, scratch = os.path.join(tmp, "fs.img"), os.path.join(tmp, "scratch.img")
    for p in (disk, scratch):
        if os.path.exists(p):
            os.unlink(p)
    subprocess.run([MKDISK, empty, "96M", disk], check=True, capture_output=True, timeout=60)
    with open(scratch, "wb") as f:
        f.truncate(64 << 20)
    r = subprocess.run([b.KEEL, "run", "--timeout", "300", "--net", "none", "--disk", disk,
                        "--disk", scratch + ":/raw", FS_IMG], capture_output=True, text=True,
                       timeout=360)
    m = re.search(r"fs: bench (.*)$", r.stdout, re.M)
    if r.returncode != 0 or not m:
        sys.exit("bench: fs.img failed (%d):\n%s\n%s" % (r.returncode, r.stdout[-2000:],
                                                        r.stderr[-2000:]))
    return {k: float(v) for k, v in re.findall(r"(\w+)=(-?[\d.]+)", m.group(1))}


def fs_rows():
    print("Files (bench/fs.c, docs/fs.md \"Measured\"; a 64 MiB file vs blkfront raw)")
    with tempfile.TemporaryDirectory(prefix="keel-bench-fs.") as tmp:
        runs = [one_run(tmp) for _ in range(RUNS)]
    med = {k: statistics.median(r[k] for r in runs) for k in KEYS}
    b.row("file write 64M + fsync", med["fsw"], "MiB/s", "blkfront write 44K qd1",
          med["raww"], "MiB/s")
    b.row("file read 64M", med["fsr"], "MiB/s", "blkfront read 44K qd1", med["rawr"], "MiB/s")
