"""Memory on demand (keel/memory.h, docs/memory.md).

A guest starts with what it needs to reach main and its heap asks the
hypervisor for more, up to the image's maximum (mkimage --mem, 256 MiB by
default).  memgrow.c (tests/guests) is built with default options.  Before,
every image had a fixed 4 MiB: a 64 MiB malloc failed, and there was no
reservation hypercall to get wrong."""
import re

from conftest import guest, keel_run, mkimage, text, REPO

CYCLE = re.compile(r"^(memgrow\S*)\| cycle:((?: \d+)+)$", re.M)


def test_default_image_touches_64_mib():
    r = keel_run([guest("memgrow.img")], args=["touch", "64"], timeout=150)
    assert r.returncode == 0, text(r.stdout) + text(r.stderr)[-2000:]
    assert "touched 64 MiB: ok" in text(r.stdout)


def test_bad_reservation_arguments_are_refused():
    """Unaligned, outside its memory (shared info, grant window, past the
    maximum), huge counts, its text and stack, another domain, a bad
    pointer, a page a mapped grant pins: each gets its error; the guest
    goes on printing (its console is a page dom0 maps) and allocating."""
    r = keel_run([guest("memgrow.img")], args=["bad"], timeout=100)
    out = text(r.stdout)
    assert r.returncode == 0, out + text(r.stderr)[-2000:]
    assert "bad: 0 unexpected" in out
    assert "touched 8 MiB: ok" in out


def test_refused_freed_and_asked_again(tmp_path):
    """A 32 MiB maximum: malloc until NULL with ENOMEM, free, again: every
    round gets the same, so every frame given back can be had again."""
    img = mkimage(tmp_path / "memgrow.img", "--mem", "32M",
                  REPO + "/tests/guests/memgrow.c")
    r = keel_run([str(img)], args=["cycle", "6", "0"], timeout=100)
    out = text(r.stdout)
    assert r.returncode == 0, out + text(r.stderr)[-2000:]
    rounds = [int(n) for n in re.search(r"cycle:((?: \d+)+)", out).group(1).split()]
    assert len(rounds) == 6
    assert len(set(rounds)) == 1 and 28 <= rounds[0] < 32, rounds


def test_many_guests_grow_until_the_machine_is_full():
    """Six guests of the default 256 MiB maximum in a 256 MiB machine grow
    at once until refused (each holds what it got for 1.5 s), three times;
    each is refused with ENOMEM, none crashes, a small guest beside them
    starts and ends, and dom0 reports every exit."""
    r = keel_run([guest("memgrow.img")] * 6 + [guest("small.img")],
                 args=["cycle", "3", "1500"], options=["--mem", "256M"], timeout=200)
    out = text(r.stdout)
    assert r.returncode == 0, out + text(r.stderr)[-3000:]
    got = {name: [int(n) for n in rounds.split()] for name, rounds in CYCLE.findall(out)}
    assert len(got) == 6, out
    assert all(len(v) == 3 and min(v) >= 1 for v in got.values()), got
    # together they held what the machine had, not each its maximum
    assert sum(v[0] for v in got.values()) < 256, got
    assert "no ENOMEM" not in out
    assert "small| hello from small" in out


def test_keel_run_guest_mem_overrides_the_image():
    """keel run --guest-mem 16M: the default image's 256 MiB maximum
    becomes 16 MiB for this run; 64 MiB is refused with ENOMEM."""
    r = keel_run([guest("memgrow.img")], args=["cycle", "2", "0"],
                 options=["--guest-mem", "16M"], timeout=100)
    out = text(r.stdout)
    assert r.returncode == 0, out + text(r.stderr)[-2000:]
    rounds = [int(n) for n in re.search(r"cycle:((?: \d+)+)", out).group(1).split()]
    assert rounds[0] == rounds[1] and 12 <= rounds[0] < 16, rounds
    r = keel_run([guest("memgrow.img")], args=["touch", "64"],
                 options=["--guest-mem", "16M"], timeout=100)
    assert r.returncode == 1 and "malloc of 64 MiB failed" in text(r.stdout)
