/* multipart/byteranges push parser (byteranges.h). */
#include "byteranges.h"
#include <string.h>
#include "sdboot/ota.h"

enum { SEEK_DELIMITER, PART_HEADERS, PART_DATA, CLOSED };

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool starts_nocase(const char *s, const char *prefix)
{
    for (; *prefix; s++, prefix++)
        if (lower(*s) != *prefix)
            return false;
    return true;
}

int byteranges_init(struct byteranges *b, const char *ct)
{
    memset(b, 0, sizeof *b);
    if (!ct || !starts_nocase(ct, "multipart/byteranges"))
        return SDB_OTA_EMULTIPART;
    const char *p = ct;
    while (*p && !starts_nocase(p, "boundary="))
        p++;
    if (!*p)
        return SDB_OTA_EMULTIPART;
    p += 9;
    bool quoted = *p == '"';
    p += quoted;
    size_t n = 0;
    while (p[n] && (quoted ? p[n] != '"' : p[n] != ';' && p[n] != ' '))
        n++;
    if (!n || n + 2 >= sizeof b->boundary)
        return SDB_OTA_EMULTIPART;
    b->boundary[0] = b->boundary[1] = '-';
    memcpy(b->boundary + 2, p, n);
    b->boundary_len = (uint32_t)n + 2;
    return SDB_OK;
}

static bool parse_number(const char **p, uint64_t *v)
{
    uint64_t n = 0;
    const char *s = *p;
    if (*s < '0' || *s > '9')
        return false;
    for (; *s >= '0' && *s <= '9'; s++) {
        if (n > (UINT64_MAX - 9) / 10)
            return false;
        n = n * 10 + (uint64_t)(*s - '0');
    }
    *p = s;
    *v = n;
    return true;
}

/* "Content-Range: bytes a-b/size" */
static bool content_range(struct byteranges *b, const char *line)
{
    const char *p = line + 14;
    while (*p == ' ' || *p == '\t')
        p++;
    if (!starts_nocase(p, "bytes "))
        return false;
    p += 6;
    if (!parse_number(&p, &b->first) || *p++ != '-' || !parse_number(&p, &b->last) ||
        b->last < b->first)
        return false;
    b->have_range = true;
    return true;
}

static int end_line(struct byteranges *b, const struct byteranges_ops *ops)
{
    char *l = b->line;
    uint32_t n = b->line_len;
    if (n && l[n - 1] == '\r')
        n--;
    l[n] = '\0';
    bool long_line = b->line_long;
    b->line_len = 0;
    b->line_long = false;
    if (b->state == SEEK_DELIMITER) {
        if (long_line || n < b->boundary_len || memcmp(l, b->boundary, b->boundary_len))
            return SDB_OK; /* preamble, or the CRLF that ends a part's data */
        const char *rest = l + b->boundary_len;
        if (!strcmp(rest, "--"))
            b->state = CLOSED;
        else if (!*rest)
            b->state = PART_HEADERS, b->have_range = false;
        return SDB_OK;
    }
    if (long_line)
        return SDB_OTA_EMULTIPART;
    if (n) {
        if (starts_nocase(l, "content-range:") && !content_range(b, l))
            return SDB_OTA_EMULTIPART;
        return SDB_OK;
    }
    if (!b->have_range) /* a part must say which bytes it holds */
        return SDB_OTA_EMULTIPART;
    b->state = PART_DATA;
    b->left = b->last - b->first + 1;
    return ops->part(ops->ctx, b->first, b->last);
}

int byteranges_feed(struct byteranges *b, const uint8_t *data, size_t len,
                    const struct byteranges_ops *ops)
{
    size_t i = 0;
    while (i < len) {
        if (b->state == CLOSED)
            return SDB_OK; /* the epilogue is ignored */
        if (b->state == PART_DATA) {
            size_t n = len - i < b->left ? len - i : (size_t)b->left;
            int err = ops->data(ops->ctx, data + i, n);
            if (err)
                return err;
            i += n;
            if (!(b->left -= n))
                b->state = SEEK_DELIMITER;
            continue;
        }
        char c = (char)data[i++];
        if (c == '\n') {
            int err = end_line(b, ops);
            if (err)
                return err;
        } else if (b->line_len + 1 < sizeof b->line) {
            b->line[b->line_len++] = c;
        } else {
            b->line_long = true;
        }
    }
    return SDB_OK;
}

int byteranges_finish(const struct byteranges *b)
{
    return b->state == CLOSED ? SDB_OK : SDB_OTA_EMULTIPART;
}
