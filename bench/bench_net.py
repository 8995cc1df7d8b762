"""make bench's network rows (docs/net.md, "Benchmarks"): bench/net.c's
guests on the run's network, each cost beside a floor measured in the same
run, with their ratio.  `bench.py --only net` runs these alone."""
import os
import re
import socket
import sys
import threading
import time

import bench as b
import bench_http

NET_IMG = os.path.join(b.BUILD, "net.img")
RUNS = int(os.environ.get("BENCH_NET_RUNS", "3"))
STREAM_BYTES = int(os.environ.get("BENCH_NET_BYTES", str(16 << 20)))
RR_ROUNDS = int(os.environ.get("BENCH_NET_RR", "200"))
IDLE_GUESTS = int(os.environ.get("BENCH_NET_IDLE", "200"))
IDLE_SECS = int(os.environ.get("BENCH_NET_IDLE_SECS", "15"))
NB_BATCH = 128          # sdk/netback/include/netback/netback.h
MIB = 1 << 20


def two_guests(*args, timings=False):
    """net.img twice (net serves, net-2 is the client); stdout and stderr."""
    cmd = [b.KEEL, "run", "--timeout", "120"] + (["--timings"] if timings else [])
    return b.run(cmd + [NET_IMG, NET_IMG, "--", *map(str, args)], "net.img " + args[0])


def counters(stderr):
    """dom0's switch counters (`timing -1 net_...`, dom0/net_switch.c)."""
    return {k: float(v) for k, v in re.findall(r"^timing -1 net_(\w+)=(\d+)$", stderr, re.M)}


class HostPeer:
    """One TCP connection on the host's 127.0.0.1, which a guest reaches as
    10.0.0.2 through QEMU's user network; serve(conn) runs in a thread."""

    def __init__(self, serve):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.sock.settimeout(120)
        self.port = self.sock.getsockname()[1]
        self.serve, self.result, self.error = serve, None, None
        self.thread = threading.Thread(target=self._main, daemon=True)
        self.thread.start()

    def _main(self):
        try:
            conn, _ = self.sock.accept()
            with conn:
                conn.settimeout(60)
                self.result = self.serve(conn)
        except OSError as e:
            self.error = e

    def join(self):
        self.thread.join(timeout=120)
        self.sock.close()
        if self.result is None:
            sys.exit("bench: the host's end got nothing: %s" % self.error)
        return self.result


def host_sink(conn):
    """(bytes, ns) from the first byte to the end."""
    total, first = 0, None
    while True:
        data = conn.recv(1 << 16)
        if not data:
            return total, time.perf_counter_ns() - first
        first = first or time.perf_counter_ns()
        total += len(data)


def exchange(conn, rounds, req):
    """rounds requests of req one-byte writes, each after the previous
    answer (the first 10 warm up); the median in ns."""
    times = []
    for i in range(rounds + 10):
        t0 = time.perf_counter_ns()
        for _ in range(req):
            conn.sendall(b"r")
        got = 0
        while got < req:
            data = conn.recv(req - got)
            if not data:
                raise OSError("the peer closed")
            got += len(data)
        if i >= 10:
            times.append(time.perf_counter_ns() - t0)
    return b.median(times)


def host_requests(req, nodelay, rounds):
    """The host's side of request/response with a guest."""
    def serve(conn):
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, nodelay)
        return exchange(conn, rounds, req)
    return serve


def loopback_rr_us(req, nodelay, rounds):
    """The same exchange between two host sockets (Linux at both ends)."""
    def answer(conn):
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, nodelay)
        while True:
            data = b""
            while len(data) < req:
                more = conn.recv(req - len(data))
                if not more:
                    return 0
                data += more
            conn.sendall(data)
    peer = HostPeer(answer)
    with socket.create_connection(("127.0.0.1", peer.port), timeout=60) as c:
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, nodelay)
        ns = exchange(c, rounds, req)
    peer.join()
    return ns / 1e3


