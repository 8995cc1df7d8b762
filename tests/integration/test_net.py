"""Guests' NICs (docs/net.md: netfront, dom0's wiring, the switch): two
guests talk TCP and UDP, the client naming the server, a guest reaches a
server on the host through the uplink by the name `host` (QEMU's
user-mode network), the run's names resolve both ways from the shared
hosts table, which a guest cannot write, hostile guests harm only
themselves beside a benign pair in the same run, a thousand guests each
bring their NIC up and reach a collector they name, and an image that
uses no network gets no NIC and links none of it.

Roles are image names (tests/guests/net_peer.c, net_evil.c): each test
copies the image under the names it needs."""
import os
import re
import shutil
import socket
import subprocess
import threading

from conftest import GUESTS, guest, keel_run, mkimage, text

ECHO_BYTES = 4 * 1024 * 1024


def images(tmp_path, src, *names):
    out = []
    for n in names:
        p = str(tmp_path / (n + ".img"))
        if not os.path.exists(p):
            shutil.copy(guest(src), p)
        out.append(p)
    return out


def lines_of(r):
    return text(r.stdout).splitlines()


def test_two_guests_tcp_echo_and_udp(tmp_path):
    imgs = images(tmp_path, "net_peer.img", "tcp_server", "tcp_client")
    r = keel_run(imgs, args=["ip=tcp_server", "port=7", "bytes=%d" % ECHO_BYTES],
                 options=["-v"], timeout=180)
    out = text(r.stdout)
    assert r.returncode == 0, out + text(r.stderr)[-3000:]
    client = re.search(r"tcp_client\| net_peer: tcp echo (\d+) bytes in \d+ ms, "
                       r"digest ([0-9a-f]{16}) ok", out)
    server = re.search(r"tcp_server\| net_peer: echoed (\d+) bytes, digest ([0-9a-f]{16})", out)
    assert client and server, out
    assert client.group(1) == server.group(1) == str(ECHO_BYTES)
    assert client.group(2) == server.group(2)
    assert "tcp_server| net_peer: tcp_server ok" in out       # the UDP datagram came
    assert "tcp_client| net_peer: tcp_client ok" in out


class HostServer(threading.Thread):
    """A line server on the host's 127.0.0.1, which the guest reaches at
    10.0.0.2 (QEMU's user-mode network forwards it)."""

    def __init__(self):
        super().__init__(daemon=True)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.sock.settimeout(150)
        self.port = self.sock.getsockname()[1]
        self.got = b""

    def run(self):
        try:
            c, _ = self.sock.accept()
            c.settimeout(30)
            while not self.got.endswith(b"\n"):
                d = c.recv(100)
                if not d:
                    break
                self.got += d
            c.sendall(b"the host got " + self.got)
            c.close()
        except OSError:
            pass
        self.sock.close()


def test_guest_reaches_a_host_server_through_the_uplink(tmp_path):
    srv = HostServer()
    srv.start()
    imgs = images(tmp_path, "net_peer.img", "tcp_host")
    r = keel_run(imgs, args=["host=host", "hport=%d" % srv.port], options=["-v"],
                 timeout=120)
    srv.join(5)
    assert r.returncode == 0, text(r.stdout) + text(r.stderr)[-3000:]
    assert srv.got == b"hello from a keel guest\n"
    assert "net_peer: host said: the host got hello from a keel guest" in text(r.stdout)


