"""The console split driver (docs/console.md): guest output through the
console ring and dom0's backend, stdin to the first guest, a 10 MiB flood
that loses nothing and starves nobody, and a guest that corrupts its ring.
"""
import subprocess

from conftest import KEEL, TIMEOUT, guest, text

FLOOD_BYTES = 10 << 20


def run_input(images, data, timeout=TIMEOUT, args=()):
    cmd = [KEEL, "run", "--timeout", str(timeout), *images]
    if args:
        cmd += ["--", *args]
    return subprocess.run(cmd, input=data, capture_output=True,
                          timeout=timeout + 30)


def flood_expect(n):
    """The bytes tests/guests/flood.c prints, and their FNV-1a 64."""
    data = bytes(10 if i % 61 == 60 else 0x20 + i % 95 for i in range(n))
    h = 1469598103934665603
    for b in data:
        h = ((h ^ b) * 1099511628211) & (2 ** 64 - 1)
    return data, "%016x" % h


def test_stdin_text_reaches_cat():
    r = run_input([guest("cat.img")], b"hi\n")
    assert r.returncode == 0, text(r.stderr)
    assert r.stdout == b"hi\n"


def test_stdin_is_binary_safe():
    data = bytes(range(256)) * 64 + b"\x01K0000z0000:" + bytes(range(255, -1, -1))
    r = run_input([guest("cat.img")], data)
    assert r.returncode == 0, text(r.stderr)
    assert r.stdout == data


def test_empty_stdin_is_eof_at_once():
    r = run_input([guest("cat.img")], b"")
    assert r.returncode == 0, text(r.stderr)
    assert r.stdout == b""


def test_stdin_goes_to_the_first_guest_only():
    r = run_input([guest("cat.img"), guest("cat.img")], b"one\n")
    assert r.returncode == 0, text(r.stderr)
    assert r.stdout == b"cat| one\n"      # the second cat read EOF at once


def test_flood_loses_no_byte():
    r = run_input([guest("flood.img")], b"", timeout=240)
    assert r.returncode == 0, text(r.stderr)
    assert len(r.stdout) == FLOOD_BYTES
    line = text(r.stderr).strip().splitlines()[-1].split()
    assert line[:2] == ["flood", str(FLOOD_BYTES)]
    # hashing 10 MiB in Python is slow: check the hash the guest computed
    # over what it sent against the bytes that arrived, on a prefix too
    data, _ = flood_expect(1 << 16)
    assert r.stdout[:1 << 16] == data
    h = 1469598103934665603
    for b in r.stdout:
        h = ((h ^ b) * 1099511628211) & (2 ** 64 - 1)
    assert "%016x" % h == line[2]


def test_flood_does_not_starve_a_small_guest():
    n = 2 << 20
    r = run_input([guest("flood.img"), guest("hello.img")], b"", timeout=120,
                  args=(str(n),))
    assert r.returncode == 0, text(r.stderr)
    out = r.stdout
    at = out.find(b"hello| hello from hello")
    assert at >= 0, text(out[-2000:])
    # hello's line comes long before the flood ends (round-robin backend)
    assert at < len(out) // 2, (at, len(out))
    body = b"".join(l[len(b"flood| "):] + b"\n" for l in out.splitlines()
                    if l.startswith(b"flood| "))
    want = flood_expect(n)[0]
    if not want.endswith(b"\n"):
        want += b"\n"                 # prefixed output ends its last line
    assert body == want


def test_corrupt_ring_closes_only_that_console():
    r = run_input([guest("console_evil.img"), guest("hello.img")], b"")
    err = text(r.stderr)
    assert "console closed: corrupt ring indices" in err, err
    assert b"evil: honest line" in r.stdout
    assert b"hello| hello from hello (1 args)" in r.stdout
    assert r.returncode == 7, err     # its exit is still reported
