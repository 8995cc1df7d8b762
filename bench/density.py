"""make density (and make bench): BENCH_DENSITY_N (10000) copies of a small
idle guest (bench/idle.c built with default options, as the issue measures
a hello guest) in one run, all alive at once.

Writes build/bench/density.txt (the table) and build/bench/density.png
(python3-matplotlib): create -> main (dom0's main_ready_ns - create_ns,
medians over windows of guests) and the machine's memory per live guest
(dom0's free_frames at each create: frames gone per guest so far, so the
hypervisor's and dom0's share is counted) against the guests alive.
The phases: create (dom0's create request -> the domain exists) and dom0
build (-> unpause); the raw timings go to build/bench/density_timings.txt.
Checks create -> main of the last window within 1.1x of the window at the
10th guest, and prints the verdict.

Then what one guest costs with all of them alive and their consoles
connected (dom0's `timing -1 first_end_*` lines, when the first guest
ends): the hypervisor's frames gone since guest 0 (guest memory, page
tables, the hypervisor's structures, dom0's grant-window tables and its
maps of the consoles: all frames), dom0's heap divided among the guests
(all of it, so its fixed part too), and the image's boot module (the text
and read-only data every guest shares) divided among them; and, apart,
the frames the guests' reserves hold for them without having taken them.
"""
import os
import re
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BUILD = os.path.join(ROOT, "build", "bench")
KEEL = os.path.join(ROOT, "bin", "keel")
N = int(os.environ.get("BENCH_DENSITY_N", "10000"))
WINDOW = 100


def run(n, image):
    sleep_s = 30 + n // 200          # past the last guest's boot (8 s for 10,000)
    mem = "%dM" % (n * 320 // 1024 + 512)
    cmd = [KEEL, "run", "--progress", "--timeout", str(sleep_s + 900), "--mem", mem,
           "--timings"] + [image] * n + ["--", str(sleep_s)]
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       timeout=sleep_s + 960)
    if r.returncode != 0:
        sys.exit("density: %d guests failed (%d):\n%s" % (n, r.returncode, r.stderr[-3000:]))
    t = {}
    for idx, rest in re.findall(r"^\S+\| timing (\d+) (.*)$", r.stderr, re.M):
        t[int(idx)] = {k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)", rest)}
    if len(t) != n:
        sys.exit("density: timings for %d of %d guests" % (len(t), n))
    for key, v in re.findall(r"^timing -1 (first_end_\w+)=(\d+)$", r.stderr, re.M):
        t.setdefault(-1, {})[key] = float(v)
    span_s = (t[n - 1]["main_ready_ns"] - t[0]["create_ns"]) / 1e9
    if span_s >= sleep_s:
        sys.exit("density: booting %d guests took %.1f s, longer than they sleep (%d s):"
                 " not all alive at once" % (n, span_s, sleep_s))
    print("density: %d guests booted in %.1f s" % (n, span_s))
    return t