def test_names_of_the_run_and_a_read_only_table(tmp_path, hello):
    """Two guests check the run's names (tests/guests/net_names.c): the
    guests with a NIC and `host` resolve, in any case and with a trailing
    dot, and back; hello (no NIC) and unknown names do not.  Beside them a
    guest that writes into the hosts table faults alone."""
    imgs = (images(tmp_path, "net_names.img", "names", "hosts_write") + [hello] +
            images(tmp_path, "net_names.img", "names"))
    checks = ["is=names=10.0.1.1", "is=HOSTS_WRITE.=10.0.1.2", "is=names-2=10.0.1.4",
              "is=host=10.0.0.2", "is=Host.=10.0.0.2", "is=localhost=127.0.0.1",
              "none=hello", "none=no-such-guest", "none=names-3", "none=host.example",
              "rev=10.0.1.2=hosts_write", "rev=10.0.1.4=names-2", "rev=10.0.0.2=host",
              "norev=10.0.1.3", "norev=10.0.1.5"]
    r = keel_run(imgs, args=checks, options=["-v"], timeout=120)
    out, err = text(r.stdout), text(r.stderr)
    assert r.returncode == 139, out + err[-3000:]            # hosts_write's fault
    assert "names| net_names: names ok (%d checks)" % len(checks) in out, out
    assert "names-2| net_names: names ok (%d checks)" % len(checks) in out, out
    assert "hosts_write| net_names: writing the hosts table" in out, out
    assert "FAIL" not in out, out
    assert re.search(r"^hosts_write\| .*crashed: page fault at 0x[0-9a-f]+\b.*write", err,
                     re.M), err[-3000:]
    assert "hello from hello" in out
    assert re.search(r"dom0\| hosts table: 4 names, 1 pages", err), err[-3000:]


def test_no_host_name_without_an_uplink(tmp_path):
    """--net none: nothing answers at the gateway, so `host` does not
    resolve; the guests' names still do (their switch is dom0's)."""
    imgs = images(tmp_path, "net_names.img", "names") * 2
    r = keel_run(imgs, args=["none=host", "is=names=10.0.1.1", "is=names-2=10.0.1.2"],
                 options=["--net", "none"], timeout=60)
    out = text(r.stdout)
    assert r.returncode == 0, out + text(r.stderr)[-3000:]
    assert "names| net_names: names ok (3 checks)" in out, out
    assert "names-2| net_names: names ok (3 checks)" in out, out


def test_hostile_guests_harm_only_themselves(tmp_path):
    """A guest that scribbles its tx ring (bad grant, size over a page, a
    frame across the page, unknown flags: ERROR each; then a producer index
    jump: cut off), one that floods its tx ring with frames to itself and
    never takes one, and one that spoofs its MAC and address, beside a pair
    that echoes 2 MB: the pair is unharmed, dom0's log says why."""
    imgs = (images(tmp_path, "net_peer.img", "tcp_server", "tcp_client") +
            images(tmp_path, "net_evil.img", "net_scribble", "net_flood", "net_spoof"))
    r = keel_run(imgs, args=["ip=10.0.1.1", "port=7", "bytes=2000000", "secs=4"],
                 options=["-v"], timeout=180)
    out, err = text(r.stdout), text(r.stderr)
    assert r.returncode == 0, out + err[-3000:]
    assert "net_scribble| net_evil: statuses 0 -1 -1 -1 -1" in out
    assert "net_scribble| net_evil: net_scribble ok: cut off" in out
    assert re.search(r"net_flood\| net_evil: net_flood ok: \d+ frames sent", out)
    assert "net_spoof| net_evil: net_spoof ok: both dropped" in out
    assert "tcp_client| net_peer: tcp_client ok" in out
    assert "tcp_server| net_peer: tcp_server ok" in out
    assert re.search(r"dom0\| netback: domain \d+ cut off: tx ring producer index out of range",
                     err), err[-3000:]
    assert re.search(r"dom0\| netback: domain \d+ sends frames from addresses it was not "
                     r"given", err), err[-3000:]
    assert len(re.findall(r"cut off", err)) == 1              # nobody else


def test_a_thousand_network_guests_reach_a_collector(tmp_path):
    """Each of 1000 guests brings its NIC up and sends one UDP datagram
    to a collector guest by its name (the hosts table's 1001 names, shared
    by all): every sender counted."""
    n = 1000
    imgs = images(tmp_path, "net_peer.img", "udp_collect") + \
        images(tmp_path, "net_peer.img", "udp_send") * n
    r = keel_run(imgs, args=["ip=udp_collect", "port=5000", "n=%d" % n, "secs=500"],
                 options=["--mem", "2G"], timeout=600)
    out = text(r.stdout)
    assert r.returncode == 0, out[-3000:] + text(r.stderr)[-3000:]
    assert "udp_collect| net_peer: collected %d of %d" % (n, n) in out
    assert len(re.findall(r"\| net_peer: udp_send ok", out)) == n


