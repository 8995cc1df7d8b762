"""A guest's output, arguments, exit statuses, clocks and C library."""
import datetime
import re
import time

import pytest

from conftest import guest, keel_run, text


def test_hello_output_and_status(hello):
    r = keel_run([hello])
    assert r.returncode == 0, text(r.stderr)
    assert r.stdout == b"hello from hello (1 args)\n"   # exactly what it printed
    assert r.stderr == b""                               # no logs without -v


def test_verbose_shows_hypervisor_and_dom0(hello):
    r = keel_run([hello], options=["-v"])
    assert r.returncode == 0
    assert r.stdout == b"hello from hello (1 args)\n"
    assert "hv| " in text(r.stderr) and "dom0| " in text(r.stderr)


def test_args_with_spaces_and_commas():
    args = ["one", "arg 2", "a,b,c", "", "  lead", "tab\there", "-v", "--", "ünï"]
    r = keel_run([guest("args.img")], args=args)
    assert r.returncode == 0, text(r.stderr)
    want = "argc=%d\n" % (len(args) + 1)
    want += "".join("argv[%d]=<%s>\n" % (i, a) for i, a in enumerate(["args"] + args))
    assert text(r.stdout) == want


@pytest.mark.parametrize("mode,code", [("ret", 0), ("ret", 3), ("ret", 255),
                                       ("nested", 7), ("nested", 0)])
def test_exit_status(mode, code):
    r = keel_run([guest("exit.img")], args=[mode, str(code)])
    assert r.returncode == code, text(r.stderr)
    if mode == "nested":   # exit() flushed the partial line
        assert r.stdout == b"leaving from level3"
    else:
        assert r.stdout == b"returning %d\n" % code


def test_sleep_and_clocks():
    t0 = time.time()
    r = keel_run([guest("sleep.img")])
    wall = time.time() - t0
    assert r.returncode == 0, text(r.stderr)
    v = dict(re.findall(r"(\w+)=(-?\d+)", text(r.stdout)))
    assert int(v["sleep_left"]) == 0 and int(v["nanosleep_rc"]) == 0
    assert 1.0e9 <= int(v["sleep_ns"]) < 10e9
    assert 0.2e9 <= int(v["usleep_ns"]) < 10e9
    assert 0.3e9 <= int(v["nanosleep_ns"]) < 10e9
    assert wall >= 1.5                       # the run really waited
    for key in ("wall_s", "time_s", "tod_s"):
        assert abs(int(v[key]) - t0) < 60, key


def lcg_values(n, seed=12345):
    out = []
    for _ in range(n):
        seed = (seed * 1103515245 + 12345) & 0xFFFFFFFF
        out.append(seed >> 8)
    return out


def test_libc():
    r = keel_run([guest("libc.img")])
    assert r.returncode == 0, text(r.stderr)
    out = text(r.stdout)
    v = sorted(x % 100000 for x in lcg_values(1000))
    weighted = sum(x * (i + 1) for i, x in enumerate(v))
    stamp = datetime.datetime.fromtimestamp(1700000000, datetime.timezone.utc)
    want = [
        "snprintf=%d|%5.2f|%-4s|%x|%e|%% n=%d" % (-17, 3.14159, "ab", 48879, 12345.678, 34),
        "sscanf=3 77 word 2.50",
        "fopen_null=1 errno_set=1",
        "qsort_min=%d qsort_max=%d qsort_weighted=%d" % (v[0], v[-1], weighted),
        "strtol_overflow=1 erange=1",
        "strtol_hex=%d atoi=42" % -0x1f,
        "strlen=19 strstr=brown fox strchr=quick brown fox",
        "memmove=the the quickwn fox",
        "strtok=3 memcmp=1 strerror_enoent=No such file or directory",
        "strftime=" + stamp.strftime("%Y-%m-%d %H:%M:%S %A %j"),
        "mktime_roundtrip=1",
        "malloc_bad=0 big_ok=1 calloc_ok=1",
        "huge_null=1 enomem=1",
        "sqrt2=%r pow=1024.0 floor=-3.0" % 2 ** 0.5,
        "libc done",
    ]
    assert out.splitlines() == want


def test_several_guests_status_is_first_nonzero(hello):
    # hello -> 0, exit -> 3, crash (wrong usage) -> 2: the run's status is 3
    r = keel_run([hello, guest("exit.img"), guest("crash.img")], args=["ret", "3"])
    assert r.returncode == 3, text(r.stderr)
    out = text(r.stdout)
    assert "hello| hello from hello (3 args)\n" in out
    assert "exit| returning 3\n" in out
    assert "crash| usage: crash CASE\n" in text(r.stderr)
