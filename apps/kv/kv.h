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
 * One connection is served at a time (main.c accepts, conn.c answers its
 * requests, keep-alive, until it closes or idles KV_IDLE_MS): every write
 * waits for the disk anyway.  Bodies stream between the socket and the
 * files through one KV_CHUNK buffer, so memory does not grow with values.
 * The request head is parsed by httpd's parser (apps/httpd/parse.h).
 */
#ifndef KV_H
#define KV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KV_HEAD_MAX   8192            /* request head; longer: 431 or 414 */
#define KV_VALUE_MAX  (8u << 20)      /* bytes of a value; more: 413 */
#define KV_KEY_MAX    128
#define KV_CHUNK      16384
#define KV_IDLE_MS    5000            /* a silent client is closed */

#ifndef MSG_NOSIGNAL            /* a send to a reset peer: EPIPE, no signal */
#define MSG_NOSIGNAL 0
#endif

/* store.c: the values, files in one directory */
int store_open(const char *dir);
bool store_key_ok(const char *key, size_t n);
/* A fresh temporary file for a value being received: fd or -errno. */
int store_begin(void);
/* fsync fd, close it, rename it to key, sync the directory: 0 or -errno;
 * *created: key had no value before. */
int store_commit(int fd, const char *key, bool *created);
void store_abort(int fd);
/* key's value for reading: fd (and *size) or -errno (-ENOENT: none). */
int store_open_value(const char *key, uint64_t *size);
int store_delete(const char *key);

/* conn.c: answers one client's requests until it closes */
void conn_serve(int fd, bool quiet);

#endif /* KV_H */
