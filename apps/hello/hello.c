/*
 * hello: the smallest useful Keel appliance.  Greets, lists its arguments
 * (one per line, quoted, so that `keel run hello.img -- a "b c"` shows
 * that spaces survive the trip), and exits with status 0.
 */
#include <stdio.h>

int main(int argc, char **argv)
{
    printf("Hello from Keel!\n");
    for (int i = 0; i < argc; i++)
        printf("argv[%d] = \"%s\"\n", i, argv[i]);
    return 0;
}
