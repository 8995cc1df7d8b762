"""make bench's block rows (docs/blk.md, "Measured"): bench/blk.c's guest
through blkfront (on its zero-copy buffers; two rows on the app's own
memory, copied), beside dom0 driving the same virtio-blk device directly
(dom0/disk_bench.c, in the same run: KEEL_DISK_BENCH=1; goal: ratio at
least 0.8), and beside the host reading and writing the same file (the
floor: one request at a time through the page cache, for every depth).
Throughput, so the ratio is cost's inverse: guest / other.
Medians of BENCH_BLK_RUNS (3) runs on a scratch 32 MiB file.
`bench.py --only blk` runs these alone."""
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

import bench as b

BLK_IMG = os.path.join(b.BUILD, "blk.img")
RUNS = int(os.environ.get("BENCH_BLK_RUNS", "3"))
DISK_BYTES = 32 << 20
BIG = 11 * 4096                 # keel/blk.h KEEL_BLK_REQ_MAX_BYTES
SMALL = 4096
RAND_COUNT = 2048
PATTERNS = [("seqw1", "seq write 44K qd1", "MiB/s"), ("seqr1", "seq read 44K qd1", "MiB/s"),
            ("seqw8", "seq write 44K qd8", "MiB/s"), ("seqr8", "seq read 44K qd8", "MiB/s"),
            ("seqw32", "seq write 44K qd32", "MiB/s"), ("seqr32", "seq read 44K qd32", "MiB/s"),
            ("rand1", "rand read 4K qd1", "IOPS"), ("rand32", "rand read 4K qd32", "IOPS")]
# the same through the app's own memory, which blkfront copies (bench/blk.c)
COPIED = [("seqw8", "seq write 44K qd8 copied", "MiB/s"),
          ("seqr8", "seq read 44K qd8 copied", "MiB/s")]


def values(line):
    return {k: float(v) for k, v in re.findall(r"(\w+)=(-?[\d.]+)", line)}


def one_run(path):
    """{guest: {...}, dom0: {...}} of one keel run."""
    env = dict(os.environ, KEEL_DISK_BENCH="1")
    r = subprocess.run([b.KEEL, "run", "-v", "--timeout", "120", "--net", "none",
                        "--disk", path, BLK_IMG], capture_output=True, text=True,
                       timeout=180, env=env)
    g = re.search(r"blk: bench guest (.*)$", r.stdout, re.M)
    d = re.search(r"disk: bench dom0 (.*)$", r.stderr, re.M)
    if r.returncode != 0 or not g or not d:
        sys.exit("bench: blk.img failed (%d):\n%s\n%s" % (r.returncode, r.stdout[-2000:],
                                                         r.stderr[-2000:]))
    return {"guest": values(g.group(1)), "dom0": values(d.group(1))}


def where(i, size, units, random):
    return (i * 7919 % units if random else i % units) * size


def host_measure(fd, write, size, random):
    """The same pattern on the file through the host's page cache, one
    request at a time: the page cache has no queue for depth to fill (and
    Python threads would only add the GIL), so every depth's floor is
    this one."""
    units = DISK_BYTES // size
    count = RAND_COUNT if random else units
    data = bytes(size)
    t0 = time.perf_counter()
    for i in range(count):
        if write:
            os.pwrite(fd, data, where(i, size, units, random))
        else:
            os.pread(fd, size, where(i, size, units, random))
    if write:
        os.fdatasync(fd)
    secs = time.perf_counter() - t0
    return count / secs if random else count * size / secs / (1 << 20)


def host_run(path):
    fd = os.open(path, os.O_RDWR)
    try:
        w, r = host_measure(fd, True, BIG, False), host_measure(fd, False, BIG, False)
        q = host_measure(fd, False, SMALL, True)
        return {"seqw1": w, "seqw8": w, "seqw32": w, "seqr1": r, "seqr8": r, "seqr32": r,
                "rand1": q, "rand32": q}
    finally:
        os.close(fd)


def blk_rows():
    print("Block storage (bench/blk.c, docs/blk.md \"Measured\"; throughput: ratio = "
          "guest / other)")
    runs = []
    with tempfile.TemporaryDirectory(prefix="keel-bench-blk.") as tmp:
        path = os.path.join(tmp, "scratch.img")
        with open(path, "wb") as f:
            f.truncate(DISK_BYTES)
        for _ in range(RUNS):
            r = one_run(path)
            r["host"] = host_run(path)
            runs.append(r)
    med = {who: {k: statistics.median(r[who][k] for r in runs) for k, _, _ in PATTERNS}
           for who in ("guest", "dom0", "host")}
    for key, name, unit in PATTERNS:
        b.row("blkfront " + name, med["guest"][key], unit, "dom0 direct",
              med["dom0"][key], unit)
    for key, name, unit in COPIED:
        b.row("blkfront " + name, statistics.median(r["guest"]["c" + key] for r in runs),
              unit, "dom0 direct", med["dom0"][key], unit)
    for key, name, unit in PATTERNS:
        b.row("blkfront " + name, med["guest"][key], unit, "host file",
              med["host"][key], unit)
