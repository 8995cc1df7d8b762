/*
 * Dates and the access log.
 *
 * Both date forms are formatted by hand from gmtime_r, not strftime, so no
 * locale can change them (RFC 9110 5.6.7 wants English names); they are
 * made once per wall-clock second, not once per response.  The log is the
 * Common Log Format on stdout, which main() flushes once per poll round:
 * lines show up under `keel run` without a write per request.
 */
#include <stdio.h>
#include <time.h>

#include "httpd.h"

static const char days[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

void log_update_dates(struct server *s)
{
    time_t now = time(NULL);
    struct tm tm;

    if ((long long)now == s->date_sec && s->http_date[0])
        return;
    s->date_sec = (long long)now;
    gmtime_r(&now, &tm);
    snprintf(s->http_date, sizeof s->http_date, "%s, %02d %s %04d %02d:%02d:%02d GMT",
             days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12],
             tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    snprintf(s->log_date, sizeof s->log_date, "%02d/%s/%04d:%02d:%02d:%02d +0000",
             tm.tm_mday, months[tm.tm_mon % 12], tm.tm_year + 1900,
             tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* The request line as a log field: bytes that could break the line or
 * the quoting become \xHH, and a long line is cut with "...". */
static void escape_line(struct http_span line, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < line.n; i++) {
        unsigned char c = (unsigned char)line.p[i];
        if (o + 8 >= cap) {
            snprintf(out + o, cap - o, "...");
            return;
        }
        if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
            o += (size_t)snprintf(out + o, cap - o, "\\x%02x", c);
        else
            out[o++] = (char)c;
    }
    out[o] = '\0';
}

void log_access(const struct server *s, const char *peer,
                struct http_span line, int status, uint64_t bytes)
{
    char req[256];

    if (s->opt.quiet)
        return;
    escape_line(line, req, sizeof req);
    printf("%s - - [%s] \"%s\" %d %llu\n", peer, s->log_date,
           line.n ? req : "-", status, (unsigned long long)bytes);
}
