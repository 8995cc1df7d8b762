/* The `keel run` command line's sources, for the tests that include them:
 * args.c calls into each option's own parser, so one list here. */
#include "../../tools/keel/args.c"
#include "../../tools/keel/disk.c"
#include "../../tools/keel/portfwd.c"
#include "../../tools/keel/hostfwd.c"
#include "../../tools/keel/connect.c"
