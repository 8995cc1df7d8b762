#!/usr/bin/python3
"""make bench: runs the bench guests through bin/keel, and the inter-domain
benchmark (tests/hv/t_bench*.c) on the hypervisor directly, and prints each
cost beside its floor, measured in the same run, with their ratio."""
import os
import re
import select
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KEEL = os.path.join(REPO, "bin", "keel")
BUILD = os.path.join(REPO, "build", "bench")
HVT = os.path.join(REPO, "build", "hvtest")


def keel(image, *options, args=()):
    cmd = [KEEL, "run", "--timeout", "120", *options, os.path.join(BUILD, image)]
    if args:
        cmd += ["--", *args]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    if r.returncode != 0:
        sys.exit("bench: %s failed (%d):\n%s" % (image, r.returncode, r.stderr))
    return r


def run(cmd, what, timeout=300):
    """cmd's result; the bench ends with its output if it failed."""
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if r.returncode != 0:
        sys.exit("bench: %s failed (%d):\n%s\n%s" % (what, r.returncode, r.stdout[-3000:],
                                                     r.stderr[-3000:]))
    return r


def fields(text, prefix):
    m = re.search(r"^%s(.*)$" % re.escape(prefix), text, re.M)
    if not m:
        sys.exit("bench: no '%s' line in:\n%s" % (prefix, text))
    return {k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)", m.group(1))}


def row(name, value, unit, floor_name, floor, floor_unit):
    ratio = value / floor if floor else float("inf")
    print("%-32s %12.1f %-7s %-22s %12.1f %-7s ratio %8.*f" %
          (name, value, unit, floor_name, floor, floor_unit, 1 if ratio >= 1 else 3, ratio))


def hv_bench():
    """Boot t_bench (module name "bench": the long run) with its guest under
    tests/hv/run.py and return {name: {k: v}} from its '# bench' lines."""
    cmd = ["python3", os.path.join(REPO, "tests", "hv", "run.py"), "hv-bench-long",
           "--hv", os.path.join(REPO, "build", "hv", "keel-hv"), "--logdir", HVT,
           "--timeout", "240", "--status", "0", "--expect", "# RESULT: PASS",
           os.path.join(HVT, "t_bench.img") + " bench",
           os.path.join(HVT, "t_bench_guest.img") + " guest"]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        sys.exit("bench: the inter-domain benchmark failed:\n" + r.stdout[-4000:])
    with open(os.path.join(HVT, "hv-bench-long.log")) as f:
        log = f.read()
    out = {}
    for name, rest in re.findall(r"# bench (\w+) (.*)$", log, re.M):
        out[name] = {k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)", rest)}
    return out


def hv_rows(b):
    hc = b["null_hypercall"]["ns"]
    for key, label in (("event_rt_same_cpu", "event round trip, one CPU"),
                       ("event_rt_cross_cpu", "event round trip, two CPUs"),
                       ("event_rt_unpinned", "event round trip, unpinned"),
                       ("event_rt_upcall", "event rt, upcall + timer")):
        if key in b:
            row(label, b[key]["ns"], "ns", "null hypercall", hc, "ns")
    print("  (two CPUs: each hop wakes a halted emulated CPU, a host thread; on a"
          " busy host that costs milliseconds)")
    mib = 1 << 20
    floor = b["memcpy"]["ns"] / b["memcpy"]["bytes"] * mib / 1e3
    for key, label in (("ring_grant_copy", "ring, grant copy (per MiB)"),
                       ("ring_grant_map", "ring, grant map (per MiB)")):
        per = b[key]["ns"] / b[key]["bytes"] * mib / 1e3
        row(label, per, "us", "memcpy (per MiB)", floor, "us")


# One guest's create -> main, in phases (docs/boot-time.md), each the median
# of BOOT_RUNS runs: under TCG on a shared host one run swings by 3x.
BOOT_RUNS = int(os.environ.get("BENCH_BOOT_RUNS", "7"))
PHASES = (("create_ns", "created_ns", "  CREATE (zeroes memory)"),
          ("created_ns", "unpause_ns", "  load, rights, devices"),
          ("unpause_ns", "start_ns", "  UNPAUSE -> on a CPU"),
          ("start_ns", "main_ns", "  libos start of day"))


