"""Shared helpers of the integration tests.

Every QEMU run goes through `bin/keel run --timeout N`, and the subprocess
itself is bounded a little beyond N, so no test can hang the suite.
"""
import os
import select
import subprocess
import time
import urllib.parse

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KEEL = os.path.join(REPO, "bin", "keel")
GUESTS = os.path.join(REPO, "build", "tests", "guests")
TIMEOUT = int(os.environ.get("KEEL_TEST_TIMEOUT", "60"))


def keel_run(images, args=(), timeout=TIMEOUT, options=(), env=None):
    """Runs `bin/keel run --timeout T [options] images -- args`."""
    cmd = [KEEL, "run", "--timeout", str(timeout), *options, *images]
    if args:
        cmd += ["--", *args]
    return subprocess.run(cmd, capture_output=True, timeout=timeout + 30,
                          env=env, stdin=subprocess.DEVNULL)


def loopback_url(port, path=""):
    """The URL of a server this test started on the host's loopback (a
    forwarded guest port, or the host build of a program)."""
    return urllib.parse.urlunsplit(("http", "127.0.0.1:%d" % port, path, "", ""))


def mkimage(out, *files):
    """bin/mkimage -O2 -g FILES -o OUT; fails on a build error."""
    r = subprocess.run([os.path.join(REPO, "bin", "mkimage"), "-O2", "-g", *files,
                        "-o", str(out)],
                       capture_output=True, timeout=120, stdin=subprocess.DEVNULL)
    assert r.returncode == 0, text(r.stderr)
    return out


def text(b):
    return b.decode("utf-8", "replace")


def guest(name):
    """Path of a built test guest image; fails (never skips) if missing."""
    path = os.path.join(GUESTS, name)
    assert os.path.isfile(path), "%s not built (make test-guests)" % path
    return path


@pytest.fixture
def hello():
    return guest("hello.img")


class Session:
    """`keel run IMAGE` with pipes, its stdout read with deadlines: for
    tests that type into a guest while it runs."""

    def __init__(self, image=None, env_extra=None, timeout=TIMEOUT):
        env = dict(os.environ)
        env.update(env_extra or {})
        self.timeout = timeout
        self.p = subprocess.Popen([KEEL, "run", "--timeout", str(timeout),
                                   image or guest("cat.img")],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, env=env)
        self.buf = b""

    def write(self, data):
        self.p.stdin.write(data)
        self.p.stdin.flush()

    def read_until(self, want, timeout):
        end = time.monotonic() + timeout
        fd = self.p.stdout.fileno()
        while want not in self.buf:
            left = end - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return False
            chunk = os.read(fd, 65536)
            if not chunk:
                return False
            self.buf += chunk
        return True

    def finish(self):
        """Close stdin (EOF), read stdout to its end; the exit status."""
        self.p.stdin.close()
        self.read_until(b"\0never\0", self.timeout + 30)   # returns at EOF
        self.p.wait(timeout=30)
        return self.p.returncode

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()
        self.p.wait(timeout=30)

    def stderr(self):
        return text(self.p.stderr.read())
