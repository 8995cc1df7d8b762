/*
 * The pure parts of answering: a request copied out of its parsed head
 * (so that the body behind the head can move to the front of the
 * buffer), its key, the reason phrase of a status.
 */
#include <string.h>

#include "kv.h"

/* The key of "/KEY" into key[]; false if the target is not one. */
static bool target_key(struct http_span t, char key[KV_KEY_MAX + 1])
{
    if (t.n < 2 || t.p[0] != '/' || !store_key_ok(t.p + 1, t.n - 1))
        return false;
    memcpy(key, t.p + 1, t.n - 1);
    key[t.n - 1] = 0;
    return true;
}

void request_from_head(const struct http_request *h, struct request *req)
{
    size_t line = h->line.n < sizeof(req->line) ? h->line.n : sizeof(req->line) - 1;

    *req = (struct request){ .method = h->method, .keep_alive = h->keep_alive,
                             .has_body = h->has_body, .chunked = h->chunked,
                             .length = h->content_length };
    req->has_key = target_key(h->target, req->key);
    memcpy(req->line, h->line.p, line);
    req->line[line] = 0;
}

const char *status_reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 431: return "Request Header Fields Too Large";
    case 505: return "HTTP Version Not Supported";
    case 507: return "Insufficient Storage";
    default:  return "Internal Server Error";
    }
}