def with_host(serve, *args, timings=False):
    peer = HostPeer(serve)
    cmd = [b.KEEL, "run", "--timeout", "120"] + (["--timings"] if timings else [])
    r = b.run(cmd + [NET_IMG, "--", args[0], str(peer.port), *map(str, args[1:])],
            "net.img " + args[0])
    return peer.join(), r


def per_mib_us(nbytes, ns):
    return ns / nbytes * MIB / 1e3


def throughput_rows():
    g2g, mem, chan, host, cnt_g, cnt_h = [], [], [], [], [], []
    for _ in range(RUNS):
        r = two_guests("stream", STREAM_BYTES, timings=True)
        s = b.fields(r.stdout, "net| stream ")
        m = b.fields(r.stdout, "net-2| memcpy ")
        g2g.append(per_mib_us(s["bytes"], s["ns"]))
        mem.append(per_mib_us(m["bytes"], m["ns"]))
        cnt_g.append(counters(r.stderr))
        chan_img = os.path.join(b.BUILD, "chan.img")
        c = b.fields(b.run([b.KEEL, "run", "--timeout", "120", "--connect", "0:1", chan_img,
                          chan_img, "--", str(STREAM_BYTES)], "chan.img").stdout,
                     "chan-2| chan ")
        chan.append(per_mib_us(c["bytes"], c["ns"]))
        (nbytes, ns), r = with_host(host_sink, "host_stream", STREAM_BYTES, timings=True)
        host.append(per_mib_us(nbytes, ns))
        cnt_h.append(counters(r.stderr))
    floor, chan_us = b.median(mem), b.median(chan)
    for label, xs in (("TCP guest -> guest (per MiB)", g2g), ("TCP guest -> host (per MiB)", host)):
        b.row(label, b.median(xs), "us", "memcpy in a guest", floor, "us")
        b.row(label, b.median(xs), "us", "channel guest->guest", chan_us, "us")
    print("  (%d MiB each, medians of %d runs: guest -> guest %.1f MB/s, guest -> host"
          " %.1f MB/s, channel %.1f MB/s, memcpy %.0f MB/s)"
          % (STREAM_BYTES >> 20, RUNS, MIB / b.median(g2g), MIB / b.median(host),
             MIB / chan_us, MIB / floor))
    batching_rows(cnt_g, cnt_h)


def batching_rows(cnt_g, cnt_h):
    """Frame copies per grant copy hypercall, summed over the stream runs."""
    for label, cs in (("guest -> guest", cnt_g), ("guest -> host", cnt_h)):
        calls = sum(c.get("copy_calls", 0) for c in cs)
        segs = sum(c.get("copy_segs", 0) for c in cs)
        polls = sum(c.get("polls", 0) for c in cs)
        if not calls:
            sys.exit("bench: dom0 reported no grant copy calls (net_* timing keys)")
        b.row("frames per grant copy, %s" % label, segs / calls, "frames",
              "NB_BATCH (ideal)", NB_BATCH, "frames")
        print("  (%.0f copy calls, %.0f frame copies, %.0f polls: %.1f frames a poll)"
              % (calls, segs, polls, sum(c.get("tx_frames", 0) for c in cs) / max(polls, 1)))


def channel_rtt_us():
    """The channel's round trip (tests/guests/chan_pingpong.c)."""
    img = os.path.join(b.REPO, "build", "tests", "guests", "chan_pingpong.img")
    r = b.run([b.KEEL, "run", "--timeout", "120", "--connect", "0:1", img, img, "--",
             str(RR_ROUNDS * 5)], "chan_pingpong.img")
    m = re.search(r"granter: \d+ round trips, (\d+) ns each", r.stdout)
    if not m:
        sys.exit("bench: chan_pingpong printed no round trip:\n" + r.stdout)
    return int(m.group(1)) / 1e3


def guests_rr_us(req, nodelay, rounds=RR_ROUNDS):
    r = two_guests("rr", rounds, req, nodelay)
    return b.fields(r.stdout, "net-2| rr ")["median_ns"] / 1e3


def host_rr_us(req, nodelay, rounds=RR_ROUNDS):
    ns, _ = with_host(host_requests(req, nodelay, rounds), "host_echo", req, nodelay)
    return ns / 1e3


