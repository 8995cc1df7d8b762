"""dom0's uplink: the machine's NIC (sdk/drivers/virtio, virtio-net) on
QEMU's user-mode network, on a tap interface, or none (keel run --net).

Once the guests are built and dom0 first waits, it takes the NIC, asks for
the gateway of keel/launch.h's plan (10.0.0.2) with an ARP probe and logs
the answer; the guests run as they would without it.  (A run whose guests
end before dom0 ever waits never touches the NIC: sleep.img lasts 1.5 s.)"""
import os
import re
import socket
import struct
import subprocess
import threading

import pytest

from conftest import guest, keel_run, text

UPLINK = re.compile(r"dom0\| net: uplink ([0-9a-f:]{17}) mtu (\d+) (up|down); "
                    r"gateway 10\.0\.0\.2 (?:is at ([0-9a-f:]{17})|did not answer)"
                    r"[^;]*; (\d+) frames in, (\d+) out\)")
QEMU_NIC_MAC = "52:54:00:12:34:56"


def uplink(r):
    m = UPLINK.search(text(r.stderr))
    assert m, text(r.stderr)
    return m


def test_uplink_on_user_mode_network():
    r = keel_run([guest("sleep.img")], options=["-v"])
    assert r.returncode == 0, text(r.stderr)
    m = uplink(r)
    assert m.group(1, 2, 3) == (QEMU_NIC_MAC, "1500", "up")
    assert m.group(4) == "52:55:0a:00:00:02"        # QEMU's host at 10.0.0.2
    assert re.search(r"net: NIC 00:03\.0 taken in \d+ us, up in \d+ us: "
                     r"features 0x[0-9a-f]+, interrupts", text(r.stderr))
    assert "sleep_left=0 nanosleep_rc=0" in text(r.stdout)   # the guest, as ever


def test_no_uplink_without_a_nic():
    r = keel_run([guest("sleep.img")], options=["-v", "--net", "none"])
    assert r.returncode == 0, text(r.stderr)
    assert "net: no uplink: the machine has no virtio-net function" in text(r.stderr)
    assert "sleep_left=0 nanosleep_rc=0" in text(r.stdout)


GW_MAC = bytes.fromhex("027700000002")
FLOOD = 600      # more than the NIC's 256 receive buffers, less than the tap's queue


def mac_text(b):
    return ":".join("%02x" % x for x in b)


class Gateway(threading.Thread):
    """The far end of a tap: answers ARP for 10.0.0.2, after flooding the
    uplink with FLOOD frames nobody asked for."""

    def __init__(self, ifname):
        super().__init__(daemon=True)
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
        self.sock.bind((ifname, 0))
        self.sock.settimeout(0.2)
        self.requests, self.stop, self.flooded = [], False, 0

    def answer(self, req):
        who = req[6:12]
        arp = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 2, GW_MAC,
                          socket.inet_aton("10.0.0.2"), req[22:28], req[28:32])
        self.sock.send(who + GW_MAC + b"\x08\x06" + arp)

    def flood(self, to):
        for i in range(FLOOD):
            size = 60 + (i * 37) % (1514 - 60)
            self.sock.send(to + GW_MAC + b"\x88\xb5" + bytes([i & 255]) * (size - 14))
            self.flooded += 1

    def run(self):
        while not self.stop:
            try:
                f = self.sock.recv(2048)
            except socket.timeout:
                continue
            if f[12:14] == b"\x08\x06" and f[20:22] == b"\x00\x01" and \
                    f[38:42] == socket.inet_aton("10.0.0.2"):
                self.requests.append(f)
                if len(self.requests) == 1:
                    self.flood(f[6:12])
                self.answer(f)


@pytest.fixture
def tap():
    name = "kvt%d" % (os.getpid() % 100000)
    r = subprocess.run(["ip", "tuntap", "add", "dev", name, "mode", "tap"],
                       capture_output=True)
    if r.returncode:
        pytest.skip("cannot create a tap interface here: %s" % text(r.stderr).strip())
    try:
        subprocess.run(["ip", "link", "set", name, "up"], check=True)
        yield name
    finally:
        subprocess.run(["ip", "link", "del", name], capture_output=True)


def test_uplink_on_tap_survives_a_flood(tap):
    gw = Gateway(tap)
    gw.start()
    try:
        r = keel_run([guest("sleep.img")], options=["-v", "--net", "tap:" + tap])
    finally:
        gw.stop = True
        gw.join()
    assert r.returncode == 0, text(r.stderr)
    m = uplink(r)
    assert m.group(1, 2, 3) == (QEMU_NIC_MAC, "1500", "up")
    assert m.group(4) == mac_text(GW_MAC), text(r.stderr)
    # the answer came behind the flood: the receive queue was refilled
    # while the frames came (256 buffers would have held fewer)
    assert gw.flooded == FLOOD and int(m.group(5)) > 300, m.group(0)
    req = gw.requests[0]                 # an RFC 5227 probe, seen from outside
    assert len(req) == 60 and req[:6] == b"\xff" * 6
    assert mac_text(req[6:12]) == QEMU_NIC_MAC and req[22:28] == req[6:12]
    assert req[28:32] == b"\0\0\0\0"
    assert "sleep_left=0 nanosleep_rc=0" in text(r.stdout)
