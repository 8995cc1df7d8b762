"""Several guests at once: twenty printers, hundreds and thousands of guests
of one image (up to keel/launch.h's limit, and one more refused), several
images interleaved (one boot module per distinct image), more guests than
the machine's memory holds, a spinner beside a worker, and SSE/AVX guests
whose results must equal the host's bit for bit."""
import os
import re
import shutil
import subprocess
import time

from conftest import GUESTS, guest, keel_run, text

FPU_ITERS = os.environ.get("KEEL_FPU_ITERS", "4000000")


def test_twenty_guests(hello):
    r = keel_run([hello] * 20, timeout=120)
    assert r.returncode == 0, text(r.stderr)
    names = ["hello"] + ["hello-%d" % i for i in range(2, 21)]
    lines = text(r.stdout).splitlines()
    for n in names:
        assert "%s| hello from %s (1 args)" % (n, n) in lines
    assert len(lines) == 20


def test_three_hundred_guests_in_one_run(hello):
    r = keel_run([hello] * 300, args=["x"], timeout=240)
    assert r.returncode == 0, text(r.stderr)
    lines = text(r.stdout).splitlines()
    assert len(lines) == 300
    names = ["hello"] + ["hello-%d" % i for i in range(2, 301)]
    assert sorted(lines) == sorted("%s| hello from %s (2 args)" % (n, n) for n in names)


def module_lines(stderr):
    """{guest name: boot module} from dom0's log (keel run -v)."""
    return {name: int(mod) for name, mod in
            re.findall(r"^dom0\| guest \d+: (\S+), module (\d+) ", stderr, re.M)}


def test_interleaved_images_share_modules(hello, tmp_path):
    # hello, args and exit interleaved and repeated, plus a copy of hello
    # under another name: three boot modules for twelve guests, each guest
    # with its own name, the run's args and its own status.
    copy = str(tmp_path / "other.img")
    shutil.copy(hello, copy)
    a, e = guest("args.img"), guest("exit.img")
    images = [hello, a, e, a, copy, e, hello, a, copy, hello, e, a]
    r = keel_run(images, args=["ret", "7"], options=["-v"], timeout=120)
    assert r.returncode == 7, text(r.stderr)       # the first non-zero: exit's
    out, err = text(r.stdout).splitlines(), text(r.stderr)
    want = {"hello": 3, "args": 4, "exit": 5, "args-2": 4, "other": 3, "exit-2": 5,
            "hello-2": 3, "args-3": 4, "other-2": 3, "hello-3": 3, "exit-3": 5,
            "args-4": 4}
    assert module_lines(err) == want
    assert "6 boot modules" in err     # dom0, manifest, hosts table, three images
    for name, module in want.items():
        if module == 3:
            assert "%s| hello from %s (3 args)" % (name, name) in out
        elif module == 4:
            assert ["%s| argv[%d]=<%s>" % (name, i, v) for i, v in
                    enumerate([name, "ret", "7"])] == \
                [ln for ln in out if ln.startswith(name + "| argv")]
        else:
            assert "%s| returning 7" % name in out
    assert len(out) == 5 + 4 * 4 + 3     # every guest's lines, no others
    ended = dict(re.findall(r"^dom0\| guest (\d+) \(domain \d+\) exited with (\d+)$",
                            err, re.M))
    assert ended == {str(i): "7" if images[i] == e else "0" for i in range(12)}


MAX_GUESTS = 12000     # KEEL_LAUNCH_MAX_GUESTS, keel/launch.h
OLD_PORT_BOUND = 4092  # dom0's ports when the port space was 4096


def check_many(n, mem, timeout):
    """n copies of small.img (hello in 512 KiB) in one run: every guest's
    line, no other output, status 0, within timeout seconds."""
    small = guest("small.img")
    t0 = time.monotonic()
    r = keel_run([small] * n, args=["x"], options=["--mem", mem], timeout=timeout)
    took = time.monotonic() - t0
    assert r.returncode == 0, text(r.stderr)[-3000:]
    names = ["small"] + ["small-%d" % i for i in range(2, n + 1)]
    assert sorted(text(r.stdout).splitlines()) == \
        sorted("%s| hello from %s (2 args)" % (g, g) for g in names)
    assert text(r.stderr) == ""
    return took


