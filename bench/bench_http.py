"""make bench's HTTP rows (docs/net.md, "Benchmarks"): apps/httpd in a guest
through `keel run -p` beside the same sources built for the host on
loopback, both driven by ab with the same settings."""
import os
import re
import socket
import subprocess
import sys
import time

import bench as b

HTTP_REQS = int(os.environ.get("BENCH_HTTP_REQS", "2000"))
HTTP_CONC = int(os.environ.get("BENCH_HTTP_CONC", "8"))


def keel_has_port_forwarding():
    r = subprocess.run([b.KEEL, "run", "--help"], capture_output=True, text=True, timeout=30)
    return re.search(r"^\s*-p[ ,]", r.stdout + r.stderr, re.M) is not None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers_http(port, proc, within_s=120):
    """Whether a server on 127.0.0.1:port answers a GET before within_s
    (through -p the host's port accepts before the guest listens)."""
    end = time.monotonic() + within_s
    while time.monotonic() < end and proc.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                s.sendall(b"GET / HTTP/1.0\r\n\r\n")
                if s.recv(16).startswith(b"HTTP/1."):
                    return True
        except OSError:
            pass
        time.sleep(0.2)
    return False


def ab(port, keepalive):
    """Requests per second by ab, the same client and settings for both."""
    cmd = ["ab", "-q", "-n", str(HTTP_REQS), "-c", str(HTTP_CONC), "-s", "30"]
    r = b.run(cmd + (["-k"] if keepalive else []) + ["http://127.0.0.1:%d/" % port], "ab",
            timeout=600)
    rps = re.search(r"^Requests per second:\s+([\d.]+)", r.stdout, re.M)
    failed = re.search(r"^Failed requests:\s+(\d+)", r.stdout, re.M)
    if not rps or not failed:
        sys.exit("bench: ab said:\n" + r.stdout[-2000:])
    return float(rps.group(1)), int(failed.group(1))


def httpd_rps(cmd, port):
    """{keepalive: (req/s, failed)} of the server that cmd starts."""
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        if not answers_http(port, p):
            sys.exit("bench: %s never answered on port %d" % (cmd[0], port))
        return {k: ab(port, k) for k in (True, False)}
    finally:
        p.terminate()
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def http_rows():
    if not keel_has_port_forwarding():
        print("HTTP requests/s through keel run -p: skipped: keel run has no -p")
        return
    apps = os.path.join(b.REPO, "build", "apps")
    gport, hport = free_port(), free_port()
    guest = httpd_rps([b.KEEL, "run", "--timeout", "900", "-p", "%d:80" % gport,
                       os.path.join(apps, "httpd.img"), "--", "-q"], gport)
    host = httpd_rps([os.path.join(apps, "httpd.host"), "-a", "127.0.0.1", "-p", str(hport),
                      "-q"], hport)
    for k, label in ((True, "keep-alive"), (False, "a connection each")):
        # a cost: microseconds per request, beside the host's
        b.row("httpd via -p, %s" % label, 1e6 / guest[k][0], "us/req",
              "httpd.host, loopback", 1e6 / host[k][0], "us/req")
        print("  (ab -n %d -c %d%s: %.0f req/s vs %.0f req/s; failed %d and %d)"
              % (HTTP_REQS, HTTP_CONC, " -k" if k else "", guest[k][0], host[k][0],
                 guest[k][1], host[k][1]))
