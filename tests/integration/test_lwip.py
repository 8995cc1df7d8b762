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
