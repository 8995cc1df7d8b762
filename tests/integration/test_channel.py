"""Inter-domain channels (`keel run --connect`): megabytes both ways with a
checksum, event ping-pong, request/response rings over grant maps and grant
copies, and hostile peers that must cost only themselves."""
import re

import pytest

from conftest import guest, keel_run, text


def lines_of(r):
    return text(r.stdout).splitlines()


def test_stream_carries_megabytes_both_ways():
    img = guest("chan_stream.img")
    r = keel_run([img, img], args=["4"], options=["--connect", "0:1"])
    assert r.returncode == 0, text(r.stdout) + text(r.stderr)
    out = text(r.stdout)
    assert re.search(r"chan_stream\| chan_stream: granter: 4 MiB each way verified", out)
    assert re.search(r"chan_stream-2\| chan_stream: mapper: 4 MiB each way verified", out)


def test_event_ping_pong():
    img = guest("chan_pingpong.img")
    r = keel_run([img, img], args=["1000"],
                 options=["--connect", "chan_pingpong:chan_pingpong-2"])
    assert r.returncode == 0, text(r.stdout) + text(r.stderr)
    out = text(r.stdout)
    assert "chan_pingpong: granter: 1000 round trips" in out
    assert "chan_pingpong: mapper: 1000 round trips" in out


def test_ring_over_grant_maps():
    img = guest("chan_ring.img")
    r = keel_run([img, img], args=["map", "2000"], options=["--connect", "1:0"])
    assert r.returncode == 0, text(r.stdout) + text(r.stderr)
    assert "chan_ring-2| chan_ring: map server: 2000 requests served" in lines_of(r)
    assert "chan_ring| chan_ring: map client: 2000 requests answered" in lines_of(r)


def test_ring_over_grant_copies():
    img = guest("chan_ring.img")
    r = keel_run([img, img], args=["copy", "300"], options=["--connect", "0:1"])
    assert r.returncode == 0, text(r.stdout) + text(r.stderr)
    assert "chan_ring| chan_ring: copy server: 300 pages served" in lines_of(r)
    assert "chan_ring-2| chan_ring: copy client: 300 pages round-tripped" in lines_of(r)


def hostile(mode, spec="chan_evil:chan_victim"):
    return keel_run([guest("chan_evil.img"), guest("chan_victim.img"), guest("hello.img")],
                    args=[mode], options=["--connect", spec])


@pytest.mark.parametrize("mode,spec,role", [
    ("corrupt", "chan_evil:chan_victim", "granter"),
    ("corrupt", "chan_victim:chan_evil", "mapper"),
    ("state", "chan_victim:chan_evil", "mapper"),
])
def test_corrupt_peer_closes_the_channel_only(mode, spec, role):
    r = hostile(mode, spec)
    assert r.returncode == 0, text(r.stdout) + text(r.stderr)
    out = lines_of(r)
    assert "chan_evil| chan_evil: %s: 0 wrong answers" % role in out   # bad args: errors
    assert "chan_victim| chan_victim: after the peer's corruption: read -5, write -5" in out
    assert "chan_victim| chan_victim: close -5; handled" in out
    assert "hello| hello from hello (2 args)" in out


@pytest.mark.parametrize("spec", ["chan_evil:chan_victim", "chan_victim:chan_evil"])
def test_crashed_peer_is_end_of_file(spec):
    r = hostile("crash", spec)
    assert r.returncode == 139, text(r.stdout) + text(r.stderr)   # the evil one
    out = lines_of(r)
    assert "chan_victim| chan_victim: after the peer's crash: read 0, write -32" in out
    assert "chan_victim| chan_victim: close 0; handled" in out
    assert "hello| hello from hello (2 args)" in out


def test_channel_to_a_rejected_guest_is_absent(tmp_path):
    bad = tmp_path / "junk.img"
    bad.write_bytes(b"not an image")
    r = keel_run([guest("chan_victim.img"), str(bad)], options=["--connect", "1:0"])
    # the victim runs, finds no channel (ENOENT) and exits 2; junk is 126
    assert r.returncode == 2, text(r.stderr)
    assert "chan_victim| chan_victim: opening the channel failed: -2" in lines_of(r)
    assert 'channel "chan" not connected: its peer could not be started' in text(r.stderr)


def test_bad_connect_specs_are_usage_errors():
    img = guest("hello.img")
    for spec in ["0", "0:0", "0:5", "hello:nope", "0:1:" + "x" * 40]:
        r = keel_run([img, img], options=["--connect", spec], timeout=10)
        assert r.returncode == 2, spec
        assert "--connect" in text(r.stderr)


def test_channel_as_file_descriptor():
    img = guest("chan_fd.img")
    r = keel_run([img, img], args=["20000"], options=["--connect", "0:1"])
    assert r.returncode == 0, text(r.stdout) + text(r.stderr)
    assert "chan_fd| chan_fd: wrote 20000 lines: ok" in lines_of(r)
    assert "chan_fd-2| chan_fd: read 20000 lines: ok" in lines_of(r)
