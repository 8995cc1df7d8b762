"""apps/kv as a Keel guest: a key-value store on its disk (sdk/fs), reached
from the host through `keel run -p`.  Each machine is one
`keel run -p PORT:80 --disk DISK kv.img -- -e` (-e: "quit" on stdin stops
it cleanly); the disk is made with bin/mkdisk and checked with e2fsck.
What kv acknowledged (201/204) must be there in the next run, also when
QEMU is killed right after the answer."""
import hashlib
import http.client
import os
import signal
import socket
import subprocess
import threading
import time

import pytest

from conftest import KEEL, REPO, text
from test_fs import fsck, qemu_of
from test_httpd import free_port

KV_IMG = os.path.join(REPO, "build", "apps", "kv.img")
MKDISK = os.path.join(REPO, "bin", "mkdisk")
RUN_S = 240              # one machine's --timeout
KILL_LOOPS = int(os.environ.get("KEEL_KV_KILL_LOOPS", "5"))


def make_disk(tmp_path, size="32M"):
    empty = tmp_path / "empty"
    empty.mkdir(exist_ok=True)
    img = tmp_path / "kv.img"
    r = subprocess.run([MKDISK, str(empty), size, str(img)], capture_output=True, timeout=60)
    assert r.returncode == 0, text(r.stderr)
    return img


class Kv:
    """One run of kv.img on disk, its stdout collected."""

    def __init__(self, disk):
        assert os.path.isfile(KV_IMG), "%s not built (make all)" % KV_IMG
        self.port = free_port()
        self.proc = subprocess.Popen(
            [KEEL, "run", "--timeout", str(RUN_S), "-p", "%d:80" % self.port,
             "--disk", str(disk), KV_IMG, "--", "-e"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.PIPE)
        self.log = []
        threading.Thread(target=self._read, daemon=True).start()
        self.wait_for("kv: listening on", 60)

    def _read(self):
        for line in self.proc.stdout:   # drained all along: a full pipe stalls keel
            self.log.append(text(line).rstrip("\n"))

    def wait_for(self, what, seconds):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if any(what in line for line in self.log):
                return
            assert self.proc.poll() is None, "\n".join(self.log[-10:])
            time.sleep(0.05)
        pytest.fail("no %r in %r" % (what, self.log[-5:]))

    def request(self, method, key, body=None, headers=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            c.request(method, "/" + key, body=body, headers=headers or {})
            r = c.getresponse()
            return r.status, r.read()
        finally:
            c.close()

    def raw(self, data):
        """Sends data as it is; the status line's code."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=60) as s:
            s.sendall(data)
            answer = s.recv(4096)
        return int(answer.split(b" ")[1])

    def stop(self):
        """"quit": kv exits, which unmounts the disk (clean for e2fsck)."""
        self.proc.stdin.write(b"quit\n")
        self.proc.stdin.flush()
        try:
            self.proc.wait(timeout=60)
        finally:
            self.kill()
        assert any("kv: stopped" in line for line in self.log), self.log[-5:]

    def kill(self):
        """SIGKILL to QEMU: no unmount, no flush of anything unacknowledged."""
        if self.proc.poll() is None:
            for q in qemu_of(self.proc.pid):
                os.kill(q, signal.SIGKILL)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


def assert_clean(img):
    r = fsck(img)
    assert r.returncode == 0, text(r.stdout) + text(r.stderr)


def digest(b):
    return hashlib.sha256(b).hexdigest()


def test_put_get_delete_errors_and_a_restart(tmp_path):
    disk = make_disk(tmp_path)
    big = os.urandom(4 << 20)
    kv = Kv(disk)
    try:
        assert kv.request("PUT", "greeting", b"hello")[0] == 201
        assert kv.request("PUT", "greeting", b"hello again") == (204, b"")
        assert kv.request("GET", "greeting") == (200, b"hello again")
        assert kv.request("PUT", "gone", b"x")[0] == 201
        assert kv.request("DELETE", "gone") == (204, b"")
        assert kv.request("DELETE", "gone")[0] == 404
        assert kv.request("GET", "gone")[0] == 404
        assert kv.request("PUT", "empty", b"")[0] == 201
        assert kv.request("GET", "empty") == (200, b"")
        for bad in ("a/b", ".put", "a%2Fb", "", "k" * 129, "a?b=1"):
            assert kv.request("GET", bad)[0] == 400, bad
        assert kv.request("POST", "greeting", b"x")[0] == 405
        assert kv.raw(b"PUT /huge HTTP/1.1\r\nHost: kv\r\nContent-Length: %d\r\n\r\n"
                      % ((8 << 20) + 1)) == 413
        assert kv.raw(b"PUT /c HTTP/1.1\r\nHost: kv\r\n"
                      b"Transfer-Encoding: chunked\r\n\r\n") == 411
        assert kv.request("PUT", "big", big)[0] == 201
        status, value = kv.request("GET", "big")
        assert status == 200 and digest(value) == digest(big)
        kv.stop()
    finally:
        kv.kill()
    assert_clean(disk)
    kv = Kv(disk)                    # what was acknowledged is still there
    try:
        assert kv.request("GET", "greeting") == (200, b"hello again")
        status, value = kv.request("GET", "big")
        assert status == 200 and digest(value) == digest(big)
        assert kv.request("GET", "gone")[0] == 404
        kv.stop()
    finally:
        kv.kill()
    assert_clean(disk)


def value_of(seed):
    return hashlib.sha256(b"%d" % seed).digest() * (2048 + 97 * seed)


def test_an_acknowledged_put_survives_sigkill_of_qemu(tmp_path):
    """Each run checks the value the run before was killed right after
    (same key, replaced each time), then PUTs the next one and QEMU is
    killed as soon as the 204 is in."""
    disk = make_disk(tmp_path)
    for seed in range(KILL_LOOPS):
        kv = Kv(disk)
        try:
            if seed:
                status, value = kv.request("GET", "k")
                assert status == 200 and value == value_of(seed - 1), seed
            status, _ = kv.request("PUT", "k", value_of(seed))
            assert status == (204 if seed else 201), seed
        finally:
            kv.kill()
    kv = Kv(disk)
    try:
        status, value = kv.request("GET", "k")
        assert status == 200 and value == value_of(KILL_LOOPS - 1)
        kv.stop()
    finally:
        kv.kill()
    r = fsck(disk, "-fp")            # a kill may leave counters e2fsck -p fixes
    assert r.returncode in (0, 1), text(r.stdout) + text(r.stderr)
