/*
 * Exit statuses.  `exit ret N` returns N from main; `exit nested N` calls
 * exit(N) three calls deep, after printing a line without its newline
 * (exit must flush stdio).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static __attribute__((noinline)) void level3(int code)
{
    printf("leaving from level3");
    exit(code);
}

static __attribute__((noinline)) void level2(int code)
{
    level3(code);
    printf("not reached\n");
}

static __attribute__((noinline)) void level1(int code)
{
    level2(code);
    printf("not reached\n");
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: exit ret|nested N\n");
        return 100;
    }
    int code = atoi(argv[2]);
    if (!strcmp(argv[1], "nested"))
        level1(code);
    printf("returning %d\n", code);
    return code;
}