def table(t, n):
    """Rows (alive, create->main us, KiB per live guest) for windows of
    WINDOW guests from the 10th on."""
    rows = []
    starts = [9] + list(range(WINDOW, n - WINDOW + 1, max(WINDOW, n // 20)))
    if starts[-1] != n - WINDOW:
        starts.append(n - WINDOW)
    for a in starts:
        w = range(a, a + WINDOW)
        def med(k1, k0):
            return statistics.median((t[i][k1] - t[i][k0]) / 1e3 for i in w)
        last = a + WINDOW - 1
        kib = (t[0]["free_frames"] - t[last]["free_frames"]) * 4 / last
        rows.append((a + 1, med("main_ready_ns", "create_ns"), kib,
                     med("created_ns", "create_ns"), med("unpause_ns", "created_ns")))
    return rows


def alive_cost(t, n, image):
    """Lines on what one guest costs with all n alive (see the top)."""
    end = t.get(-1, {})
    if "first_end_free_frames" not in end:
        return ["(no first_end_free_frames line: per-guest cost with all alive unknown)"]
    hv = (t[0]["free_frames"] - end["first_end_free_frames"]) * 4 / (n - 1)
    dom0 = end.get("first_end_dom0_heap_bytes", 0) / 1024 / n
    module = (os.path.getsize(image) + 4095) // 4096 * 4 / n if os.path.exists(image) else 0
    reserve = end.get("first_end_reserved_frames", 0) * 4 / n
    total = hv + dom0 + module
    mem = end.get("first_end_one_mem_frames", 0) * 4
    charged = end.get("first_end_one_hv_frames", 0) * 4
    return ["all %d alive, consoles connected: %.1f KiB per guest (goal <= 128)" % (n, total),
            "  machine frames (guest memory, page tables, hypervisor, dom0's maps): %.1f KiB"
            % hv,
            "    of which one live guest's own memory: %.0f KiB, frames of its charge"
            " (grant records, ports): %.0f KiB" % (mem, charged),
            "  dom0's heap, all of it / %d: %.2f KiB" % (n, dom0),
            "  the image's boot module (shared text) / %d: %.2f KiB" % (n, module),
            "  besides, held in the reserves (free, not taken): %.1f KiB" % reserve]


def plot(rows, n, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    alive = [r[0] for r in rows]
    fig, ax1 = plt.subplots(figsize=(8, 4.5))
    ax1.plot(alive, [r[1] for r in rows], "o-", color="tab:blue", label="create -> main")
    ax1.plot(alive, [r[3] for r in rows], ":", color="tab:cyan", label="  create (hypervisor)")
    ax1.plot(alive, [r[4] for r in rows], ":", color="tab:purple", label="  dom0 build")
    ax1.legend(loc="lower right", fontsize="small")
    ax1.set_xlabel("guests alive")
    ax1.set_ylabel("create -> main, us (median of %d)" % WINDOW, color="tab:blue")
    ax1.set_ylim(bottom=0)
    ax2 = ax1.twinx()
    ax2.plot(alive, [r[2] for r in rows], "s--", color="tab:red")
    ax2.set_ylabel("machine memory per live guest, KiB", color="tab:red")
    ax2.set_ylim(bottom=0)
    ax1.set_title("Keel density: %d idle guests (default-built images) in one run, TCG" % n)
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def load(path):
    """The timings a run wrote (density.py --from FILE: table and plot again)."""
    t = {}
    with open(path) as f:
        for line in f:
            idx, *kvs = line.split()
            t[int(idx)] = {k: float(v) for k, v in (kv.split("=") for kv in kvs)}
    return t


def save(t, path):
    with open(path, "w") as f:
        for i in sorted(t, key=lambda i: (i < 0, i)):
            f.write("%d %s\n" % (i, " ".join("%s=%d" % kv for kv in sorted(t[i].items()))))


def main():
    global N
    os.makedirs(BUILD, exist_ok=True)
    image = os.path.join(BUILD, "idle_default.img")
    if len(sys.argv) == 3 and sys.argv[1] == "--from":
        t = load(sys.argv[2])
        N = len([i for i in t if i >= 0])
    else:
        t = run(N, image)
        save(t, os.path.join(BUILD, "density_timings.txt"))
    rows = table(t, N)
    lines = ["each row: medians over guests alive .. alive + %d (create -> main and"
             " its two phases)" % (WINDOW - 1)]
    lines += ["%8s %16s %14s %10s %12s" % ("alive", "create->main us", "KiB per guest",
                                          "create us", "dom0 build us")]
    lines += ["%8d %16.0f %14.1f %10.0f %12.0f" % r for r in rows]
    ratio = rows[-1][1] / rows[0][1]
    lines.append("create -> main at guest %d vs guest 10: %.2fx (goal <= 1.1x)"
                 % (rows[-1][0], ratio))
    lines += alive_cost(t, N, image)
    text = "\n".join(lines) + "\n"
    os.makedirs(BUILD, exist_ok=True)
    with open(os.path.join(BUILD, "density.txt"), "w") as f:
        f.write(text)
    sys.stdout.write(text)
    plot(rows, N, os.path.join(BUILD, "density.png"))
    print("density: wrote %s and %s" % (os.path.join(BUILD, "density.txt"),
                                          os.path.join(BUILD, "density.png")))


if __name__ == "__main__":
    main()