def boot_once():
    """dom0's timing keys plus the boot guest's main_ns and start_ns."""
    r = keel("boot.img", "--timings")
    t = fields(r.stderr, "timing 0 ")
    m = re.search(r"^main_ns=(\d+) start_ns=(\d+)$", r.stdout, re.M)
    if not m:
        sys.exit("bench: the boot guest printed no main_ns:\n" + r.stdout)
    t["main_ns"], t["start_ns"] = float(m.group(1)), float(m.group(2))
    return t


def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2]


def boot_phases():
    runs = [boot_once() for _ in range(BOOT_RUNS)]
    copy = median([t["copy_ns"] for t in runs]) / 1e3
    total = [(t["main_ns"] - t["create_ns"]) / 1e3 for t in runs]
    row("create -> main (%d B image)" % runs[0]["image_bytes"], median(total), "us",
        "copy image bytes", copy, "us")
    for a, b, label in PHASES:
        row(label, median([(t[b] - t[a]) / 1e3 for t in runs]), "us",
            "copy image bytes", copy, "us")
    row("create -> unpaused (dom0)",
        median([(t["main_ready_ns"] - t["create_ns"]) / 1e3 for t in runs]), "us",
        "copy image bytes", copy, "us")
    print("  (medians of %d runs; create -> main ranged %.0f .. %.0f us)"
          % (BOOT_RUNS, min(total), max(total)))


# Boot cost must not grow with the number of domains already running.
BOOT_BESIDE = [int(n) for n in os.environ.get("BENCH_BOOT_BESIDE", "100").split()]


def boot_beside(alive):
    """create -> main of one guest built after `alive` sleeping guests."""
    images = [os.path.join(BUILD, "idle.img")] * alive + [os.path.join(BUILD, "boot.img")]
    r = subprocess.run([KEEL, "run", "--timeout", "300", "--timings"] + images + ["--", "5"],
                       capture_output=True, text=True, timeout=330)
    if r.returncode != 0:
        sys.exit("bench: %d idle guests + boot failed (%d):\n%s" % (alive, r.returncode, r.stderr))
    t = fields(r.stderr, "boot| timing %d " % alive)
    m = re.search(r"^boot\| main_ns=(\d+)", r.stdout, re.M)
    if not m or "create_ns" not in t:
        sys.exit("bench: no timing for the boot guest:\n" + r.stdout + r.stderr)
    row("create -> main, %d guests alive" % alive, (float(m.group(1)) - t["create_ns"]) / 1e3,
        "us", "copy image bytes", t["copy_ns"] / 1e3, "us")


# N identical guests alive at once (bench/idle.c, 512 KiB each): boot time
# per guest and the hypervisor's memory per live guest.  2000 is more than
# the 1022 boot modules that once bounded a run (keel/launch.h).
DENSITY = int(os.environ.get("BENCH_DENSITY", "2000"))


def timings(stderr):
    """{guest index: {key: value}} from the --timings lines."""
    out = {}
    for idx, rest in re.findall(r"^\S+\| timing (\d+) (.*)$", stderr, re.M):
        out[int(idx)] = {k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)", rest)}
    return out


def create_to_main_us(image):
    """create -> main of one guest of image (boot.c), alone, in us."""
    r = keel(image, "--timings")
    t = fields(r.stderr, "timing 0 ")
    m = re.search(r"^main_ns=(\d+)", r.stdout, re.M)
    if not m:
        sys.exit("bench: %s printed no main_ns:\n%s" % (image, r.stdout))
    return (float(m.group(1)) - t["create_ns"]) / 1e3


