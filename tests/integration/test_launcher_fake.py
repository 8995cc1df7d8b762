"""The launcher against a fake QEMU (fake_qemu.py): routing, prefixes,
statuses, timeout, garbage outside records, QEMU dying, signals."""
import os
import signal
import subprocess
import time

import pytest

from conftest import KEEL, text

FAKE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fake_qemu.py")


@pytest.fixture
def fake(tmp_path):
    """Environment for a run against the fake; images are empty files."""
    for name in ("hv", "dom0.img"):
        (tmp_path / name).write_bytes(b"")
    env = dict(os.environ, KEEL_QEMU=FAKE, KEEL_HV=str(tmp_path / "hv"),
               KEEL_DOM0=str(tmp_path / "dom0.img"), TMPDIR=str(tmp_path / "tmp"))
    os.mkdir(tmp_path / "tmp")

    def image(name, content=b"\x7fELF"):
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(content)
        return str(p)

    def run(*argv, scenario="hello", timeout=30, **extra):
        e = dict(env, FAKE_QEMU_SCENARIO=scenario, **extra)
        return subprocess.run([KEEL, "run", *argv], capture_output=True, env=e,
                              timeout=timeout, stdin=subprocess.DEVNULL)

    run.image = image
    run.env = env
    run.tmp = tmp_path / "tmp"
    return run


def test_one_guest_stdout_is_exact(fake):
    r = fake(fake.image("a.img"))
    assert r.returncode == 0, text(r.stderr)
    assert r.stdout == b"hello\n"
    assert r.stderr == b"to stderr\n"
    assert os.listdir(fake.tmp) == []          # the staging folder is gone


def test_verbose_shows_logs(fake):
    r = fake("-v", fake.image("a.img"))
    err = text(r.stderr)
    assert r.stdout == b"hello\n"
    assert "hv| hv: booting" in err and "dom0| dom0: up" in err
    assert "hv| SeaBIOS (fake)" in err         # bytes outside records are log


def test_args_reach_every_guest(fake):
    args = ["x", "arg 2", "c,d", "-v", "--timeout"]
    r = fake(fake.image("a.img"), fake.image("d/b.img"), "--", *args, scenario="echo")
    assert r.returncode == 0, text(r.stderr)
    for name in ("a", "b"):
        want = ["%s| argv[%d]=%s" % (name, i, a) for i, a in enumerate([name] + args)]
        got = [ln for ln in text(r.stdout).splitlines() if ln.startswith(name + "| argv")]
        assert got == want
    assert text(r.stdout).count("| cmdline ok") == 2


def test_awkward_image_paths_and_options(fake):
    img = fake.image("my dir,x/a b,c.img")
    r = fake("--smp", "3", "--mem", "1G", img, scenario="echo")
    assert r.returncode == 0, text(r.stderr)
    assert "argv[0]=a b,c\n" in text(r.stdout)
    assert "cmdline ok\n" in text(r.stdout)
    assert "smp=3 mem=1024M\n" in text(r.stdout)


def test_same_names_made_unique(fake):
    r = fake(fake.image("a.img"), fake.image("x/a.img"), fake.image("a.bin"),
             scenario="echo")
    names = {ln.split("| ")[0] for ln in text(r.stdout).splitlines()}
    assert names == {"a", "a-2", "a-3"}


def test_one_module_per_distinct_image(fake):
    # a copy with the same bytes shares a's module; b's bytes differ
    a, b = fake.image("a.img", b"AAAA"), fake.image("b.img", b"BBBB")
    copy = fake.image("x/a.img", b"AAAA")
    r = fake(a, copy, b, a, b, a, "--", "z", scenario="echo")
    assert r.returncode == 0, text(r.stderr)
    want = {"a": 3, "a-2": 3, "b": 4, "a-3": 3, "b-2": 4, "a-4": 3}
    out = text(r.stdout).splitlines()
    for name, module in want.items():
        label = "b" if module == 4 else "a"
        assert "%s| module %d of 5 (%s)" % (name, module, label) in out
        assert "%s| argv[0]=%s" % (name, name) in out
        assert "%s| argv[1]=z" % name in out
    assert out.count("a-3| cmdline ok") == 1