def test_more_guests_than_boot_modules():
    # 1100 > 1022, the old limit (one boot module per guest): a few seconds
    assert check_many(1100, "1G", timeout=120) < 60


def test_more_guests_than_the_old_port_space():
    # all of them alive at once (dom0 builds every guest before it reaps
    # one): more consoles, and so ports in dom0, than the 4096-port space
    # held; the 10,000-guest run is make bench's (bench/density.py)
    assert check_many(OLD_PORT_BOUND + 400, "3500M", timeout=300) < 240


def test_more_guests_than_memory_holds(hello):
    # default guests (about 70 KiB each to start, the stack and heap on
    # demand, and a 36 KiB reserve) in 128 MiB, most of it dom0's: those
    # that fit run, each of the others is refused on its own with what to
    # do, and the run says 126 at once
    t0 = time.monotonic()
    r = keel_run([hello] * 400, options=["--mem", "128M"], timeout=60)
    assert r.returncode == 126, text(r.stderr)
    out, err = text(r.stdout).splitlines(), text(r.stderr).splitlines()
    ran = {ln.split("| ")[0] for ln in out}
    refused = {ln.split("| ")[0] for ln in err
               if re.search(r"not enough memory left on the machine for the \d+ KiB "
                            r"it starts with", ln)
               and ln.endswith("raise keel run --mem, or build the image with "
                               "a smaller mkimage --mem")}
    assert ran and refused and not ran & refused
    assert len(ran) + len(refused) == 400
    assert len(err) == len(refused)
    assert time.monotonic() - t0 < 30


def test_one_guest_more_than_the_limit_is_a_usage_error(hello):
    # refused on the command line, before anything is staged or booted
    t0 = time.monotonic()
    r = keel_run([hello] * (MAX_GUESTS + 1), timeout=60)
    assert r.returncode == 2
    assert "%d guests asked for; one run boots at most %d" % (MAX_GUESTS + 1, MAX_GUESTS) \
        in text(r.stderr)
    assert r.stdout == b""
    assert time.monotonic() - t0 < 5


def test_spinner_does_not_starve_a_worker():
    # One CPU: the worker only runs if the hypervisor preempts the spinner.
    t0 = time.monotonic()
    r = keel_run([guest("spin.img"), guest("libc.img")], args=[],
                 options=["--smp", "1"], timeout=120)
    assert r.returncode == 0, text(r.stderr)
    lines = text(r.stdout).splitlines()
    done = lines.index("libc| libc done")
    spin = lines.index("spin| spin done after 5.0 s")
    assert done < spin
    assert time.monotonic() - t0 < 100


def host_result(variant, name, seed):
    """The same program built for the host, run with the guest's argv."""
    exe = os.path.join(GUESTS, variant + ".host")
    return subprocess.run([name, str(seed), FPU_ITERS], executable=exe, capture_output=True,
                          check=True, timeout=60).stdout.decode()


def test_sse_and_avx_guests_match_the_host():
    # Each guest's lanes start from its name, so the six compute different
    # things at once on two CPUs, preempting each other mid-loop.
    variants = ["fpu", "fpu_avx"] * 3
    names = ["fpu", "fpu_avx", "fpu-2", "fpu_avx-2", "fpu-3", "fpu_avx-3"]
    r = keel_run([guest(v + ".img") for v in variants], args=["5", FPU_ITERS], timeout=300)
    assert r.returncode == 0, text(r.stderr)
    out = text(r.stdout).splitlines()
    for variant, name in zip(variants, names):
        got = [ln[len(name) + 2:] for ln in out if ln.startswith(name + "| ")]
        want = host_result(variant, name, 5).splitlines()
        assert len(want) == 16 and got == want, name
    # the SSE and AVX builds compute the same lanes: same bits for one name
    assert host_result("fpu", "x", 5) == host_result("fpu_avx", "x", 5)