def latency_rows():
    chan = channel_rtt_us()
    g1, h1 = guests_rr_us(1, 1), host_rr_us(1, 1)
    b.row("TCP 1-byte rr, guest<->guest", g1, "us", "channel round trip", chan, "us")
    b.row("TCP 1-byte rr, host<->guest", h1, "us", "channel round trip", chan, "us")
    # A request in two writes without TCP_NODELAY: the second waits for
    # the ACK of the first (Nagle), which the receiver delays
    # (sdk/lwip-port/tcp_delack.c).  Beside the same with TCP_NODELAY.
    # Fewer rounds: a stall costs up to 250 ms each.
    few = max(RR_ROUNDS // 4, 10)
    b.row("rr, 2 writes, Nagle, g<->g", guests_rr_us(2, 0, few), "us",
          "same, TCP_NODELAY", guests_rr_us(2, 1, few), "us")
    host_nagle = host_rr_us(2, 0, few)
    b.row("rr, 2 writes, Nagle, host<->g", host_nagle, "us",
          "same, TCP_NODELAY", host_rr_us(2, 1, few), "us")
    b.row("rr, 2 writes, Nagle, host<->g", host_nagle, "us",
          "same, host loopback", loopback_rr_us(2, 0, few), "us")
    print("  (medians of %d exchanges, %d with 2 writes; host<->guest goes through QEMU's"
          " user network, whose TCP ends the guest's connection and talks to the host's"
          " socket over loopback)" % (RR_ROUNDS, few))


def idle_run(image, n, args, what):
    """n copies of image alive at once; (KiB per live guest from dom0's
    free frames, as bench.py's density(), the run's stdout, timings)."""
    r = b.run([b.KEEL, "run", "--timeout", str(IDLE_SECS + 300), "--timings"] + [image] * n
            + ["--", *args], what, timeout=IDLE_SECS + 360)
    t = b.timings(r.stderr)
    end = re.search(r"^timing -1 first_end_free_frames=(\d+)$", r.stderr, re.M)
    if len(t) != n or not end:
        sys.exit("bench: no timings for %s:\n%s" % (what, r.stderr[-3000:]))
    return (t[0]["free_frames"] - float(end.group(1))) / (n - 1) * 4, r.stdout, t


def memory_rows():
    n = IDLE_GUESTS
    net_kib, out, t = idle_run(NET_IMG, n, ["listen", str(IDLE_SECS)],
                               "%d listening net guests" % n)
    listening = [int(x) for x in
                 re.findall(r"^\S+\| listening at_ns=(\d+) on its NIC$", out, re.M)]
    first_end = re.search(r"^net\| idle_end at_ns=(\d+)$", out, re.M)
    if len(listening) != n or not first_end or max(listening) >= int(first_end.group(1)):
        sys.exit("bench: not all %d net guests listened on their NIC before the first"
                 " ended:\n%s" % (n, out[-2000:]))
    idle = os.path.join(b.BUILD, "idle.img")
    idle_kib, out, ti = idle_run(idle, n, [str(IDLE_SECS), "idle-%d" % n],
                                 "%d idle guests" % n)
    last = re.search(r"^idle-%d\| main_ns=(\d+)$" % n, out, re.M)
    if not last or float(last.group(1)) - ti[0]["create_ns"] >= IDLE_SECS * 1e9:
        sys.exit("bench: the idle guests were not all alive at once")
    b.row("hv memory per listening guest", net_kib, "KiB", "per idle.c guest", idle_kib, "KiB")
    b.row("hv memory per listening guest", net_kib, "KiB", "aim (docs/net.md)", 1024, "KiB")
    print("  (%d guests of each at once; net.img is built with %d KiB of memory,"
          " idle.img with %d KiB; dom0 adds about 0.5 KiB per NIC in its own memory)"
          % (n, t[0]["mem_bytes"] / 1024, ti[0]["mem_bytes"] / 1024))


def net_rows():
    print("Network (bench/net.c, docs/net.md \"Benchmarks\")")
    throughput_rows()
    latency_rows()
    if IDLE_GUESTS > 1:
        memory_rows()
    bench_http.http_rows()
