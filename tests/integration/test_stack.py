"""A guest's stack backed on first touch (KEEL_DOMCTL_SET_STACK,
docs/memory.md "What one guest costs").

stack.c (tests/guests) is built with default options: a 256 KiB stack of
which dom0 backs the top 8 KiB; the hypervisor backs each other page when
the guest first touches it.  Before, the whole stack had frames from the
start: an idle default-built guest cost about 430 KiB of the machine, and
an overflow was reported only as a page fault."""
import re

from conftest import guest, keel_run, text

TIMING0 = re.compile(r"^\S+\| timing 0 .*\bfree_frames=(\d+)", re.M)
FIRST_END = re.compile(r"^timing -1 first_end_free_frames=(\d+)$", re.M)


def test_default_stack_grows_as_it_is_used():
    """230 KiB of recursion in the default 256 KiB stack, every frame's
    bytes intact."""
    r = keel_run([guest("stack.img")], args=["deep", "230"], timeout=100)
    assert r.returncode == 0, text(r.stdout) + text(r.stderr)[-2000:]
    assert "deep 230 KiB: ok" in text(r.stdout)


def test_overflow_dies_alone_and_says_so():
    """Recursion without end hits the guard page below the stack: that
    guest alone dies (139, a segfault), dom0 says it was a stack overflow;
    hello, in the same run, runs to its end."""
    r = keel_run([guest("stack.img"), guest("hello.img")], args=["overflow"], timeout=100)
    out, err = text(r.stdout), text(r.stderr)
    assert r.returncode == 139, out + err[-2000:]
    assert re.search(r"^stack\| stack: crashed: page fault at 0x[0-9a-f]+ \(write, not present\)",
                     err, re.M), err[-2000:]
    assert ("stack| stack: stack overflow: it used all of its 256 KiB stack"
            " (mkimage --stack SIZE gives it more)") in err
    assert "hello| hello from hello" in out
    assert "hello: crashed" not in err


def test_idle_default_guest_costs_little():
    """100 idle default-built guests alive at once: the machine's frames
    each one takes (its memory, page tables, the hypervisor's structures,
    dom0's maps of its console) stay under 128 KiB; `make density` measures
    the same for 10,000 with dom0's heap and the shared text added."""
    n = 100
    r = keel_run([guest("stack.img")] * n, args=["hold", "4000"],
                 options=["--timings"], timeout=150)
    err = text(r.stderr)
    assert r.returncode == 0, text(r.stdout) + err[-2000:]
    f0, end = TIMING0.search(err), FIRST_END.search(err)
    assert f0 and end, err[-2000:]
    kib = (int(f0.group(1)) - int(end.group(1))) * 4 / (n - 1)
    assert kib <= 128, "%.1f KiB per idle guest" % kib