def test_several_guests_prefix_and_status(fake):
    r = fake(fake.image("a.img"), fake.image("b.img"), fake.image("c.img"),
             "--timings", scenario="multi", FAKE_STATUSES="0,3,5")
    assert r.returncode == 3
    lines = text(r.stdout).splitlines()
    for i, n in enumerate("abc"):
        assert "%s| line one of %d" % (n, i) in lines
        assert "%s| line two of %d" % (n, i) in lines   # joined across records
    err = text(r.stderr).splitlines()
    assert "b| exited with 3" in err
    assert "c| timing 2 create_ns=102 copy_ns=7" in err


def test_timings_hidden_by_default(fake):
    r = fake(fake.image("a.img"), scenario="multi")
    assert "timing" not in text(r.stderr)
    assert r.stdout == b"line one of 0\nline two of 0"   # one guest: verbatim


@pytest.mark.parametrize("status", [0, 1, 124, 126, 139, 255])
def test_done_status_is_exit_status(fake, status):
    r = fake(fake.image("a.img"), FAKE_STATUSES=str(status))
    assert r.returncode == status


def test_timeout_kills_the_machine(fake):
    t0 = time.monotonic()
    r = fake("--timeout", "1.5", fake.image("a.img"), scenario="hang")
    assert r.returncode == 124
    assert time.monotonic() - t0 < 10
    assert "timed out" in text(r.stderr)
    assert r.stdout == b"about to hang\n"    # held until `start`, then shown


def test_machine_dying_is_125(fake):
    r = fake(fake.image("a.img"), scenario="die")
    assert r.returncode == 125
    err = text(r.stderr)
    assert "without reporting a result" in err and "status 1" in err
    assert "qemu: fatal: fake boom" in err      # QEMU's stderr tail
    assert "hv: PANIC: fake panic" in err       # the machine's log tail


def test_output_is_prompt(fake):
    p = subprocess.Popen([KEEL, "run", fake.image("a.img")], stdout=subprocess.PIPE,
                         stdin=subprocess.DEVNULL,
                         env=dict(fake.env, FAKE_QEMU_SCENARIO="slow"))
    t0 = time.monotonic()
    first = p.stdout.readline()
    assert first == b"first\n" and time.monotonic() - t0 < 2.5
    assert p.stdout.read() == b"second\n"
    assert p.wait(timeout=20) == 0


def test_sigterm_stops_qemu(fake, tmp_path):
    pidfile = tmp_path / "qemu.pid"
    p = subprocess.Popen([KEEL, "run", fake.image("a.img")], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                         env=dict(fake.env, FAKE_QEMU_SCENARIO="hang",
                                  FAKE_PIDFILE=str(pidfile)))
    assert p.stdout.readline() == b"about to hang\n"
    p.send_signal(signal.SIGTERM)
    assert p.wait(timeout=10) == 128 + signal.SIGTERM
    qemu = int(pidfile.read_text())
    time.sleep(0.2)
    with pytest.raises(ProcessLookupError):
        os.kill(qemu, 0)
    assert os.listdir(fake.tmp) == []


def test_missing_image_is_2(fake):
    r = fake(str(fake.tmp / "nope.img"))
    assert r.returncode == 2
    assert "nope.img" in text(r.stderr)


def test_not_built_is_2(fake):
    r = fake(fake.image("a.img"), KEEL_HV="/nonexistent/keel-hv")
    assert r.returncode == 2
    assert "hypervisor not found" in text(r.stderr)


def test_qemu_missing_is_125(fake):
    r = fake(fake.image("a.img"), KEEL_QEMU="/nonexistent/qemu")
    assert r.returncode == 125
    assert "cannot run /nonexistent/qemu" in text(r.stderr)


