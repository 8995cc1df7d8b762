/* KTAP lines for the test guests that check many calls in one run: one
 * "ok N name" or "not ok N name" per check; main returns `failures`. */
#ifndef KTAP_CHECK_H
#define KTAP_CHECK_H

#include <stdio.h>

static int failures, tests;

static void check(int ok, const char *name)
{
    tests++;
    if (!ok)
        failures++;
    printf("%s %d %s\n", ok ? "ok" : "not ok", tests, name);
}

#endif /* KTAP_CHECK_H */