def density(n):
    """n copies of idle.img, every one asleep until the last has booted."""
    one_guest_us = create_to_main_us("boot_small.img")   # same memory size
    sleep_s = 20 + n // 50
    last = "idle-%d" % n
    image = os.path.join(BUILD, "idle.img")
    mem = "%dM" % (n * 5 // 8 + 1024)     # 512 KiB guests + overhead
    r = subprocess.run([KEEL, "run", "--timeout", str(sleep_s + 600), "--mem", mem, "--timings"]
                       + [image] * n + ["--", str(sleep_s), last],
                       capture_output=True, text=True, timeout=sleep_s + 660)
    if r.returncode != 0:
        sys.exit("bench: %d idle guests failed (%d):\n%s" % (n, r.returncode, r.stderr[-4000:]))
    t = timings(r.stderr)
    m = re.search(r"^%s\| main_ns=(\d+)$" % re.escape(last), r.stdout, re.M)
    if not m or len(t) != n:
        sys.exit("bench: no timings for %d idle guests:\n%s" % (n, r.stderr[-4000:]))
    span_ns = float(m.group(1)) - t[0]["create_ns"]
    if span_ns >= sleep_s * 1e9:
        sys.exit("bench: booting %d guests took %.1f s, longer than they sleep (%d s):"
                 " not all alive at once" % (n, span_ns / 1e9, sleep_s))
    row("boot %d guests, per guest" % n, span_ns / n / 1e3, "us",
        "create -> main, one", one_guest_us, "us")
    # Guest 0's count already excludes its own memory.  When the first guest
    # ends, n - 1 more are alive, their consoles connected by dom0 (which it
    # does only once it has built them all): what each one costs.
    end = re.search(r"^timing -1 first_end_free_frames=(\d+)$", r.stderr, re.M)
    if not end:
        sys.exit("bench: no first_end_free_frames line:\n" + r.stderr[-4000:])
    frames = (t[0]["free_frames"] - float(end.group(1))) / (n - 1)
    per_kib = frames * 4
    mem_kib = t[0]["mem_bytes"] / 1024
    row("hv memory per live guest", per_kib, "KiB", "its memory (image note)", mem_kib, "KiB")
    row("hv memory per live guest", per_kib, "KiB", "image file",
        os.path.getsize(image) / 1024, "KiB")
    # memory on demand: a guest holds the frames it has touched, not its
    # image's memory; dom0 reports one live guest's (its read-only pages
    # are the boot module's, MAP_MODULE, and not among them)
    one = re.search(r"^timing -1 first_end_one_mem_frames=(\d+)$", r.stderr, re.M)
    if one:
        own_kib = float(one.group(1)) * 4
        row("hv overhead per live guest", per_kib - own_kib, "KiB", "one page", 4, "KiB")


ECHO_LINES = int(os.environ.get("BENCH_ECHO_LINES", "200"))


def echo_rtt(cmd, env=None):
    """Median time from writing a line to reading its echo, in us; each line
    is written only after the previous one came back."""
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, env=env)
    fd, times = p.stdout.fileno(), []
    try:
        for i in range(ECHO_LINES + 10):        # the first 10 warm up
            line, got = b"echo %06d\n" % i, b""
            t0 = time.perf_counter()
            p.stdin.write(line)
            p.stdin.flush()
            while not got.endswith(line):
                if not select.select([fd], [], [], 30)[0]:
                    sys.exit("bench: no echo from %s" % cmd[0])
                got += os.read(fd, 4096)
            if i >= 10:
                times.append(time.perf_counter() - t0)
        p.stdin.close()
        p.wait(timeout=60)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    return sorted(times)[len(times) // 2] * 1e6


def echo_rows():
    cat = os.path.join(REPO, "build", "tests", "guests", "cat.img")
    for mode in ("ivshmem", "serial"):
        env = dict(os.environ)
        if mode == "serial":
            env["KEEL_HOSTIO"] = "serial"
        guest = echo_rtt([KEEL, "run", "--timeout", "300", cat], env)
        floor = echo_rtt(["cat"])
        row("stdin line -> echo, %s" % mode, guest, "us", "host cat pipe", floor, "us")


def core_rows():
    r = keel("hypercall.img", args=[os.environ.get("BENCH_ITERS", "200000")])
    hc = fields(r.stdout, "null_hypercall ")
    fn = fields(r.stdout, "function_call ")
    row("null hypercall", hc["cycles"], "cycles", "function call", fn["cycles"], "cycles")
    row("null hypercall", hc["ns"], "ns", "function call", fn["ns"], "ns")

    boot_phases()
    for alive in BOOT_BESIDE:
        boot_beside(alive)
    if DENSITY > 1:
        density(DENSITY)
    echo_rows()

    hv_rows(hv_bench())


def main():
    """bench.py [--only core|net|blk|fs]: every row, or one group of them
    (blk includes fs)."""
    only = sys.argv[2] if len(sys.argv) > 2 and sys.argv[1] == "--only" else None
    if len(sys.argv) > 1 and only not in ("core", "net", "blk", "fs"):
        sys.exit("usage: bench.py [--only core|net|blk|fs]")
    print("Keel benchmarks (TCG: compare ratios, not absolute times)")
    if only in (None, "core"):
        core_rows()
    if only in (None, "net"):
        import bench_net
        bench_net.net_rows()
    if only in (None, "blk"):
        import bench_blk
        bench_blk.blk_rows()
    if only in (None, "blk", "fs"):
        import bench_fs
        bench_fs.fs_rows()


if __name__ == "__main__":
    main()
