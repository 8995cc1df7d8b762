/* The smallest guest: one line naming itself, status 0. */
#include <stdio.h>

int main(int argc, char **argv)
{
    printf("hello from %s (%d args)\n", argc > 0 ? argv[0] : "?", argc);
    return 0;
}
