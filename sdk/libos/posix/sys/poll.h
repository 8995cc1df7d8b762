/* Some programs include <sys/poll.h>: it is <poll.h>. */
#include <poll.h>
