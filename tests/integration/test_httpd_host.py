"""apps/httpd built for the host (build/apps/httpd.host), on loopback.

The same sources make the Keel image; these tests pin the HTTP behaviour
(curl for what a client sees, raw sockets for what curl would not send,
ab for 200 clients at once) so the image can be held to it once guests
have sockets.  One server serves the module, with a 1 s timeout so idle
and trickling connections end quickly; its access log is collected as it
is written.
"""
import hashlib
import os
import re
import shutil
import socket
import subprocess
import threading
import time

import pytest

from conftest import REPO, loopback_url

HTTPD = os.path.join(REPO, "build", "apps", "httpd.host")
WWW = os.path.join(REPO, "apps", "httpd", "www")
TIMEOUT_S = 1.0
PATTERN_LEN = 8191      # respond.c: /big repeats this period


def tool(name):
    path = shutil.which(name)
    assert path, "%s missing: run scripts/install-deps.sh" % name
    return path


class Server:
    def __init__(self, *args):
        assert os.path.isfile(HTTPD), "%s not built (make integration)" % HTTPD
        self.proc = subprocess.Popen([HTTPD, "-a", "127.0.0.1", "-p", "0", *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     stdin=subprocess.DEVNULL, text=True)
        first = self.proc.stdout.readline()
        m = re.search(r"listening on 127\.0\.0\.1:(\d+)", first)
        assert m, first + self.proc.stderr.read()
        self.port = int(m.group(1))
        self.url = loopback_url(self.port)
        self.log = []
        # drain stdout all along: a full pipe would stall the server
        self.reader = threading.Thread(target=self._read_log, daemon=True)
        self.reader.start()

    def _read_log(self):
        for line in self.proc.stdout:
            self.log.append(line.rstrip("\n"))

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)
        self.reader.join(timeout=5)

    def connect(self):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        s.settimeout(10)
        return s


@pytest.fixture(scope="module")
def server():
    s = Server("-t", str(TIMEOUT_S))
    yield s
    s.stop()
    assert s.proc.returncode is not None


def curl(*args, timeout=30):
    r = subprocess.run([tool("curl"), "-sS", *args], capture_output=True,
                       timeout=timeout, stdin=subprocess.DEVNULL)
    assert r.returncode == 0, r.stderr
    return r.stdout


def head_and_body(raw):
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    fields = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        fields[name.strip().lower()] = value.strip()
    return status, fields, body


def read_response(sock, buf=b""):
    """One response (Content-Length framed) from sock: (status, fields, body, rest)."""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        assert chunk, buf
        buf += chunk
    head, _, rest = buf.partition(b"\r\n\r\n")
    status, fields, _ = head_and_body(head + b"\r\n\r\n")
    length = int(fields["content-length"])
    while len(rest) < length:
        chunk = sock.recv(65536)
        assert chunk
        rest += chunk
    return status, fields, rest[:length], rest[length:]


def recv_all(sock):
    data = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk


