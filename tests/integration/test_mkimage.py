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
