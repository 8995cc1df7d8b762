/*
 * The identity calls libcom_err asks before it reads the environment
 * (its safe_getenv): a guest is one program, run by nobody in particular,
 * so root, as newlib's other stubs answer.
 */
#include <sys/types.h>
#include <unistd.h>

uid_t getuid(void) { return 0; }
uid_t geteuid(void) { return 0; }
gid_t getgid(void) { return 0; }
gid_t getegid(void) { return 0; }
