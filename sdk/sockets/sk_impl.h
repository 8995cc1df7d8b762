/*
 * Inside the sockets library (docs/net.md, "Sockets" and "Names").
 *
 *   socket.c    socket, accept, connect and the other calls on a socket
 *               descriptor; setsockopt/getsockopt
 *   sock_io.c   send/recv and friends
 *   sock_fd.c   sockets as libos descriptors (libos/fd.h): read, write,
 *               close, poll readiness from lwIP's counters, O_NONBLOCK
 *   stack.c     lwIP's tcpip thread, started by the first socket()
 *   inet.c      inet_* and byte order (pure)
 *   gai.c       getaddrinfo, freeaddrinfo, gai_strerror (pure)
 *   hostent.c   getnameinfo, gethostbyname, gethostbyaddr (pure)
 *   hosts.c     the names a guest knows and their lookups (pure)
 *   hosts_table.c  the run's hosts table (keel/hosts.h), in place (pure)
 *   hosts_start.c  what the names are at start (start info, devices)
 *
 * The pure files include only standard headers and this one, so that the
 * host unit tests (tests/unit/sockets_*_test.c) compile them against the
 * host's own <netdb.h>: Linux's values, which are ours.
 */
#ifndef SK_IMPL_H
#define SK_IMPL_H

#include <stddef.h>
#include <stdint.h>

/* hosts.c.  Names are matched without regard to case, a trailing dot
 * ignored; addresses are IPv4 in network byte order.  The guest's own few
 * names (localhost, its own) are a small table of copies; the run's other
 * names are the shared table's, read in place (hosts_table.c), looked at
 * after the own ones. */
#define SK_HOSTS_MAX     4
#define SK_HOST_NAME_MAX 64      /* with its NUL */
/* Adds (or replaces) name; -1 if the table is full or the name too long
 * or empty. */
int sk_hosts_add(const char *name, uint32_t addr);
/* 0 and *addr if name is in the table, else -1. */
int sk_hosts_lookup(const char *name, uint32_t *addr);
/* The first name of addr in the table, or NULL. */
const char *sk_hosts_name(uint32_t addr);
/* Forgets every entry and the shared table (unit tests). */
void sk_hosts_clear(void);
/* Uses the run's hosts table at table (bytes long) from now on, once it
 * passed sk_table_check: 0, or -1 and the table is ignored. */
int sk_hosts_attach(const void *table, uint64_t bytes);

/* hosts_table.c: a checked view of a hosts table (keel/hosts.h). */
struct keel_hosts_entry;
struct sk_table {
    const struct keel_hosts_entry *e;
    uint32_t count;
    const char *names;
    uint32_t names_bytes;
};
/* 0 and *out when table[0, bytes) is a well-formed hosts table (every
 * check of keel/hosts.h), else -1 and an empty *out. */
int sk_table_check(const void *table, uint64_t bytes, struct sk_table *out);
/* 0 and *addr when name (len bytes, no trailing dot) is in t, else -1. */
int sk_table_lookup(const struct sk_table *t, const char *name, size_t len,
                    uint32_t *addr);
/* The first name of addr in t (NUL-terminated, in the table), or NULL. */
const char *sk_table_name(const struct sk_table *t, uint32_t addr);

/* hosts_start.c: fills the table the first time it is looked at (called
 * by hosts.c). */
void sk_hosts_load(void);

/* inet.c: a dotted quad as inet_aton reads it ("a.b.c.d", "a.b.c", "a.b",
 * "a"; decimal, octal 0..., hex 0x...) to *addr (network order): 1, or 0
 * if it is not one. */
int sk_parse_ipv4(const char *s, uint32_t *addr);
/* A strict "a.b.c.d" of decimal numbers (inet_pton): 1 or 0. */
int sk_parse_dotted(const char *s, uint32_t *addr);
/* addr (network order) as "a.b.c.d" into buf[16]. */
void sk_format_ipv4(uint32_t addr, char buf[16]);

/* stack.c: lwIP's tcpip thread, started once; returns when it runs. */
void sk_stack_up(void);

/* sock_fd.c: a socket descriptor's object. */
struct lwip_sock;
struct sk_sock {
    int s;                      /* lwIP's socket number */
    int type;                   /* SOCK_STREAM or SOCK_DGRAM */
    int connecting;             /* a non-blocking connect() is under way:
                                 * lwIP's ECONNRESET then means refused */
    struct lwip_sock *ls;       /* lwIP's record: the readiness counters */
};
/* A descriptor for lwIP's socket s (closed if none is free): the
 * descriptor, or -1 and errno. */
int sk_install(int s, int type, int nonblock);
/* The socket behind fd, or NULL and errno (EBADF, ENOTSOCK). */
struct sk_sock *sk_get(int fd);
/* -1 and errno = err. */
int sk_fail(int err);
/* r as it is; a non-blocking call that could not finish (EAGAIN,
 * EINPROGRESS, EALREADY) first yields to the other threads, lwIP's
 * included, so that a loop retrying it lets the stack move (the libos's
 * threads are cooperative). */
long sk_again(long r);

/* socket.c: an IPv4 address argument's length for lwIP (which wants
 * exactly a sockaddr_in), or -1 and errno as Linux sets it; unspec_ok:
 * AF_UNSPEC passes (connect's "dissolve the association"). */
struct sockaddr;
int sk_ipv4_len(const struct sockaddr *a, unsigned len, int unspec_ok);

#endif /* SK_IMPL_H */
