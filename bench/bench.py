#!/usr/bin/python3
"""make bench: runs the bench guests through bin/keel and prints each cost
beside its floor, measured in the same run, with their ratio."""
import os
import re
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KEEL = os.path.join(REPO, "bin", "keel")
BUILD = os.path.join(REPO, "build", "bench")


def keel(image, *options, args=()):
    cmd = [KEEL, "run", "--timeout", "120", *options, os.path.join(BUILD, image)]
    if args:
        cmd += ["--", *args]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    if r.returncode != 0:
        sys.exit("bench: %s failed (%d):\n%s" % (image, r.returncode, r.stderr))
    return r


def fields(text, prefix):
    m = re.search(r"^%s(.*)$" % re.escape(prefix), text, re.M)
    if not m:
        sys.exit("bench: no '%s' line in:\n%s" % (prefix, text))
    return {k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)", m.group(1))}


def row(name, value, unit, floor_name, floor, floor_unit):
    ratio = value / floor if floor else float("inf")
    print("%-32s %12.1f %-7s %-22s %12.1f %-7s ratio %8.1f" %
          (name, value, unit, floor_name, floor, floor_unit, ratio))


def main():
    r = keel("hypercall.img", args=[os.environ.get("BENCH_ITERS", "200000")])
    hc = fields(r.stdout, "null_hypercall ")
    fn = fields(r.stdout, "function_call ")
    print("Keel benchmarks (TCG: compare ratios, not absolute times)")
    row("null hypercall", hc["cycles"], "cycles", "function call", fn["cycles"], "cycles")
    row("null hypercall", hc["ns"], "ns", "function call", fn["ns"], "ns")

    r = keel("boot.img", "--timings")
    t = fields(r.stderr, "timing 0 ")
    m = re.search(r"^main_ns=(\d+)$", r.stdout, re.M)
    if not m:
        sys.exit("bench: the boot guest printed no main_ns:\n" + r.stdout)
    main_at = float(m.group(1))
    create_to_main = main_at - t["create_ns"]
    row("create -> main (%d B image)" % t.get("image_bytes", 0), create_to_main / 1e3, "us",
        "copy image bytes", t["copy_ns"] / 1e3, "us")
    if "main_ready_ns" in t:
        row("create -> unpaused (dom0)", (t["main_ready_ns"] - t["create_ns"]) / 1e3, "us",
            "copy image bytes", t["copy_ns"] / 1e3, "us")


if __name__ == "__main__":
    main()
