/*
 * kv: a persistent key-value store served over HTTP/1.1, one file per
 * key on the guest's disk (sdk/fs) or in a host directory.
 *
 *   PUT /KEY      the body (Content-Length, at most KV_VALUE_MAX) becomes
 *                 KEY's value: 201 (new) or 204 (replaced), sent only
 *                 once the value and its name are on stable storage
 *   GET /KEY      200 and the value, 404 if absent (HEAD: the head only)
 *   DELETE /KEY   204, 404 if absent
 *
 * Keys: 1..KV_KEY_MAX bytes of [A-Za-z0-9._-], not starting with '.'
 * (400 otherwise): the names kv's own files take start with '.'.
 *
 * Many connections at once, in one thread: main.c polls the listener and
 * every connection's non-blocking socket; conn.c moves each connection's
 * state machine on (a request head, a PUT's body, an answer) as far as
 * its socket allows, at most KV_TURN_BYTES a turn; answer.c does what a
 * request asks.  File calls are made whole between two polls, so each
 * store operation (a PUT's commit: fsync, rename, fsync of the directory)
 * is atomic with respect to the others: of two PUTs of one key, the one
 * answered last is the value.  Each PUT streams into its own temporary
 * file; a GET streams from the file it opened, which keeps its data even
 * if a PUT replaces the key meanwhile (docs/fs.md, files unlinked while
 * open).  The request head is parsed by httpd's parser (parse.h).
 */
#ifndef KV_H
#define KV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <poll.h>

#include "parse.h"

#define KV_HEAD_MAX   8192            /* request head; longer: 431 or 414 */
#define KV_VALUE_MAX  (8u << 20)      /* bytes of a value; more: 413 */
#define KV_KEY_MAX    128
#define KV_CHUNK      16384           /* a connection's output buffer */
#define KV_IDLE_MS    5000            /* a connection making no progress is closed */
#define KV_CONNS_MAX  64              /* more wait in the listener's backlog */
#define KV_TURN_BYTES (256u << 10)    /* a connection's bytes per turn */
#define KV_TEMP_MAX   32              /* a temporary file's name */

#ifndef MSG_NOSIGNAL            /* a send to a reset peer: EPIPE, no signal */
#define MSG_NOSIGNAL 0
#endif

/* store.c: the values, files in one directory */
int store_open(const char *dir);
bool store_key_ok(const char *key, size_t n);
/* A fresh temporary file for a value being received, its name in temp:
 * fd or -errno. */
int store_begin(char temp[KV_TEMP_MAX]);
/* fsync fd, close it, rename temp to key, sync the directory: 0 or
 * -errno; *created: key had no value before. */
int store_commit(int fd, const char *temp, const char *key, bool *created);
void store_abort(int fd, const char *temp);
/* key's value for reading: fd (and *size) or -errno (-ENOENT: none). */
int store_open_value(const char *key, uint64_t *size);
int store_delete(const char *key);

/* conn.c: one client's connection */
struct conn;
uint64_t kv_now_ms(void);
/* A connection on non-blocking socket fd; NULL without memory. */
struct conn *conn_new(int fd, bool quiet);
/* Its socket and what to poll it for. */
struct pollfd conn_pollfd(const struct conn *c);
/* Work is left that needs no poll (a turn ended on its budget). */
bool conn_pending(const struct conn *c);
uint64_t conn_deadline_ms(const struct conn *c);
/* As far as the socket allows; false: it is done, conn_free it. */
bool conn_run(struct conn *c);
/* Closes the socket and any file; a PUT not committed leaves nothing. */
void conn_free(struct conn *c);

/* answer.c: what conn.c needs of a request, copied out of the head */
struct request {
    enum http_method method;
    bool keep_alive, has_body, chunked, has_key;
    uint64_t length;
    char key[KV_KEY_MAX + 1];
    char line[128];              /* the request line, for the log */
};

void request_from_head(const struct http_request *h, struct request *req);
const char *status_reason(int status);

#endif /* KV_H */
