"""Hostile tenants cannot starve the others through the hypervisor.

200 copies of hog.c make the hypervisor allocate everything it will for
them (the biggest grant table, a record for every reference, maps and
event-channel ports until refused) and hold it, beside 20 copies of
tenant.c, in a 240 MiB machine.  Every allocation the hypervisor makes
for a domain comes out of a reserve its limits bound (keel/domctl.h), so
each hog meets its limits (-KEEL_ENOSPC, 128 maps, ports up to 255) and
each tenant starts, prints and ends exactly as when it runs alone, about
as fast.  Before the limits, the hogs' grant records, map handles and
port buckets (about 0.5 MiB each) ate the machine: every tenant was
refused for want of memory."""
import re
import statistics

from conftest import guest, keel_run, text

HOGS, TENANTS = 200, 20
MEM = "240M"
HOLD = "15"          # seconds each hog holds what it got (argv[1])
HOG_LINE = re.compile(r"hog: table -28, \d+ refs \(0 copies failed\), "
                      r"128 maps \(-28\), ports to 255 \(-28\)$")
TENANT_LINE = re.compile(r"(\S+): ([0-9a-f]{16}) in (\d+) ms \(2 args\)$")
TIMING = re.compile(r"^(tenant\S*)\| timing \d+ create_ns=(\d+) main_ready_ns=(\d+)", re.M)


def names(base, n):
    return [base] + ["%s-%d" % (base, i) for i in range(2, n + 1)]


def tenants(r):
    """{name: (result, ms)} of the tenants' lines, and each one's time from
    dom0's create request to its unpause (ms), from `keel run --timings`."""
    out = {}
    for ln in text(r.stdout).splitlines():
        name, _, rest = ln.partition("| ")
        m = TENANT_LINE.match(rest)
        if name.startswith("tenant") and m and m.group(1) == name:
            out[name] = (m.group(2), int(m.group(3)))
    start = {n: (int(b) - int(a)) / 1e6 for n, a, b in TIMING.findall(text(r.stderr))}
    return out, start


def test_hostile_tenants_leave_the_others_alone():
    hog, tenant = guest("hog.img"), guest("tenant.img")
    alone = keel_run([tenant] * TENANTS, args=[HOLD], options=["--mem", MEM, "--timings"],
                     timeout=120)
    assert alone.returncode == 0, text(alone.stderr)[-3000:]
    base, base_start = tenants(alone)
    assert sorted(base) == sorted(names("tenant", TENANTS))

    r = keel_run([hog] * HOGS + [tenant] * TENANTS, args=[HOLD],
                 options=["--mem", MEM, "--timings"], timeout=240)
    err = [ln for ln in text(r.stderr).splitlines() if "| timing " not in ln
           and not ln.startswith("timing ")]
    assert r.returncode == 0, "\n".join(err[-40:])
    assert err == []
    # every hog met its limits, no sooner and no later (its status says so too)
    hogs = {}
    for ln in text(r.stdout).splitlines():
        name, _, rest = ln.partition("| ")
        if name.startswith("hog"):
            hogs[name] = rest
    assert sorted(hogs) == sorted(names("hog", HOGS))
    assert all(HOG_LINE.match(v) for v in hogs.values()), \
        [v for v in hogs.values() if not HOG_LINE.match(v)][:3]
    # every tenant started, printed what it prints alone, ended with 0
    got, start = tenants(r)
    assert sorted(got) == sorted(base)
    assert {v[0] for v in got.values()} == {v[0] for v in base.values()}
    assert len(text(r.stdout).splitlines()) == HOGS + TENANTS
    # and about as fast: its work, and dom0's create-to-unpause
    assert max(v[1] for v in got.values()) <= 2 * max(v[1] for v in base.values()) + 500
    assert sorted(start) == sorted(base_start)
    assert statistics.median(start.values()) <= 3 * statistics.median(base_start.values()) + 5
