"""Shared helpers of the integration tests.

Every QEMU run goes through `bin/keel run --timeout N`, and the subprocess
itself is bounded a little beyond N, so no test can hang the suite.
"""
import os
import subprocess

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
