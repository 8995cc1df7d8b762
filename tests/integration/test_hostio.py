"""The shared-memory host I/O path (docs/console.md, "Host I/O path"):
the launcher's ivshmem file is found and used by default, big output and
input cross it intact, nothing is left in /dev/shm or the run folder, not
even by a launcher killed with SIGKILL, an idle machine lets the launcher
sleep (the output doorbell), and KEEL_HOSTIO=serial keeps the old serial
path working for a few of the console tests.
"""
import glob
import os
import re
import select
import subprocess
import tempfile
import time

from conftest import KEEL, TIMEOUT, guest, text
from test_console import flood_expect


def run(images, data=b"", env_extra=None, options=(), args=(), timeout=TIMEOUT):
    env = dict(os.environ)
    env.update(env_extra or {})
    cmd = [KEEL, "run", "--timeout", str(timeout), *options, *images]
    if args:
        cmd += ["--", *args]
    return subprocess.run(cmd, input=data, capture_output=True, env=env,
                          timeout=timeout + 30)


SERIAL = {"KEEL_HOSTIO": "serial"}


def shm_files():
    return set(glob.glob("/dev/shm/keel.*"))


def test_hostio_is_the_default_path():
    before = shm_files()
    r = run([guest("hello.img")], options=("-v",))
    err = text(r.stderr)
    assert r.returncode == 0, err
    assert "ivshmem-plain,memdev=hostio" in err
    assert "mem-path=/dev/fd/" in err     # an anonymous memfd QEMU inherits
    assert "hv| hostio: console on ivshmem" in err
    assert b"hello from hello" in r.stdout
    assert shm_files() <= before          # removed at exit


def test_sigkilled_launcher_leaves_nothing(tmp_path):
    """SIGKILL gives the launcher no chance to clean up: the run folder goes
    as soon as the machine speaks, the shared memory has no name, and QEMU
    dies with its parent."""
    before = shm_files()
    env = dict(os.environ, TMPDIR=str(tmp_path))
    p = subprocess.Popen([KEEL, "run", "--timeout", "60", guest("cat.img")],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, env=env)   # cat waits for input
    try:
        deadline = time.monotonic() + 30
        while os.listdir(tmp_path) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert os.listdir(tmp_path) == [], "the run folder outlived the boot"
    finally:
        p.kill()
        p.wait(timeout=10)
    assert shm_files() <= before


IDLE_S = 4


def cpu_ticks(pid):
    fields = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])       # utime + stime


def sleeps(pid):
    """How many times the launcher's threads have blocked so far (each
    wake-up of a polling loop is one)."""
    n = 0
    for task in os.listdir("/proc/%d/task" % pid):
        with open("/proc/%d/task/%s/status" % (pid, task)) as f:
            n += sum(int(l.split()[1]) for l in f if l.startswith("voluntary_ctxt_switches"))
    return n


def test_idle_launcher_sleeps():
    """cat waits for stdin for IDLE_S seconds: the launcher sleeps on the
    serial line until the hypervisor rings it (keel/hostio.h, out_waiting)
    instead of polling the ring every 2 ms (IDLE_S * 500 wake-ups).  Counted,
    not timed: the times its threads block during the idle window alone
    (boot and exit, whose wake-ups a loaded machine multiplies, are not in
    it), and the launcher's own count (-v: "run loop: N wake-ups, M on a
    timer") for the timer."""
    with tempfile.TemporaryFile() as err:
        p = subprocess.Popen([KEEL, "run", "-v", "--timeout", "120", guest("cat.img")],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err)
        try:
            p.stdin.write(b"awake?\n")
            p.stdin.flush()
            got, deadline = b"", time.monotonic() + 90
            while not got.endswith(b"awake?\n") and time.monotonic() < deadline:
                if select.select([p.stdout], [], [], 1)[0]:
                    got += os.read(p.stdout.fileno(), 4096)
            assert got == b"awake?\n"
            ticks, blocked = cpu_ticks(p.pid), sleeps(p.pid)
            time.sleep(IDLE_S)
            ticks, blocked = cpu_ticks(p.pid) - ticks, sleeps(p.pid) - blocked
            p.stdin.close()
            assert p.stdout.read() == b""
            assert p.wait(timeout=60) == 0
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
        err.seek(0)
        log = text(err.read())
    m = re.search(r"^keel: run loop: (\d+) wake-ups in ([\d.]+) s, (\d+) on a timer "
                  r"\(shared memory, output doorbell\)$", log, re.M)
    assert m, log[-3000:]
    timer = int(m.group(3))
    polling = IDLE_S * 500
    assert blocked < polling * 0.1, "%d wake-ups idle (%d CPU ticks): %s" % (
        blocked, ticks, m.group(0))
    assert timer < 50, m.group(0)


def test_hostio_big_stdin_is_exact():
    data = os.urandom(1 << 20) + b"\x01K0000z0000:" + bytes(range(256))
    r = run([guest("cat.img")], data, timeout=120)
    assert r.returncode == 0, text(r.stderr)
    assert r.stdout == data


def test_hostio_slow_reader_loses_nothing():
    """The launcher blocks on a full stdout pipe, the ring fills, the
    hypervisor waits: no byte is lost or reordered."""
    n = 4 << 20
    p = subprocess.Popen([KEEL, "run", "--timeout", "120", guest("flood.img"),
                          "--", str(n)], stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(3)
    out, err = p.communicate(timeout=150)
    assert p.returncode == 0, text(err)
    data, h = flood_expect(n)
    assert out == data
    assert text(err).strip().splitlines()[-1].split() == ["flood", str(n), h]


def test_serial_fallback_has_no_device():
    r = run([guest("hello.img")], env_extra=SERIAL, options=("-v",))
    err = text(r.stderr)
    assert r.returncode == 0, err
    assert "ivshmem" not in err
    assert r.stdout == b"hello from hello (1 args)\n"


def test_serial_fallback_stdin():
    data = bytes(range(256)) * 16 + b"\x01K0000z0000:" + b"tail\n"
    r = run([guest("cat.img")], data, env_extra=SERIAL)
    assert r.returncode == 0, text(r.stderr)
    assert r.stdout == data


def test_serial_fallback_empty_stdin():
    r = run([guest("cat.img")], b"", env_extra=SERIAL)
    assert r.returncode == 0, text(r.stderr)
    assert r.stdout == b""


def test_serial_fallback_flood():
    n = 256 << 10
    r = run([guest("flood.img")], env_extra=SERIAL, args=(str(n),), timeout=120)
    assert r.returncode == 0, text(r.stderr)
    data, h = flood_expect(n)
    assert r.stdout == data
    assert text(r.stderr).strip().splitlines()[-1].split() == ["flood", str(n), h]