def big_body(n):
    pattern = bytes(10 if j % 64 == 63 else 33 + (j * 7 + j // 64) % 94
                    for j in range(PATTERN_LEN))
    return (pattern * (n // PATTERN_LEN + 1))[:n]


def test_index_status_and_headers(server):
    status, fields, body = head_and_body(curl("-i", server.url + "/"))
    with open(os.path.join(WWW, "index.html"), "rb") as f:
        index = f.read()
    assert status == 200
    assert body == index
    assert fields["content-length"] == str(len(index))
    assert fields["content-type"] == "text/html; charset=utf-8"
    assert fields["server"] == "keel-httpd"
    assert re.fullmatch(r"\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT", fields["date"])
    assert "connection" not in fields      # HTTP/1.1 keeps it by default


def test_css_png_and_subdirectory_index(server):
    for path, ctype, name in [("/style.css", "text/css; charset=utf-8", "style.css"),
                              ("/keel.png", "image/png", "keel.png"),
                              ("/about/", "text/html; charset=utf-8", "about/index.html")]:
        status, fields, body = head_and_body(curl("-i", server.url + path))
        with open(os.path.join(WWW, name), "rb") as f:
            assert (status, fields["content-type"], body) == (200, ctype, f.read()), path


def test_errors_404_405_400(server):
    status, fields, _ = head_and_body(curl("-i", server.url + "/missing.html"))
    assert status == 404
    status, fields, _ = head_and_body(curl("-i", "-X", "DELETE", server.url + "/"))
    assert status == 405 and fields["allow"] == "GET, HEAD"
    status, _, _ = head_and_body(curl("-i", "--path-as-is", server.url + "/../etc/passwd"))
    assert status == 400
    status, _, _ = head_and_body(curl("-i", server.url + "/big?bytes=lots"))
    assert status == 400


def test_garbage_gets_400_and_close(server):
    with server.connect() as s:
        s.sendall(b"\x16\x03\x01\x00\xa5\x01\x00\x00")      # a TLS hello
        status, fields, _, _ = read_response(s)
        assert status == 400 and fields["connection"] == "close"
        assert recv_all(s) == b""
    with server.connect() as s:
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n" + b"X-Long: " + b"a" * 9000 + b"\r\n\r\n")
        assert read_response(s)[0] == 431


def test_head_has_length_and_no_body(server):
    raw = curl("-I", server.url + "/style.css")
    status, fields, body = head_and_body(raw)
    assert status == 200 and body == b""
    assert fields["content-length"] == str(os.path.getsize(os.path.join(WWW, "style.css")))
    with server.connect() as s:
        s.sendall(b"HEAD /big?bytes=1000 HTTP/1.0\r\n\r\n")
        data = recv_all(s)
        assert data.endswith(b"\r\n\r\n") and b"Content-Length: 1000\r\n" in data


def test_keep_alive_reuses_one_connection(server):
    urls = [server.url + p for p in ("/", "/style.css", "/keel.png", "/missing")]
    out = curl("-o", "/dev/null", "-o", "/dev/null", "-o", "/dev/null", "-o", "/dev/null",
               "-w", "%{http_code} %{num_connects}\\n", *urls)
    assert out.decode().split("\n")[:4] == ["200 1", "200 0", "200 0", "404 0"]


def test_http10_keep_alive_and_close(server):
    with server.connect() as s:
        for _ in range(3):
            s.sendall(b"GET /robots.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            status, fields, body, rest = read_response(s)
            assert status == 200 and fields["connection"] == "keep-alive" and not rest
        s.sendall(b"GET /robots.txt HTTP/1.0\r\n\r\n")
        data = recv_all(s)
        assert b"Connection: close\r\n" in data and data.endswith(b"Allow: /\n")


def test_pipelined_requests_answered_in_order(server):
    paths = ["/robots.txt", "/missing", "/big?bytes=5000", "/style.css"] * 5
    reqs = b"".join(b"GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % p.encode() for p in paths)
    with server.connect() as s:
        s.sendall(reqs + b"GET /robots.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        buf = b""
        for p in paths + ["/robots.txt"]:
            status, fields, body, buf = read_response(s, buf)
            want = {"/missing": 404}.get(p, 200)
            assert status == want, p
            if p.startswith("/big"):
                assert body == big_body(5000)
        assert buf == b"" and recv_all(s) == b""


def test_close_with_unread_input_still_delivers(server):
    """Input the server never reads must not reset its last answer away:
    it shuts its side down and drains before it closes (lingering)."""
    with server.connect() as s:
        s.sendall(b"GET /robots.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                  + b"GET /after-close HTTP/1.1\r\nHost: x\r\n\r\n" * 2000)
        time.sleep(0.3)             # the answer and the server's close arrive first
        status, _, body, rest = read_response(s)
        assert status == 200 and body == b"User-agent: *\nAllow: /\n"
        assert rest + recv_all(s) == b""


def test_big_body_digest(server):
    n = 10 * 1024 * 1024
    body = curl(server.url + "/big?bytes=%d" % n)
    assert len(body) == n
    assert hashlib.sha256(body).hexdigest() == hashlib.sha256(big_body(n)).hexdigest()
    status, _, _ = head_and_body(curl("-i", server.url + "/big?bytes=%d" % (2 ** 30 + 1)))
    assert status == 400


def test_idle_connection_times_out(server):
    with server.connect() as s:
        s.sendall(b"GET /robots.txt HTTP/1.1\r\nHost: x\r\n\r\n")
        read_response(s)
        start = time.monotonic()
        assert recv_all(s) == b""          # closed by the server
        assert TIMEOUT_S * 0.8 < time.monotonic() - start < TIMEOUT_S + 3


def test_unfinished_head_gets_408(server):
    with server.connect() as s:
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        status, fields, _, _ = read_response(s)
        assert status == 408 and fields["connection"] == "close"


def test_slow_client_does_not_block_others(server):
    request = b"GET /robots.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    result = {}

    def trickle():
        with server.connect() as s:
            for b in request:
                s.send(bytes([b]))
                time.sleep(0.01)
            result["slow"] = head_and_body(recv_all(s))[0]

    t = threading.Thread(target=trickle)
    t.start()
    time.sleep(0.1)
    times = []
    while t.is_alive() and len(times) < 20:
        start = time.monotonic()
        assert head_and_body(curl("-i", server.url + "/style.css"))[0] == 200
        times.append(time.monotonic() - start)
    t.join(timeout=10)
    assert result.get("slow") == 200
    assert len(times) >= 3 and max(times) < 0.5, times


def wait_for_log(server, pattern, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        hits = [m for m in map(re.compile(pattern).search, list(server.log)) if m]
        if hits:
            return hits[-1]
        time.sleep(0.05)
    pytest.fail("no log line %r in %r" % (pattern, server.log[-5:]))


def test_client_that_does_not_read_does_not_block_others(server):
    with server.connect() as stalled:
        stalled.sendall(b"GET /big?bytes=1073741823 HTTP/1.1\r\nHost: x\r\n\r\n")
        time.sleep(0.2)             # the server fills the socket, then must move on
        for _ in range(5):
            start = time.monotonic()
            assert head_and_body(curl("-i", server.url + "/"))[0] == 200
            assert time.monotonic() - start < 0.5
        # no progress for the timeout: the server gives up and logs what it sent
        m = wait_for_log(server, r'"GET /big\?bytes=1073741823 HTTP/1.1" 200 (\d+)$',
                         TIMEOUT_S + 3)
        assert 0 < int(m.group(1)) < 1073741823


def test_slow_reader_that_progresses_is_not_cut_off(server):
    """The send deadline counts from the last progress, not the request:
    about 20 MB/s for 32 MB outlasts the timeout and the sockets' buffers."""
    n = 32 << 20
    with server.connect() as s:
        s.sendall(b"GET /big?bytes=%d HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % n)
        data, start = bytearray(), time.monotonic()
        while True:
            chunk = s.recv(1 << 20)
            if not chunk:
                break
            data += chunk
            time.sleep(0.05)
        assert time.monotonic() - start > TIMEOUT_S * 1.2
        status, _, body = head_and_body(bytes(data))
        assert status == 200 and len(body) == n and body == big_body(n)


@pytest.mark.parametrize("keepalive", [False, True])
def test_200_concurrent_clients(server, keepalive):
    args = [tool("ab"), "-q", "-c", "200", "-n", "4000", *(["-k"] if keepalive else []),
            server.url + "/index.html"]
    r = subprocess.run(args, capture_output=True, text=True, timeout=60,
                       stdin=subprocess.DEVNULL)
    assert r.returncode == 0, r.stdout + r.stderr
    assert re.search(r"Complete requests:\s+4000\b", r.stdout), r.stdout
    assert re.search(r"Failed requests:\s+0\b", r.stdout), r.stdout
    assert "Non-2xx" not in r.stdout, r.stdout


def test_over_the_cap_gets_a_readable_503():
    s = Server("-c", "2", "-t", "5")
    try:
        held = [s.connect(), s.connect()]
        time.sleep(0.2)
        with s.connect() as third:
            third.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            status, fields, _, _ = read_response(third)
            assert status == 503 and fields["connection"] == "close"
        for h in held:              # the two admitted ones still work
            h.sendall(b"GET /robots.txt HTTP/1.1\r\nHost: x\r\n\r\n")
            assert read_response(h)[0] == 200
            h.close()
    finally:
        s.stop()


def test_access_log_lines(server):
    curl("-o", "/dev/null", server.url + "/style.css?v=1")
    m = wait_for_log(server, r'^127\.0\.0\.1 - - \[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d \+0000\] '
                             r'"GET /style\.css\?v=1 HTTP/1\.1" 200 (\d+)$', 5)
    assert int(m.group(1)) == os.path.getsize(os.path.join(WWW, "style.css"))
    assert any(line.endswith('"-" 400 72') for line in server.log)     # the TLS hello
