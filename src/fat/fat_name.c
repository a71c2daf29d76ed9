/* Names: path components, validation, UTF-8 <-> UCS-2, 8.3 aliases. */
#include "fat_internal.h"

int fat_name_check(const char *name)
{
    size_t len = strlen(name);
    /* "." and ".." end in '.', which no name may. */
    if (len == 0 || len > SDB_FAT_NAME_MAX || name[len - 1] == '.' || name[len - 1] == ' ')
        return SDB_FAT_ENAME;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        if (*p < 0x20 || *p == 0x7F || strchr("\\/:*?\"<>|", *p))
            return SDB_FAT_ENAME;
    return SDB_OK;
}

int fat_utf8_next(const char **s)
{
    const unsigned char *p = (const unsigned char *)*s;
    uint32_t c = *p++;
    if (c >= 0x80) {
        /* 2 or 3 bytes (the BMP); the shortest form only, no surrogates */
        unsigned more = (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : 0;
        uint32_t min = more == 1 ? 0x80 : 0x800;
        if (!more)
            return -1;
        c &= 0x3Fu >> more;
        for (; more; more--, p++) {
            if ((*p & 0xC0) != 0x80)
                return -1;
            c = c << 6 | (*p & 0x3F);
        }
        if (c < min || (c >= 0xD800 && c <= 0xDFFF))
            return -1;
    }
    *s = (const char *)p;
    return (int)c;
}

bool fat_ucs2_to_utf8(const uint16_t *u, unsigned n, char *out, size_t cap)
{
    size_t o = 0;
    for (unsigned i = 0; i < n && u[i]; i++) {
        unsigned c = u[i];
        size_t len = c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
        if (o + len >= cap)
            return false;
        if (len == 1) {
            out[o++] = (char)c;
            continue;
        }
        out[o++] = (char)(len == 3 ? 0xE0 | c >> 12 : 0xC0 | c >> 6);
        if (len == 3)
            out[o++] = (char)(0x80 | ((c >> 6) & 0x3F));
        out[o++] = (char)(0x80 | (c & 0x3F));
    }
    out[o] = '\0';
    return o > 0;
}

/* One character of the basis: upper-cased (noted in *kind), or '_' when 8.3
 * cannot hold it (SFN_LOSSY). */
static uint8_t sfn_map(unsigned char c, unsigned *kind)
{
    if (c >= 'a' && c <= 'z') {
        *kind |= SFN_CASE;
        return (uint8_t)(c - 'a' + 'A');
    }
    /* The characters an 8.3 name may hold below 0x80, one bit each: A-Z, 0-9
     * and $%'-_@~`!(){}^#& */
    static const uint8_t ok[16] = {0,    0,    0,    0,    0xFA, 0x23, 0xFF, 0x03,
                                   0xFF, 0xFF, 0xFF, 0xC7, 0x01, 0x00, 0x00, 0x68};
    if (c < 0x80 && (ok[c >> 3] >> (c & 7) & 1))
        return c;
    *kind |= SFN_LOSSY;
    return '_';
}

unsigned fat_sfn_basis(const char *name, uint8_t sfn[11])
{
    memset(sfn, ' ', 11);
    unsigned kind = 0, n = 0, end = 8; /* sfn[n] next, the part ends at sfn[end] */
    const char *dot = strrchr(name, '.');
    if (dot == name)
        dot = NULL; /* ".profile": no extension */
    for (const char *p = name; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (p == dot) { /* the extension */
            n = 8;
            end = 11;
            continue;
        }
        if (c == ' ' || c == '.') {
            kind |= SFN_LOSSY;
            continue;
        }
        if (c >= 0x80 && end == 8) { /* one '_' per UTF-8 sequence in the base */
            while (((unsigned char)p[1] & 0xC0) == 0x80)
                p++;
        }
        if (n == end) { /* too long: the rest of this part is lost */
            kind |= SFN_LOSSY;
            if (end == 11 || !dot)
                break;
            p = dot - 1;
            continue;
        }
        sfn[n++] = sfn_map(c, &kind);
    }
    if (sfn[0] == ' ')
        sfn[0] = '_'; /* no base */
    /* sfn_map never yields 0xE5 (a deleted entry's mark): no escape needed. */
    return kind;
}

void fat_sfn_add_tail(uint8_t sfn[11], uint32_t n)
{
    char tail[8], *t = tail + 8; /* "~" and up to 7 digits, written backwards */
    do {
        *--t = (char)('0' + n % 10);
        n /= 10;
    } while (n && t > tail + 1);
    *--t = '~';
    unsigned len = (unsigned)(tail + 8 - t), base = 0;
    while (base < 8 && sfn[base] != ' ')
        base++;
    if (base + len > 8)
        base = 8 - len;
    memcpy(sfn + base, t, len);
    memset(sfn + base + len, ' ', 8 - base - len);
}

uint8_t fat_lfn_checksum(const uint8_t sfn[11])
{
    uint8_t sum = 0;
    for (int i = 0; i < 11; i++)
        sum = (uint8_t)(((sum & 1) << 7) + (sum >> 1) + sfn[i]);
    return sum;
}

/* One part of an 8.3 name up to its padding, lower-cased when `lower`. */
static unsigned sfn_part(const uint8_t *p, unsigned len, bool lower, char *out)
{
    unsigned n = 0;
    for (; n < len && p[n] != ' '; n++)
        out[n] = (char)(lower && p[n] >= 'A' && p[n] <= 'Z' ? p[n] + 32 : p[n]);
    return n;
}

void fat_sfn_to_str(const uint8_t sfn[11], uint8_t lower, char out[13])
{
    unsigned n = sfn_part(sfn, 8, lower & 0x08, out);
    if (sfn[0] == 0x05) /* a first byte 0xE5 is stored as 0x05 */
        out[0] = (char)0xE5;
    if (sfn[8] != ' ') {
        out[n++] = '.';
        n += sfn_part(sfn + 8, 3, lower & 0x10, out + n);
    }
    out[n] = '\0';
}

bool fat_name_equal(const char *a, const char *b)
{
    for (;; a++, b++) {
        unsigned x = (unsigned char)*a, y = (unsigned char)*b;
        /* equal, or the same letter in either case */
        if (x != y && ((x | 0x20) != (y | 0x20) || (x | 0x20) - 'a' > 'z' - 'a'))
            return false;
        if (!x)
            return true;
    }
}
