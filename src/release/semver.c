/* SemVer 2.0 parsing and precedence (https://semver.org/spec/v2.0.0.html). */
#include <string.h>
#include "sdboot/semver.h"

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_ident_char(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}

/* A numeric core field: digits, no leading zero, no overflow. */
static bool parse_number(const char **p, const char *end, uint64_t *out)
{
    const char *s = *p;
    if (s == end || !is_digit(*s) || (*s == '0' && s + 1 < end && is_digit(s[1])))
        return false;
    uint64_t v = 0;
    while (s < end && is_digit(*s)) {
        if (v > (UINT64_MAX - 9) / 10)
            return false;
        v = v * 10 + (uint64_t)(*s++ - '0');
    }
    *p = s;
    *out = v;
    return true;
}

/* Dot-separated identifiers; numeric ones without leading zeros when `strict`. */
static bool valid_idents(const char *s, const char *end, bool strict)
{
    if (s == end)
        return false;
    while (s <= end) {
        const char *dot = s;
        while (dot < end && *dot != '.')
            dot++;
        if (dot == s)
            return false;
        bool numeric = true;
        for (const char *c = s; c < dot; c++) {
            if (!is_ident_char(*c))
                return false;
            numeric &= is_digit(*c);
        }
        if (strict && numeric && *s == '0' && dot - s > 1)
            return false;
        if (dot == end)
            return true;
        s = dot + 1;
    }
    return true;
}

int sdb_semver_parse(const char *text, uint32_t len, struct sdb_semver *v)
{
    if (!text || !v)
        return SDB_SEMVER_EINVAL;
    const char *p = text, *end = text + (len ? len : strlen(text));
    memset(v, 0, sizeof *v);
    if (!parse_number(&p, end, &v->major) || p == end || *p++ != '.' ||
        !parse_number(&p, end, &v->minor) || p == end || *p++ != '.' ||
        !parse_number(&p, end, &v->patch))
        return SDB_SEMVER_EINVAL;
    if (p < end && *p == '-') {
        const char *s = ++p;
        while (p < end && *p != '+')
            p++;
        if (!valid_idents(s, p, true))
            return SDB_SEMVER_EINVAL;
        v->pre = s;
        v->pre_len = (uint32_t)(p - s);
    }
    if (p < end && *p == '+') {
        const char *s = ++p;
        if (!valid_idents(s, end, false))
            return SDB_SEMVER_EINVAL;
        v->build = s;
        v->build_len = (uint32_t)(end - s);
        p = end;
    }
    return p == end ? SDB_OK : SDB_SEMVER_EINVAL;
}

static int cmp_u64(uint64_t a, uint64_t b)
{
    return a < b ? -1 : a > b;
}

/* Compare one pre-release identifier each (spec item 11.4). */
static int cmp_ident(const char *a, size_t alen, const char *b, size_t blen)
{
    bool an = true, bn = true;
    for (size_t i = 0; i < alen; i++)
        an &= is_digit(a[i]);
    for (size_t i = 0; i < blen; i++)
        bn &= is_digit(b[i]);
    if (an && bn) /* no leading zeros: longer is larger */
        return alen != blen             ? (alen < blen ? -1 : 1)
               : memcmp(a, b, alen) < 0 ? -1
                                        : memcmp(a, b, alen) > 0;
    if (an != bn)
        return an ? -1 : 1;
    size_t n = alen < blen ? alen : blen;
    int c = memcmp(a, b, n);
    return c ? (c < 0 ? -1 : 1) : cmp_u64(alen, blen);
}

int sdb_semver_compare(const struct sdb_semver *a, const struct sdb_semver *b)
{
    int c = cmp_u64(a->major, b->major);
    if (!c)
        c = cmp_u64(a->minor, b->minor);
    if (!c)
        c = cmp_u64(a->patch, b->patch);
    if (c)
        return c;
    if (!a->pre || !b->pre) /* a release follows its pre-releases */
        return a->pre ? -1 : b->pre ? 1 : 0;
    const char *pa = a->pre, *ea = a->pre + a->pre_len, *pb = b->pre, *eb = b->pre + b->pre_len;
    while (pa < ea && pb < eb) {
        const char *da = memchr(pa, '.', (size_t)(ea - pa)),
                   *db = memchr(pb, '.', (size_t)(eb - pb));
        if (!da)
            da = ea;
        if (!db)
            db = eb;
        if ((c = cmp_ident(pa, (size_t)(da - pa), pb, (size_t)(db - pb))))
            return c;
        pa = da + (da < ea);
        pb = db + (db < eb);
    }
    return pa < ea ? 1 : pb < eb ? -1 : 0;
}

int sdb_semver_should_update(const char *installed, const char *offered, bool forced)
{
    struct sdb_semver off, ins;
    if (sdb_semver_parse(offered, 0, &off))
        return SDB_SEMVER_EINVAL;
    if (!installed || !strcmp(installed, SDB_VERSION_NONE) ||
        !strcmp(installed, SDB_VERSION_UNKNOWN) || forced)
        return SDB_OK;
    if (sdb_semver_parse(installed, 0, &ins))
        return SDB_SEMVER_EINVAL;
    return sdb_semver_compare(&off, &ins) > 0 ? SDB_OK : SDB_POLICY_EOLDER;
}
