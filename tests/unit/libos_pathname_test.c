/*
 * Pathname arithmetic (sdk/libos/pathname.c): relative paths made
 * absolute against the working directory, "." and ".." by name, never
 * above "/", and a path that does not fit is refused, never truncated.
 */
#include <errno.h>
#include <string.h>
#include "ktest.h"
#include "../../sdk/libos/pathname.c"

static const char *join(const char *cwd, const char *path)
{
    static char out[64];

    if (libos_path_join(cwd, path, out, sizeof(out)) != 0)
        return "(error)";
    return out;
}

KTEST(absolute_ignores_cwd)
{
    EXPECT(!strcmp(join("/a/b", "/x/y"), "/x/y"));
    EXPECT(!strcmp(join("/a", "/"), "/"));
}

KTEST(relative_joins_cwd)
{
    EXPECT(!strcmp(join("/", "sub"), "/sub"));
    EXPECT(!strcmp(join("/a/b", "c/d"), "/a/b/c/d"));
    EXPECT(!strcmp(join("/a", "c//d/"), "/a/c/d"));
}

KTEST(dots_by_name)
{
    EXPECT(!strcmp(join("/a/b", ".."), "/a"));
    EXPECT(!strcmp(join("/a/b", "../../.."), "/"));
    EXPECT(!strcmp(join("/a", "./x/./../y"), "/a/y"));
    EXPECT(!strcmp(join("/", ".."), "/"));
    EXPECT(!strcmp(join("/a", "..x"), "/a/..x"));
}

KTEST(too_long_is_refused)
{
    char out[8];

    EXPECT_EQ(libos_path_join("/", "abcdefgh", out, sizeof(out)), -ENAMETOOLONG);
    EXPECT_EQ(libos_path_join("/abcdef", "g", out, sizeof(out)), -ENAMETOOLONG);
    EXPECT_EQ(libos_path_join("/", "abcdef", out, sizeof(out)), 0);
    EXPECT(!strcmp(out, "/abcdef"));
    EXPECT_EQ(libos_path_join("/", "x", out, 1), -ENAMETOOLONG);
}

KTEST_MAIN(KTEST_CASE(absolute_ignores_cwd), KTEST_CASE(relative_joins_cwd),
           KTEST_CASE(dots_by_name), KTEST_CASE(too_long_is_refused))
