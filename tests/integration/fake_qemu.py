#!/usr/bin/python3
"""A stand-in for qemu-system-x86_64 that tests the launcher alone.

It takes QEMU's command line as `keel run` builds it, reads the run manifest
from the -initrd modules, and then plays the hypervisor and dom0: it writes
framed serial records (keel/console.h) and control lines to stdout, as the
scenario named by FAKE_QEMU_SCENARIO says.  Guest i is domain 1 + i.
"""
import os
import sys
import time

HV = 0xFFFF


def rec(domid, stream, payload):
    if isinstance(payload, str):
        payload = payload.encode()
    return b"\x01K%04x%s%04x:" % (domid, stream.encode(), len(payload)) + payload


def out(data, split=False):
    if split:  # one byte per write: the launcher must reassemble
        for i in range(len(data)):
            sys.stdout.buffer.write(data[i:i + 1])
            sys.stdout.buffer.flush()
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()


def ctl(line):
    out(rec(0, "c", line + "\n"))


def read_manifest(path, nmodules):
    """[(module, argv)] per guest; checks the grammar of keel/launch.h."""
    data = open(path, "rb").read()
    lines = data.split(b"\n", 3)
    assert lines[0] == b"KEELRUN 3", lines[0]
    images = int(lines[1].split()[1])
    assert lines[1] == b"images %d" % images and images == nmodules - 3, lines[1]
    n = int(lines[2].split()[1])
    rest = lines[3]
    guests = []
    for i in range(n):
        head, rest = rest.split(b"\n", 1)
        _, idx, module, argc = head.split()
        assert int(idx) == i and 3 <= int(module) < nmodules, head
        argv = []
        for _ in range(int(argc)):
            ln, rest = rest.split(b":", 1)
            argv.append(rest[:int(ln)].decode())
            assert rest[int(ln):int(ln) + 1] == b"\n"
            rest = rest[int(ln) + 1:]
        guests.append((int(module), argv))
    assert rest == b"end\n", rest
    return guests


def parse_cmdline(argv):
    opts = {}
    i = 1
    while i < len(argv):
        if argv[i] in ("-nodefaults", "-no-reboot"):
            opts[argv[i]] = True
            i += 1
        else:
            opts.setdefault(argv[i], []).append(argv[i + 1])
            i += 2
    modules = [m.split(" ", 1) for m in opts["-initrd"][0].split(",")]
    return opts, modules


def check_cmdline(opts, modules):
    problems = []
    for key, want in (("-serial", "stdio"), ("-accel", os.environ.get("FAKE_ACCEL", "tcg"))):
        if opts.get(key) != [want]:
            problems.append("%s is %s" % (key, opts.get(key)))
    for path, _label in modules:
        if not os.path.isfile(path):
            problems.append("module %s missing" % path)
    if not os.path.isfile(opts["-kernel"][0]):
        problems.append("kernel missing")
    if modules[1][1] != "keel-run":
        problems.append("manifest label %s" % modules[1][1])
    if modules[2][1] != "keel-hosts":
        problems.append("hosts table label %s" % modules[2][1])
    else:
        hosts = open(modules[2][0], "rb").read()
        if not hosts.startswith(b"KEELHOST") or len(hosts) % 4096:
            problems.append("hosts table of %d bytes" % len(hosts))
    return problems


def boot_noise():
    out(b"SeaBIOS (fake)\r\n\x01 stray \x01Kzz\n")
    out(rec(HV, "l", "hv: booting\n"))
    out(rec(0, "o", "dom0: up\n"))


def finish(status):
    ctl("done %d" % status)
    out(rec(HV, "x", str(status)))
    time.sleep(float(os.environ.get("FAKE_LINGER", "0")))
    sys.exit(0)


def run_guests(guests, opts, modules, problems, scenario):
    statuses = [int(s) for s in os.environ.get("FAKE_STATUSES", "0").split(",")]
    for i, _ in enumerate(guests):
        ctl("start %d %d" % (i, 1 + i))
    for i, (module, argv) in enumerate(guests):
        dom = 1 + i
        if scenario == "echo":
            for j, a in enumerate(argv):
                out(rec(dom, "o", "argv[%d]=%s\n" % (j, a)))
            out(rec(dom, "o", "module %d of %d (%s)\n" % (module, len(modules),
                                                          modules[module][1])))
            out(rec(dom, "o", "cmdline %s\n" % ("ok" if not problems else problems)))
            out(rec(dom, "o", "smp=%s mem=%s\n" % (opts["-smp"][0], opts["-m"][0])))
        elif scenario == "net":      # the machine's NIC, as QEMU was told
            for v in opts.get("-netdev", []):
                out(rec(dom, "o", "netdev %s\n" % v))
            for v in opts.get("-device", []):
                out(rec(dom, "o", "device %s\n" % v))
        elif scenario == "hello":
            out(rec(dom, "o", "hel"), split=True)
            out(rec(dom, "o", "lo\n"))
            out(rec(dom, "e", "to stderr\n"))
        elif scenario == "multi":
            out(rec(dom, "o", "line one of %d\nline t" % i))
            ctl("timing %d create_ns=%d copy_ns=7" % (i, 100 + i))
        status = statuses[i % len(statuses)]
        if scenario == "multi":
            out(rec(dom, "o", "wo of %d" % i))
            ctl("msg %d exited with %d" % (i, status))
        ctl("exit %d %d" % (i, status))
    return next((s for s in statuses[:len(guests)] if s), 0)


def main():
    opts, modules = parse_cmdline(sys.argv)
    guests = read_manifest(modules[1][0], len(modules))
    scenario = os.environ.get("FAKE_QEMU_SCENARIO", "hello")
    if os.environ.get("FAKE_PIDFILE"):
        open(os.environ["FAKE_PIDFILE"], "w").write(str(os.getpid()))
    # as QEMU does, every file is read before the machine prints anything
    # (the launcher removes its run folder once it has)
    problems = check_cmdline(opts, modules)
    boot_noise()
    if scenario == "hang":
        out(rec(1, "o", "about to hang\n"))
        ctl("start 0 1")
        time.sleep(3600)
    if scenario == "die":
        out(rec(HV, "l", "hv: PANIC: fake panic\n"))
        sys.stderr.write("qemu: fatal: fake boom\n")
        sys.exit(1)
    if scenario == "slow":
        ctl("start 0 1")
        out(rec(1, "o", "first\n"))
        time.sleep(3)
        out(rec(1, "o", "second\n"))
        ctl("exit 0 0")
        finish(0)
    finish(run_guests(guests, opts, modules, problems, scenario))


if __name__ == "__main__":
    main()
