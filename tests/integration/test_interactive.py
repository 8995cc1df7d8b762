"""Interactive console input (docs/console.md, "stdin"): a line typed into
`keel run` reaches the guest and its echo comes back before the next line
is written, on both host I/O paths.  Each line can only come back if the
hypervisor's input interrupt (and, with ivshmem, the launcher's doorbell)
woke dom0: nothing else is in flight.  Closing stdin then ends the guest
through the EOF record.  Without the interrupt (boot option noconsoleirq)
dom0's polling fallback must do the same.  Every wait is bounded.
"""
import time

import pytest

from conftest import Session

LINES = 50
LINE_TIMEOUT = 20.0      # per echo; generous for a loaded TCG host


def echo_session(env_extra):
    s = Session(env_extra=env_extra)
    try:
        for i in range(LINES):
            line = b"line %03d of an interactive session\n" % i
            s.p.stdin.write(line)
            s.p.stdin.flush()
            assert s.read_until(line, LINE_TIMEOUT), \
                "no echo of line %d; got %r" % (i, s.buf[-200:])
        status = s.finish()
    except BaseException:
        s.kill()
        raise
    assert status == 0, s.stderr()
    expect = b"".join(b"line %03d of an interactive session\n" % i
                      for i in range(LINES))
    assert s.buf == expect


def test_interactive_echo_ivshmem():
    echo_session({})


def test_interactive_echo_serial():
    echo_session({"KEEL_HOSTIO": "serial"})


@pytest.mark.parametrize("env_extra", [{}, {"KEEL_HOSTIO": "serial"}],
                         ids=["ivshmem", "serial"])
def test_interactive_echo_without_the_interrupt(env_extra):
    """The hypervisor told to do without the route (as on a machine whose
    MADT has none): BIND_VIRQ(VIRQ_CONSOLE) is refused and dom0 polls."""
    echo_session(dict(env_extra, KEEL_HV_CMDLINE="noconsoleirq"))


@pytest.mark.parametrize("env_extra", [{}, {"KEEL_HOSTIO": "serial"}],
                         ids=["ivshmem", "serial"])
def test_input_after_a_quiet_while(env_extra):
    """Input that comes after dom0 has long been idle still wakes it (no
    poll would have found it sooner than the interrupt)."""
    s = Session(env_extra=env_extra)
    try:
        s.p.stdin.write(b"first\n")
        s.p.stdin.flush()
        assert s.read_until(b"first\n", LINE_TIMEOUT)
        time.sleep(1.5)
        s.p.stdin.write(b"second\n")
        s.p.stdin.flush()
        assert s.read_until(b"second\n", LINE_TIMEOUT)
        status = s.finish()
    except BaseException:
        s.kill()
        raise
    assert status == 0, s.stderr()
    assert s.buf == b"first\nsecond\n"