def net_of(r):
    """The -netdev values and the virtio-net-pci devices QEMU was given."""
    lines = text(r.stdout).splitlines()
    return ([ln[len("netdev "):] for ln in lines if ln.startswith("netdev ")],
            [ln[len("device "):] for ln in lines
             if ln.startswith("device virtio-net-pci")])


def test_net_user_by_default(fake):
    r = fake(fake.image("a.img"), scenario="net")
    assert r.returncode == 0, text(r.stderr)
    netdev, nic = net_of(r)
    # keel/launch.h's plan; no port forwarded without -p
    assert netdev == ["user,id=net0,ipv6=off,net=10.0.0.0/16,host=10.0.0.2"]
    assert nic == ["virtio-net-pci,netdev=net0,addr=3,romfile="]


def test_net_tap_and_none(fake):
    r = fake("--net", "tap:ktap0", fake.image("a.img"), scenario="net")
    assert r.returncode == 0, text(r.stderr)
    assert net_of(r) == (["tap,id=net0,ifname=ktap0,script=no,downscript=no"],
                         ["virtio-net-pci,netdev=net0,addr=3,romfile="])
    r = fake("--net=none", fake.image("a.img"), scenario="net")
    assert r.returncode == 0, text(r.stderr)
    assert net_of(r) == ([], [])
    assert "device ivshmem-plain,memdev=hostio" in text(r.stdout)   # the rest stays


def test_net_publish_is_hostfwd_to_the_plan(fake):
    """-p: one hostfwd rule each on the one user-mode -netdev, to the
    guest's address of the plan (guest i is 10.0.1.1 + i)."""
    r = fake("-p", "8080:80", fake.image("web.img"), fake.image("dns.img"),
             "-p", "dns:0.0.0.0:5353:53/udp", "--publish=1:9000:9", scenario="net")
    assert r.returncode == 0, text(r.stderr)
    assert ("web| netdev user,id=net0,ipv6=off,net=10.0.0.0/16,host=10.0.0.2"
            ",hostfwd=tcp:127.0.0.1:8080-10.0.1.1:80"
            ",hostfwd=udp:0.0.0.0:5353-10.0.1.2:53"
            ",hostfwd=tcp:127.0.0.1:9000-10.0.1.2:9\n") in text(r.stdout)


def test_net_publish_errors_are_one_line(fake):
    img = fake.image("web.img")
    for argv, want in [(["-p", "8080:0", img], "'0' is not a port"),
                       (["-p", "web:1:2:3:4", img], "-p wants [NAME:][HOSTADDR:]HOSTPORT:GUESTPORT"),
                       (["-p", "db:8080:80", img], "no guest 'db' (names or indices 0..0)"),
                       (["-p", "1:8080:80", img], "no guest '1'"),
                       (["--net", "none", "-p", "8080:80", img], "-p needs --net user"),
                       (["-p", "8080:80", "--net", "tap:t0", img], "-p needs --net user"),
                       (["-p", "8080:80", "-p", "8080:81", img], "forwarded twice")]:
        r = fake(*argv, scenario="net")
        err = text(r.stderr)
        assert r.returncode == 2 and want in err and err.count("\n") == 1, (argv, err)
        assert b"netdev" not in r.stdout                  # QEMU never started


@pytest.mark.parametrize("argv", [[], ["--timeout", "x", "a.img"], ["--smp", "0", "a.img"],
                                  ["--bogus", "a.img"], ["--mem", "12Q", "a.img"],
                                  ["--net", "bridge", "a.img"], ["--net", "tap:a,b", "a.img"],
                                  ["--net", "tap:", "a.img"], ["a.img", "--net"]])
def test_bad_command_line_is_2(fake, argv):
    r = fake(*argv)
    assert r.returncode == 2 and r.stderr


def test_help():
    for argv in (["--help"], ["run", "--help"]):
        r = subprocess.run([KEEL, *argv], capture_output=True, timeout=10)
        assert r.returncode == 0 and b"usage: keel run" in r.stdout
