/*
 * vsnprintf for the hypervisor: %d %i %u %x %X %o %p %s %c %%, the length
 * modifiers hh h l ll z t j, flags '-' '0' '#' ' ' '+', width and
 * precision (numbers or '*').  C semantics: at most size-1 characters plus
 * NUL are stored, the return value is the length the full output would
 * have.  Unknown conversions are printed verbatim.  Unit-tested against the
 * host libc in tests/unit/vsnprintf_test.c.
 */
#include <hv/lib.h>

struct out {
    char *buf;
    size_t size, len;
};

struct spec {
    bool left, zero, alt, plus, space;
    int width, prec;           /* prec -1: none */
    int lmod;                  /* 0 int, 1 long, 2 long long, -1 short, -2 char */
};

static void put(struct out *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

static void pad(struct out *o, char c, int n)
{
    while (n-- > 0)
        put(o, c);
}

static void put_str(struct out *o, const struct spec *sp, const char *s)
{
    int n;

    if (!s)
        s = "(null)";
    n = (int)strnlen(s, sp->prec >= 0 ? (size_t)sp->prec : (size_t)-1);
    if (!sp->left)
        pad(o, ' ', sp->width - n);
    for (int i = 0; i < n; i++)
        put(o, s[i]);
    if (sp->left)
        pad(o, ' ', sp->width - n);
}

static void put_num(struct out *o, const struct spec *sp, uint64_t v,
                    bool neg, unsigned base, bool upper)
{
    const char *dig = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24], pre[3] = { 0 };
    int n = 0, np = 0, zeros;

    while (v) {
        tmp[n++] = dig[v % base];
        v /= base;
    }
    if (neg)
        pre[np++] = '-';
    else if (sp->plus)
        pre[np++] = '+';
    else if (sp->space)
        pre[np++] = ' ';
    if (sp->alt && base == 16 && n) {
        pre[np++] = '0';
        pre[np++] = upper ? 'X' : 'x';
    }
    /* precision = minimum digits (default 1, so 0 prints as "0") */
    zeros = MAX(0, (sp->prec >= 0 ? sp->prec : 1) - n);
    if (sp->alt && base == 8 && zeros == 0)
        zeros = 1;                 /* "%#o" always starts with 0 */
    if (sp->zero && !sp->left && sp->prec < 0)
        zeros = MAX(zeros, sp->width - np - n);
    int total = np + zeros + n;
    if (!sp->left)
        pad(o, ' ', sp->width - total);
    for (int i = 0; i < np; i++)
        put(o, pre[i]);
    pad(o, '0', zeros);
    while (n)
        put(o, tmp[--n]);
    if (sp->left)
        pad(o, ' ', sp->width - total);
}

static const char *parse_flags(const char *f, struct spec *sp)
{
    for (;; f++) {
        if (*f == '-')
            sp->left = true;
        else if (*f == '0')
            sp->zero = true;
        else if (*f == '#')
            sp->alt = true;
        else if (*f == '+')
            sp->plus = true;
        else if (*f == ' ')
            sp->space = true;
        else
            return f;
    }
}

static const char *parse_int(const char *f, int *out, va_list *ap)
{
    int v = 0;

    if (*f == '*') {
        *out = va_arg(*ap, int);
        return f + 1;
    }
    while (*f >= '0' && *f <= '9' && v < 100000)
        v = v * 10 + (*f++ - '0');
    *out = v;
    return f;
}

static const char *parse_length(const char *f, struct spec *sp)
{
    if (f[0] == 'h' && f[1] == 'h') {
        sp->lmod = -2;
        return f + 2;
    }
    if (f[0] == 'l' && f[1] == 'l') {
        sp->lmod = 2;
        return f + 2;
    }
    if (*f == 'h')
        sp->lmod = -1;
    else if (*f == 'l' || *f == 'z' || *f == 't' || *f == 'j')
        sp->lmod = 1;
    else
        return f;
    return f + 1;
}

static int64_t get_signed(const struct spec *sp, va_list *ap)
{
    switch (sp->lmod) {
    case 2: return va_arg(*ap, long long);
    case 1: return va_arg(*ap, long);
    case -1: return (short)va_arg(*ap, int);
    case -2: return (signed char)va_arg(*ap, int);
    default: return va_arg(*ap, int);
    }
}

static uint64_t get_unsigned(const struct spec *sp, va_list *ap)
{
    switch (sp->lmod) {
    case 2: return va_arg(*ap, unsigned long long);
    case 1: return va_arg(*ap, unsigned long);
    case -1: return (unsigned short)va_arg(*ap, unsigned);
    case -2: return (unsigned char)va_arg(*ap, unsigned);
    default: return va_arg(*ap, unsigned);
    }
}

/* One conversion starting after '%'; returns where the format goes on. */
static const char *convert(struct out *o, const char *f, va_list *ap)
{
    struct spec sp = { .prec = -1 };
    const char *start = f - 1;

    f = parse_flags(f, &sp);
    f = parse_int(f, &sp.width, ap);
    if (sp.width < 0) {
        sp.left = true;
        sp.width = -sp.width;
    }
    if (*f == '.') {
        f = parse_int(f + 1, &sp.prec, ap);
        if (sp.prec < 0)
            sp.prec = -1;
    }
    f = parse_length(f, &sp);
    switch (*f) {
    case 'd': case 'i': {
        int64_t v = get_signed(&sp, ap);
        put_num(o, &sp, v < 0 ? -(uint64_t)v : (uint64_t)v, v < 0, 10, false);
        break;
    }
    case 'u': put_num(o, &sp, get_unsigned(&sp, ap), false, 10, false); break;
    case 'x': put_num(o, &sp, get_unsigned(&sp, ap), false, 16, false); break;
    case 'X': put_num(o, &sp, get_unsigned(&sp, ap), false, 16, true); break;
    case 'o': put_num(o, &sp, get_unsigned(&sp, ap), false, 8, false); break;
    case 'p':
        sp.alt = true;
        put_num(o, &sp, (uintptr_t)va_arg(*ap, void *), false, 16, false);
        break;
    case 's': put_str(o, &sp, va_arg(*ap, const char *)); break;
    case 'c':
        if (!sp.left)
            pad(o, ' ', sp.width - 1);
        put(o, (char)va_arg(*ap, int));
        if (sp.left)
            pad(o, ' ', sp.width - 1);
        break;
    case '%': put(o, '%'); break;
    default:                          /* unknown: copy it as written */
        while (start < f + (*f != 0))
            put(o, *start++);
        return *f ? f + 1 : f;
    }
    return f + 1;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct out o = { buf, size, 0 };
    va_list aq;

    va_copy(aq, ap);
    while (*fmt) {
        if (*fmt != '%') {
            put(&o, *fmt++);
            continue;
        }
        fmt = convert(&o, fmt + 1, &aq);
    }
    va_end(aq);
    if (size)
        buf[o.len < size ? o.len : size - 1] = 0;
    return (int)MIN(o.len, (size_t)0x7fffffff);
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
