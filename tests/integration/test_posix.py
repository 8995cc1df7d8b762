"""The calls programs expect (docs/threads.md, docs/posix.md, docs/memory.md):
plain programs built with default options, unchanged from Linux, under
bin/keel run.  Each guest prints KTAP lines and exits with its number of
failures; bad arguments inside each get errno, never a crash."""
import os
import re
import subprocess

from conftest import REPO, guest, keel_run, text


def ktap_passes(r, name):
    out = text(r.stdout)
    assert "not ok" not in out, out + text(r.stderr)
    assert "# %s: 0 failed" % name in out, out + text(r.stderr)
    assert r.returncode == 0, text(r.stderr)


def test_pthreads():
    # producer/consumer, 8-thread mutex counter, timed waits that time out
    # and that get signalled, mutex types' errors, keys with destructors
    ktap_passes(keel_run([guest("posix_threads.img")]), "posix_threads")


def test_pthread_exit_in_main_waits_for_the_last_thread():
    r = keel_run([guest("posix_threads.img")], args=["mainexit"])
    assert r.returncode == 0, text(r.stderr)
    assert r.stdout == b"main leaves\nlate thread done\n"


def test_threads_printf_at_once_and_no_line_is_lost():
    """Four threads printf 1500 lines each while the console ring is full
    (a write blocks mid-flush and another thread runs): newlib's stream
    locks (sdk/libos/newlib_lock.c) keep every line whole and once."""
    r = keel_run([guest("posix_threads.img")], args=["stdio"])
    assert r.returncode == 0, text(r.stderr)
    lines = text(r.stdout).splitlines()
    assert lines[-1] == "stdio done"
    tail = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    want = sorted(f"t{w} line {k:04d} {tail}" for w in range(4) for k in range(1500))
    assert sorted(lines[:-1]) == want


def test_calls_and_environment():
    r = keel_run([guest("posix_calls.img")],
                 options=["-e", "KEEL_T1=hello", "-e", "KEEL_T2=a b=c,d"])
    ktap_passes(r, "posix_calls")
    assert "# KEEL_T1=hello KEEL_T2=a b=c,d environ=2\n" in text(r.stdout)


def test_no_environment_by_default():
    r = keel_run([guest("posix_calls.img")])
    ktap_passes(r, "posix_calls")
    assert "# KEEL_T1=(null) KEEL_T2=(null) environ=0\n" in text(r.stdout)


def test_bad_environment_option():
    r = keel_run([guest("posix_calls.img")], options=["-e", "NOVALUE"])
    assert r.returncode == 2
    assert "-e wants NAME=VALUE" in text(r.stderr)


def test_getentropy_differs_each_boot():
    seen = set()
    for _ in range(2):
        r = keel_run([guest("posix_calls.img")], args=["entropy"])
        assert r.returncode == 0, text(r.stderr)
        assert re.fullmatch(rb"[0-9a-f]{64}\n", r.stdout)
        seen.add(r.stdout)
    assert len(seen) == 2


def test_exit_order_handlers_then_flush():
    r = keel_run([guest("posix_calls.img")], args=["atexit"])
    assert r.returncode == 3
    assert r.stdout == b"buffered|second|first\n"


def test_default_sigterm_ends_with_143():
    r = keel_run([guest("posix_calls.img")], args=["sigterm"])
    assert r.returncode == 143
    assert b"survived" not in r.stdout


def test_abort_ends_with_a_clear_status():
    r = keel_run([guest("posix_calls.img")], args=["abort"])
    assert r.returncode == 134
    assert "aborted" in text(r.stderr)


def test_relative_paths_follow_chdir(tmp_path):
    d = tmp_path / "vol"
    (d / "sub").mkdir(parents=True)
    (d / "sub" / "file.txt").write_text("inside\n")
    r = keel_run([guest("posix_calls.img")], args=["cwd"],
                 options=["--net", "none", "--volume", str(d)])
    ktap_passes(r, "posix_calls cwd")


def test_unimplemented_call_fails_at_link_time(tmp_path):
    src = tmp_path / "cancel.c"
    src.write_text("#include <pthread.h>\n"
                   "int main(void) { return pthread_cancel(pthread_self()); }\n")
    r = subprocess.run([os.path.join(REPO, "bin", "mkimage"), str(src), "-o",
                        str(tmp_path / "cancel.img")], capture_output=True, timeout=120)
    assert r.returncode != 0
    assert "undefined reference to `pthread_cancel'" in text(r.stderr)