def test_hello_gets_no_nic_and_links_none_of_it(hello):
    notes = subprocess.run(["readelf", "-n", hello], capture_output=True, text=True).stdout
    assert "0x4b454c31" in notes and "0x4b454c32" not in notes   # image note only
    syms = subprocess.run(["nm", hello], capture_output=True, text=True).stdout
    assert "netfront" not in syms and "lwip" not in syms
    peer = subprocess.run(["readelf", "-n", guest("net_peer.img")], capture_output=True,
                          text=True).stdout
    assert "0x4b454c32" in peer                                   # the NIC's note
    r = keel_run([hello], options=["-v"])
    assert r.returncode == 0
    assert "netback" not in text(r.stderr)


def test_raw_api_reflector(tmp_path):
    """A middlebox on netfront's raw API (tests/guests/net_raw.c) reflects
    UDP frames; an lwIP guest pings it by address."""
    imgs = [guest("net_raw.img")] + images(tmp_path, "net_peer.img", "udp_ping")
    r = keel_run(imgs, args=["ip=10.0.1.1", "port=4000", "n=5"], options=["-v"], timeout=120)
    out = text(r.stdout)
    assert r.returncode == 0, out + text(r.stderr)[-3000:]
    assert "net_raw| net_raw: reflected 5 frames ok" in out
    assert "udp_ping| net_peer: udp_ping ok" in out


def test_raw_api_reflector_late_copy(tmp_path):
    """A reflector that holds the first datagram back 1.5 s, as a loaded
    machine may (a loaded `make integration` once failed this way): the
    pinger times out after 1 s and resends, then gets both copies.  It
    takes the first and skips the late one while waiting for the next
    ping's, instead of failing on it; the reflector ends 3 s after the
    last frame, resends included."""
    imgs = [guest("net_raw.img")] + images(tmp_path, "net_peer.img", "udp_ping")
    r = keel_run(imgs, args=["ip=10.0.1.1", "port=4000", "n=5", "hold=1500"],
                 options=["-v"], timeout=120)
    out = text(r.stdout)
    assert r.returncode == 0, out + text(r.stderr)[-3000:]
    assert "net_raw| net_raw: reflected 5 frames ok" in out
    m = re.search(r"udp_ping\| net_peer: 5 pings, (\d+) resent, (\d+) late copies skipped", out)
    assert m and int(m.group(1)) >= 1 and int(m.group(2)) >= 1, out
    assert "udp_ping| net_peer: udp_ping ok" in out


def test_a_nic_that_cannot_open_is_said_on_stderr(tmp_path):
    """A network program that left too little memory for netfront's
    buffers runs on loopback only; it says so at once, with the fix,
    instead of its connections to other machines failing much later.  The
    program takes all its heap, then gives back 96 KiB: room for lwIP's
    thread, not for netfront's 32 buffer pages and stack."""
    src = tmp_path / "small_net.c"
    src.write_text(r"""
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
struct chunk { struct chunk *next; char pad[4096 - sizeof(void *)]; };
int main(void)
{
    struct chunk *all = NULL, *c;
    while ((c = malloc(sizeof(*c)))) {
        c->next = all;
        all = c;
    }
    for (int i = 0; i < 24 && all; i++) {      /* the last 24 taken */
        c = all->next;
        free(all);
        all = c;
    }
    int s = socket(AF_INET, SOCK_STREAM, 0);
    printf("small_net: socket %s\n", s >= 0 ? "ok" : "failed");
    return 0;
}
""")
    img = str(tmp_path / "small_net.img")
    mkimage(img, str(src))
    r = keel_run([img], timeout=60)
    both = text(r.stdout) + text(r.stderr)
    assert r.returncode == 0, both
    assert "small_net: socket ok" in both, both
    assert re.search(r"netfront: the network interface did not open \(error 12: "
                     r"out of memory, give the image more with mkimage --mem\); trying again",
                     both), both
