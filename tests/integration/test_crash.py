"""Crashing guests are killed alone, with a symbolized report."""
import re

import pytest

from conftest import guest, keel_run, text

# case -> (status, words of the exception description)
CASES = {
    "null": (139, r"page fault at 0x0\b.*read"),
    "rodata": (139, r"page fault at 0x{target}\b.*write"),
    "nx": (139, r"page fault at 0x{target}\b.*instruction fetch"),
    "ud2": (132, r"invalid opcode"),
    "div0": (136, r"divide error"),
    "hlt": (139, r"general protection"),
    "cli": (139, r"general protection"),
    "outb": (139, r"general protection"),
    "abort": (134, r"abort"),
    "mprotect": (139, r"page fault at 0x{target}\b.*write"),
}


def check_report(case, r):
    status, what = CASES[case]
    out, err = text(r.stdout), text(r.stderr)
    assert r.returncode == status, err
    assert "survived" not in out
    m = re.search(r"target=(?:0x)?([0-9a-f]+|\(nil\))", out)
    assert m, out
    target = 0 if m.group(1) == "(nil)" else int(m.group(1), 16)
    assert re.search(what.format(target="%x" % target), err), err
    head = re.search(r"crashed: .* rip=0x([0-9a-f]+)(?: in (\w+)\+0x([0-9a-f]+))?", err)
    assert head, err
    if case not in ("null", "rodata", "nx", "abort", "mprotect"):
        # the faulting instruction is inside crash_<case>, whose address it printed
        rip, fn, off = int(head.group(1), 16), head.group(2), int(head.group(3), 16)
        assert fn == "crash_" + case and rip - off == target, err
    assert re.search(r"rax=[0-9a-f]{16}", err) and re.search(r"rsp=[0-9a-f]{16}", err)
    frames = re.findall(r"#\d+ 0x[0-9a-f]+ .*", err)
    assert any("run_case" in f for f in frames), err
    if case != "nx":          # nx: the faulting frame is in data, no name
        assert any("crash_" + case in f for f in frames) or "crash_" + case in head.group(0)


@pytest.mark.parametrize("case", sorted(CASES))
def test_crash_report(case):
    r = keel_run([guest("crash.img")], args=[case])
    check_report(case, r)


def test_crash_beside_a_working_guest(hello):
    r = keel_run([guest("crash.img"), hello], args=["null"])
    assert r.returncode == 139
    assert "hello| hello from hello (2 args)\n" in text(r.stdout)
    assert re.search(r"^crash\| .*crashed: page fault", text(r.stderr), re.M)


def test_mprotect_read_only_write_beside_a_working_guest(hello):
    r = keel_run([guest("crash.img"), hello], args=["mprotect"])
    assert r.returncode == 139
    assert "crash| read back k\n" in text(r.stdout)
    assert "hello| hello from hello (2 args)\n" in text(r.stdout)
    assert re.search(r"^crash\| .*crashed: page fault at 0x[0-9a-f]+ .*write", text(r.stderr), re.M)
