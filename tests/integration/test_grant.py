"""A grant never gives more than the granter has, with the pages the real
toolstack lays out (tests/guests/grant_self.c): the guard page is nobody's,
the start-info and device pages are read-only to every grantee, text and
read-only data are never writable through a grant, and a grant of a heap
page works in the same run.
"""
from conftest import guest, keel_run, text

EACCES, EINVAL = -13, -22


def results(out):
    """{page: {use: rc}} from the guest's lines."""
    pages = {}
    for line in out.splitlines():
        name, _, rest = line.partition(": ")
        f = rest.split()
        pages[name] = {f[i]: int(f[i + 1]) for i in range(0, len(f), 2)}
    return pages


def test_grants_give_no_more_than_the_granter_has():
    r = keel_run([guest("grant_self.img")])
    assert r.returncode == 0, text(r.stderr)
    p = results(text(r.stdout))
    assert set(p) == {"guard", "start_info", "device_page", "rodata", "text", "heap"}, p
    assert all(p[n]["end"] == 0 for n in p), p
    # the guard page has no frame (memory on demand): not grantable at all
    assert p["guard"] == dict(map_ro=EINVAL, copy_out=EINVAL, map_rw=EINVAL,
                              copy_in=EINVAL, end=0)
    for n in ("start_info", "device_page"):
        assert p[n] == dict(map_ro=0, copy_out=0, map_rw=EACCES, copy_in=EACCES, end=0), n
    # whole read-only pages may be shared from the boot module: not the
    # guest's own frame, so not grantable at all (-EINVAL), never writable
    for n in ("rodata", "text"):
        assert p[n]["map_rw"] in (EACCES, EINVAL), (n, p[n])
        assert p[n]["copy_in"] in (EACCES, EINVAL), (n, p[n])
        assert p[n]["map_ro"] == p[n]["copy_out"] and p[n]["map_ro"] in (0, EINVAL), (n, p[n])
    assert p["heap"] == dict(map_ro=0, copy_out=0, map_rw=0, copy_in=0, end=0)
