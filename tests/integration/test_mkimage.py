"""bin/mkimage: a C file that does not compile shows the compiler's errors."""
import os
import subprocess

from conftest import REPO, keel_run, text

MKIMAGE = os.path.join(REPO, "bin", "mkimage")


def test_broken_c_file(tmp_path):
    src = tmp_path / "broken.c"
    src.write_text("int main(void)\n{\n    return undefined_thing;\n}\n")
    out = tmp_path / "broken.img"
    r = subprocess.run([MKIMAGE, str(src), "-o", str(out)], capture_output=True,
                       timeout=120, stdin=subprocess.DEVNULL)
    assert r.returncode != 0
    err = text(r.stderr)
    assert "broken.c:3" in err and "undefined_thing" in err, err
    assert not out.exists()


def test_built_image_runs(tmp_path):
    src = tmp_path / "sum.c"
    src.write_text('#include <stdio.h>\n#include <stdlib.h>\n'
                   'int main(int c, char **v) { long s = 0;\n'
                   '  for (int i = 1; i < c; i++) s += atol(v[i]);\n'
                   '  printf("sum=%ld\\n", s); return (int)(s % 256); }\n')
    img = tmp_path / "sum.img"
    r = subprocess.run([MKIMAGE, str(src), "-o", str(img)], capture_output=True,
                       timeout=120, stdin=subprocess.DEVNULL)
    assert r.returncode == 0, text(r.stderr)
    r = keel_run([str(img)], args=["40", "2", "300"])
    assert r.stdout == b"sum=342\n"
    assert r.returncode == 342 % 256


def _berkeley_size(path):
    """(text, data, bss) of an image, as `size` counts them."""
    out = subprocess.run(["size", str(path)], capture_output=True, check=True).stdout
    return tuple(int(x) for x in text(out).splitlines()[1].split()[:3])


def test_sdk_library_found_without_naming_it(tmp_path):
    """A library that installs its header and its archive into the sysroot
    is found by the compiler wrapper with no option and no edit to the
    wrapper; a program that does not use it links none of it."""
    sysroot = tmp_path / "sysroot"
    subprocess.run(["cp", "-as", os.path.join(REPO, "build", "sysroot"), str(sysroot)],
                   check=True)
    env = dict(os.environ, KEEL_SYSROOT=str(sysroot))
    cc = os.path.join(REPO, "toolchain", "x86_64-keel-gcc")
    hello_c = os.path.join(REPO, "apps", "hello", "hello.c")

    def mkimage(src, out):
        r = subprocess.run([MKIMAGE, str(src), "-o", str(out)], capture_output=True,
                           timeout=120, env=env, stdin=subprocess.DEVNULL)
        assert r.returncode == 0, text(r.stderr)

    mkimage(hello_c, tmp_path / "before.img")
    (sysroot / "include" / "greet").mkdir()
    (sysroot / "include" / "greet" / "greet.h").write_text("int greet_answer(void);\n")
    (tmp_path / "greet.c").write_text(
        '#include <greet/greet.h>\nint greet_answer(void) { return 42; }\n')
    subprocess.run([cc, "-O2", "-c", str(tmp_path / "greet.c"), "-o",
                    str(tmp_path / "greet.o")], check=True, env=env)
    subprocess.run(["ar", "rcs", str(sysroot / "lib" / "libgreet.a"),
                    str(tmp_path / "greet.o")], check=True)
    app = tmp_path / "app.c"
    app.write_text('#include <stdio.h>\n#include <greet/greet.h>\n'
                   'int main(void) { printf("answer=%d\\n", greet_answer());'
                   ' return 0; }\n')
    mkimage(app, tmp_path / "app.img")
    mkimage(hello_c, tmp_path / "after.img")
    assert _berkeley_size(tmp_path / "after.img") == _berkeley_size(tmp_path / "before.img")
    r = keel_run([str(tmp_path / "app.img")])
    assert r.stdout == b"answer=42\n", text(r.stderr)
    assert r.returncode == 0
