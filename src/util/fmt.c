/* The core's formatter (see fmt.h): a subset of snprintf without libc's. */
#include <stdbool.h>
#include "sdboot/fmt.h"

struct sink {
    char *out;
    size_t cap, len;
};

static void put(struct sink *s, char c)
{
    if (s->len + 1 < s->cap)
        s->out[s->len] = c;
    s->len++;
}

static void put_number(struct sink *s, unsigned long v, unsigned base, bool negative,
                       unsigned width, char pad)
{
    char digits[20]; /* a 64-bit long in decimal */
    unsigned n = 0;
    do {
        digits[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v && n < sizeof digits);
    unsigned used = n + negative;
    if (pad == ' ')
        for (; used < width; used++)
            put(s, ' ');
    if (negative)
        put(s, '-');
    for (; used < width; used++)
        put(s, '0');
    while (n)
        put(s, digits[--n]);
}

int sdb_vfmt(char *out, size_t cap, const char *fmt, va_list ap)
{
    struct sink s = {out, cap, 0};
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            put(&s, *p);
            continue;
        }
        const char *start = p++;
        unsigned width = 0;
        bool is_long = false;
        char pad = *p == '0' ? '0' : ' ';
        while (*p >= '0' && *p <= '9')
            width = width * 10 + (unsigned)(*p++ - '0');
        if (*p == 'l')
            is_long = true, p++;
        switch (*p) {
        case 's':
            for (const char *a = va_arg(ap, const char *); *a; a++)
                put(&s, *a);
            break;
        case 'c':
            put(&s, (char)va_arg(ap, int));
            break;
        case 'd': {
            long v = is_long ? va_arg(ap, long) : va_arg(ap, int);
            put_number(&s, v < 0 ? 0ul - (unsigned long)v : (unsigned long)v, 10, v < 0, width,
                       pad);
            break;
        }
        case 'u':
        case 'x':
            put_number(&s, is_long ? va_arg(ap, unsigned long) : va_arg(ap, unsigned),
                       *p == 'u' ? 10 : 16, false, width, pad);
            break;
        case '%':
            put(&s, '%');
            break;
        default: /* not ours: shown as written, so a mistake is visible */
            for (; start <= p && *start; start++)
                put(&s, *start);
            if (!*p)
                p--;
            break;
        }
    }
    if (cap)
        out[s.len < cap ? s.len : cap - 1] = '\0';
    return (int)s.len;
}

int sdb_fmt(char *out, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = sdb_vfmt(out, cap, fmt, ap);
    va_end(ap);
    return n;
}
