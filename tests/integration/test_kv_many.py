"""apps/kv serving many clients at once (apps/kv/main.c's poll loop):
20 clients mix PUTs and GETs of small and large values on a few shared
keys while one more client trickles a PUT's body a few bytes at a time
and holds its connection open until the others are done.  Every answer is
checked: a GET returns a whole value some PUT of that key sent (never a
torn one, never one already replaced before the GET began), and each key
ends on a value no acknowledged PUT came after.  A server that serves one
client at a time never gets past the trickler, so the others time out."""
import hashlib
import http.client
import random
import socket
import threading
import time

from conftest import text
from test_kv import Kv, assert_clean, make_disk

CLIENTS = 20
OPS = 6
KEYS = ("k0", "k1", "k2", "shared")
TRICKLE_BYTES = 4000


def make_value(key, client, seq, rng):
    size = rng.choice((0, 10, 300, 5000, 70000, 200000))
    tag = f"{key}:{client}:{seq}:".encode()
    body = hashlib.sha256(tag).digest() * (size // 32 + 1)
    return tag + body[:size]


class History:
    def __init__(self):
        self.lock = threading.Lock()
        self.puts = {k: [] for k in KEYS}     # key -> [(value, start, ack)]
        self.gets = []                        # (key, value or None, start, end)
        self.errors = []

    def put(self, key, value, start, ack):
        with self.lock:
            self.puts[key].append((value, start, ack))

    def get(self, key, value, start, end):
        with self.lock:
            self.gets.append((key, value, start, end))


def client(kv, n, history, seed):
    rng = random.Random(seed)
    c = http.client.HTTPConnection("127.0.0.1", kv.port, timeout=120)
    try:
        for seq in range(OPS):
            key = rng.choice(KEYS)
            start = time.monotonic()
            if rng.random() < 0.5:
                value = make_value(key, n, seq, rng)
                c.request("PUT", "/" + key, body=value)
                r = c.getresponse()
                r.read()
                assert r.status in (201, 204), (n, seq, r.status)
                history.put(key, value, start, time.monotonic())
            else:
                c.request("GET", "/" + key)
                r = c.getresponse()
                body = r.read()
                assert r.status in (200, 404), (n, seq, r.status)
                history.get(key, body if r.status == 200 else None, start, time.monotonic())
    except Exception as e:      # checked by the test: a thread's assert is lost
        history.errors.append((n, repr(e)))
    finally:
        c.close()


def trickle(kv, done, result):
    """A PUT whose body comes a few bytes at a time until done is set."""
    body = b"t" * TRICKLE_BYTES
    with socket.create_connection(("127.0.0.1", kv.port), timeout=300) as s:
        s.sendall(b"PUT /slow HTTP/1.1\r\nHost: kv\r\nContent-Length: %d\r\n\r\n" % len(body))
        sent = 0
        while not done.wait(0.5) and sent < len(body) - 100:
            s.sendall(body[sent:sent + 10])
            sent += 10
        s.sendall(body[sent:])
        result.append(s.recv(4096))


def check_get(history, key, value, start, end):
    if value is None:       # 404: no PUT of key acknowledged before the GET
        assert not any(ack < start for _, _, ack in history.puts[key]), key
        return
    writers = [(s, a) for v, s, a in history.puts[key] if v == value]
    assert writers, "GET %s: a value no PUT sent (%d bytes)" % (key, len(value))
    s, a = writers[0]
    assert s < end, key
    # a PUT that began after this one was acknowledged and was itself
    # acknowledged before the GET began had replaced it for good
    assert not any(s2 > a and a2 < start for _, s2, a2 in history.puts[key]), key


def check_last(kv, history, key):
    status, value = kv.request("GET", key)
    puts = history.puts[key]
    if not puts:
        assert status == 404, key
        return
    assert status == 200, key
    match = [(s, a) for v, s, a in puts if v == value]
    assert match, "%s ends on a value no PUT sent" % key
    _, ack = match[0]
    assert not any(s > ack for _, s, _ in puts), "%s: a later PUT lost" % key


def test_twenty_clients_at_once_and_a_slow_one(tmp_path):
    disk = make_disk(tmp_path)
    history = History()
    kv = Kv(disk)
    try:
        done, slow = threading.Event(), []
        t = threading.Thread(target=trickle, args=(kv, done, slow), daemon=True)
        t.start()
        time.sleep(1)                          # its head is in first
        threads = [threading.Thread(target=client, args=(kv, n, history, 1000 + n),
                                    daemon=True) for n in range(CLIENTS)]
        for th in threads:
            th.start()
        deadline = time.monotonic() + 240
        for th in threads:
            th.join(max(1, deadline - time.monotonic()))
        stuck = sum(th.is_alive() for th in threads)
        done.set()
        t.join(60)
        assert not stuck, "%d clients never finished: %s" % (stuck, kv.log[-5:])
        assert not history.errors, history.errors
        assert slow and b" 201 " in slow[0], slow
        assert kv.request("GET", "slow") == (200, b"t" * TRICKLE_BYTES)
        for g in history.gets:
            check_get(history, *g)
        for key in KEYS:
            check_last(kv, history, key)
        assert sum(len(p) for p in history.puts.values()) > 10
        assert sum(g[1] is not None for g in history.gets) > 10
        kv.stop()
    finally:
        kv.kill()
    assert_clean(disk)
