"""lwIP in a guest (docs/net.md, "lwIP in a guest").

The loopback guest runs lwIP's tcpip thread and its sockets on libos
threads in a 1 MiB domain; a program that does not use the network links
none of lwIP even with liblwip.a on its link line.
"""
import os
import re
import subprocess

from conftest import REPO, guest, keel_run, mkimage, text

LIBLWIP = os.path.join(REPO, "build", "sysroot", "lib", "liblwip.a")
STEPS = ["tcp echo 524288 bytes", "udp 18 bytes from port",
         "recv timeout after", "connect to closed port refused (RST) ok",
         "sys_timeout(150 ms) fired after"]


def test_loopback_tcp_udp_timers():
    r = keel_run([guest("lwip_loop.img")], timeout=120)
    out = text(r.stdout)
    assert r.returncode == 0, out + text(r.stderr)
    lines = out.splitlines()
    assert lines[-1] == "lwip_loop: ok", out
    for step in STEPS:
        assert any(step in line for line in lines), (step, out)
    idle = re.search(r"image (\d+) KiB, heap (\d+) KiB", out)
    assert idle, out
    # the image (code, data, lwIP's static pools) and what lwIP took from
    # the heap, with a listening socket, and its NIC (a program that uses
    # lwIP gets one: 128 KiB of granted buffers, the netfront thread's
    # 64 KiB stack): well under the 1 MiB domain
    assert int(idle.group(1)) + int(idle.group(2)) < 768, out


def test_program_without_network_links_no_lwip(tmp_path):
    hello = os.path.join(REPO, "tests", "guests", "hello.c")
    plain = mkimage(tmp_path / "plain.img", hello)
    linked = mkimage(tmp_path / "linked.img", hello, LIBLWIP)
    assert plain.read_bytes() == linked.read_bytes()
    syms = subprocess.run(["nm", str(linked)], capture_output=True, timeout=60).stdout
    assert not re.search(rb"\b(lwip_|tcpip_|tcp_|sys_mbox)", syms)
    r = keel_run([str(linked)])
    assert r.returncode == 0 and b"hello" in r.stdout.lower(), text(r.stdout)


def test_tcp_isns_are_not_a_counter():
    """RFC 6528 (sdk/lwip-port/tcp_isn.c): four connections to one port
    in a row.  lwIP's own ISN was a counter (each one the last plus its
    timer's ticks: small, equal steps); with the keyed hash the steps are
    unrelated 32-bit numbers."""
    r = keel_run([guest("tcp_isn.img")], timeout=60)
    out = text(r.stdout)
    assert r.returncode == 0 and "tcp_isn: ok" in out, out + text(r.stderr)
    pairs = re.findall(r"isn: client 0x([0-9a-f]{8}) server 0x([0-9a-f]{8})", out)
    assert len(pairs) == 4, out
    isns = [int(x, 16) for pair in pairs for x in pair]   # in the order made

    def step(a, b):
        d = (b - a) % 2**32
        return d - 2**32 if d >= 2**31 else d
    steps = [step(a, b) for a, b in zip(isns, isns[1:])]
    assert len(set(steps)) > 1, steps
    assert max(abs(s) for s in steps) >= 2**20, steps
    # QEMU's -cpu max has RDRAND (and keel run uses it under TCG)
    assert re.search(r"isn secret: (rdrand|rdseed)", out), out
