/* Range header parsing and the layout of (multipart) range answers (serve_range.h). */
#include "serve_range.h"
#include <ctype.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *skip_space(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* A decimal number; false when there is none or it overflows. */
static bool parse_number(const char **p, uint64_t *v)
{
    const char *s = *p;
    uint64_t n = 0;
    if (!isdigit((unsigned char)*s))
        return false;
    for (; isdigit((unsigned char)*s); s++) {
        unsigned d = (unsigned)(*s - '0');
        if (n > (UINT64_MAX - d) / 10)
            return false;
        n = n * 10 + d;
    }
    *p = s;
    *v = n;
    return true;
}

/* One range-spec ("a-b", "a-", "-n"). *keep false when it is valid but cannot
 * be satisfied for this size. False when malformed. */
static bool parse_spec(const char **p, uint64_t size, struct serve_range *r, bool *keep)
{
    uint64_t a, b;
    *keep = false;
    if (**p == '-') { /* suffix */
        (*p)++;
        if (!parse_number(p, &b))
            return false;
        if (b && size) {
            r->first = b >= size ? 0 : size - b;
            r->last = size - 1;
            *keep = true;
        }
        return true;
    }
    if (!parse_number(p, &a) || **p != '-')
        return false;
    (*p)++;
    b = UINT64_MAX;
    if (isdigit((unsigned char)**p) && (!parse_number(p, &b) || b < a))
        return false;
    if (a < size) {
        r->first = a;
        r->last = b < size - 1 ? b : size - 1;
        *keep = true;
    }
    return true;
}

enum serve_range_result serve_range_parse(const char *h, uint64_t size, struct serve_range *out,
                                          unsigned *count)
{
    *count = 0;
    if (strncmp(h, "bytes=", 6))
        return SERVE_RANGE_NONE;
    const char *p = h + 6;
    unsigned specs = 0;
    bool bad = false;
    for (;;) {
        p = skip_space(p);
        if (*p == ',') { /* empty list elements are allowed */
            p++;
            continue;
        }
        if (!*p)
            break;
        struct serve_range r;
        bool keep;
        bad = ++specs > SERVE_RANGES_MAX || !parse_spec(&p, size, &r, &keep);
        if (bad)
            break;
        if (keep)
            out[(*count)++] = r;
        p = skip_space(p);
        if ((bad = *p && *p != ','))
            break;
    }
    if (bad || !specs) { /* malformed: ignored, as if there were no Range */
        *count = 0;
        return SERVE_RANGE_NONE;
    }
    return *count ? SERVE_RANGE_OK : SERVE_RANGE_UNSATISFIABLE;
}

static void add_piece(struct serve_layout *l, const char *text, uint64_t file, uint64_t len)
{
    l->pieces[l->count++] = (struct serve_piece){l->length, len, file, text};
    l->length += len;
}

int serve_layout_make(struct serve_layout *l, const struct serve_range *r, unsigned n,
                      uint64_t size, const char *boundary)
{
    memset(l, 0, sizeof *l);
    l->pieces = calloc(2 * (size_t)n + 1, sizeof *l->pieces);
    size_t per_part = strlen(boundary) + 160;
    l->text = malloc(per_part * (n + 1));
    if (!l->pieces || !l->text) {
        serve_layout_free(l);
        return -1;
    }
    if (n == 1) {
        add_piece(l, NULL, r[0].first, r[0].last - r[0].first + 1);
        return 0;
    }
    char *t = l->text;
    for (unsigned i = 0; i < n; i++) {
        int len = snprintf(t, per_part,
                           "%s--%s\r\nContent-Type: application/octet-stream\r\n"
                           "Content-Range: bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64 "\r\n\r\n",
                           i ? "\r\n" : "", boundary, r[i].first, r[i].last, size);
        add_piece(l, t, 0, (uint64_t)len);
        add_piece(l, NULL, r[i].first, r[i].last - r[i].first + 1);
        t += len + 1;
    }
    int len = snprintf(t, per_part, "\r\n--%s--\r\n", boundary);
    add_piece(l, t, 0, (uint64_t)len);
    return 0;
}

void serve_layout_free(struct serve_layout *l)
{
    free(l->pieces);
    free(l->text);
    memset(l, 0, sizeof *l);
}

unsigned serve_layout_find(const struct serve_layout *l, uint64_t pos)
{
    unsigned lo = 0, hi = l->count - 1;
    while (lo < hi) { /* last piece starting at or before pos */
        unsigned mid = (lo + hi + 1) / 2;
        if (l->pieces[mid].at <= pos)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}
