/* Names: path components, validation, UTF-8 <-> UCS-2, 8.3 aliases. */
#include "fat_internal.h"

const char *fat_path_next(const char *path, char *name, size_t cap, int *err)
{
    while (*path == '/')
        path++;
    size_t n = 0;
    while (path[n] && path[n] != '/')
        n++;
    if (n >= cap) {
        *err = SDB_FAT_ENAME;
        return NULL;
    }
    memcpy(name, path, n);
    name[n] = '\0';
    *err = SDB_OK;
    return path + n;
}

int fat_name_check(const char *name)
{
    size_t len = strlen(name);
    if (len == 0 || len > SDB_FAT_NAME_MAX || !strcmp(name, ".") || !strcmp(name, ".."))
        return SDB_FAT_ENAME;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        if (*p < 0x20 || *p == 0x7F || strchr("\\/:*?\"<>|", *p))
            return SDB_FAT_ENAME;
    if (name[len - 1] == '.' || name[len - 1] == ' ')
        return SDB_FAT_ENAME;
    return SDB_OK;
}

int fat_utf8_to_ucs2(const char *s, uint16_t *out, unsigned cap)
{
    const unsigned char *p = (const unsigned char *)s;
    unsigned n = 0;
    while (*p) {
        uint32_t c;
        if (*p < 0x80) {
            c = *p++;
        } else if ((*p & 0xE0) == 0xC0 && (p[1] & 0xC0) == 0x80) {
            c = ((uint32_t)(*p & 0x1F) << 6) | (p[1] & 0x3F);
            p += 2;
            if (c < 0x80)
                return SDB_FAT_ENAME;
        } else if ((*p & 0xF0) == 0xE0 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80) {
            c = ((uint32_t)(*p & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
            p += 3;
            if (c < 0x800 || (c >= 0xD800 && c <= 0xDFFF))
                return SDB_FAT_ENAME;
        } else {
            return SDB_FAT_ENAME; /* invalid UTF-8 or outside the BMP */
        }
        if (n == cap)
            return SDB_FAT_ENAME;
        out[n++] = (uint16_t)c;
    }
    return (int)n;
}

bool fat_ucs2_to_utf8(const uint16_t *u, unsigned n, char *out, size_t cap)
{
    size_t o = 0;
    for (unsigned i = 0; i < n; i++) {
        uint16_t c = u[i];
        uint8_t b[3];
        size_t len;
        if (c < 0x80) {
            b[0] = (uint8_t)c;
            len = 1;
        } else if (c < 0x800) {
            b[0] = (uint8_t)(0xC0 | (c >> 6));
            b[1] = (uint8_t)(0x80 | (c & 0x3F));
            len = 2;
        } else {
            b[0] = (uint8_t)(0xE0 | (c >> 12));
            b[1] = (uint8_t)(0x80 | ((c >> 6) & 0x3F));
            b[2] = (uint8_t)(0x80 | (c & 0x3F));
            len = 3;
        }
        if (o + len >= cap)
            return false;
        memcpy(out + o, b, len);
        o += len;
    }
    out[o] = '\0';
    return true;
}

static bool sfn_char_ok(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("$%'-_@~`!(){}^#&", c);
}

bool fat_name_is_sfn(const char *name, uint8_t sfn[11])
{
    memset(sfn, ' ', 11);
    const char *dot = strchr(name, '.');
    size_t base = dot ? (size_t)(dot - name) : strlen(name);
    size_t ext = dot ? strlen(dot + 1) : 0;
    if (base == 0 || base > 8 || ext > 3 || (dot && (ext == 0 || strchr(dot + 1, '.'))))
        return false;
    for (size_t i = 0; i < base; i++) {
        if (!sfn_char_ok(name[i]))
            return false;
        sfn[i] = (uint8_t)name[i];
    }
    for (size_t i = 0; i < ext; i++) {
        if (!sfn_char_ok(dot[1 + i]))
            return false;
        sfn[8 + i] = (uint8_t)dot[1 + i];
    }
    return sfn[0] != 0xE5;
}

static char sfn_map(unsigned char c, bool *lossy)
{
    if (c >= 'a' && c <= 'z')
        return (char)(c - 'a' + 'A');
    if (c < 0x80 && sfn_char_ok((char)c))
        return (char)c;
    *lossy = true;
    return '_';
}

void fat_sfn_basis(const char *name, uint8_t sfn[11], bool *lossy)
{
    memset(sfn, ' ', 11);
    *lossy = false;
    const char *last_dot = strrchr(name, '.');
    if (last_dot == name)
        last_dot = NULL; /* ".profile": no extension */
    const char *end = last_dot ? last_dot : name + strlen(name);
    unsigned n = 0;
    for (const char *p = name; p < end; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == ' ' || c == '.') {
            *lossy = true;
            continue;
        }
        if (c >= 0x80) { /* one '_' per UTF-8 sequence */
            while ((unsigned char)p[1] >= 0x80 && ((unsigned char)p[1] & 0xC0) == 0x80)
                p++;
        }
        if (n == 8) {
            *lossy = true;
            break;
        }
        sfn[n++] = (uint8_t)sfn_map(c, lossy);
    }
    if (n == 0)
        sfn[n++] = '_';
    if (last_dot) {
        unsigned e = 0;
        for (const char *p = last_dot + 1; *p; p++) {
            unsigned char c = (unsigned char)*p;
            if (c == ' ') {
                *lossy = true;
                continue;
            }
            if (e == 3) {
                *lossy = true;
                break;
            }
            sfn[8 + e++] = (uint8_t)sfn_map(c, lossy);
        }
    }
    if (sfn[0] == 0xE5)
        sfn[0] = '_';
}

void fat_sfn_add_tail(uint8_t sfn[11], uint32_t n)
{
    char tail[9];
    unsigned len = 0;
    char digits[8];
    unsigned d = 0;
    do {
        digits[d++] = (char)('0' + n % 10);
        n /= 10;
    } while (n && d < 7);
    tail[len++] = '~';
    while (d)
        tail[len++] = digits[--d];
    unsigned base = 0;
    while (base < 8 && sfn[base] != ' ')
        base++;
    if (base + len > 8)
        base = 8 - len;
    memcpy(sfn + base, tail, len);
    for (unsigned i = base + len; i < 8; i++)
        sfn[i] = ' ';
}

uint8_t fat_lfn_checksum(const uint8_t sfn[11])
{
    uint8_t sum = 0;
    for (int i = 0; i < 11; i++)
        sum = (uint8_t)(((sum & 1) << 7) + (sum >> 1) + sfn[i]);
    return sum;
}

void fat_sfn_to_str(const uint8_t sfn[11], char out[13])
{
    unsigned n = 0;
    for (int i = 0; i < 8 && sfn[i] != ' '; i++)
        out[n++] = (char)(i == 0 && sfn[0] == 0x05 ? 0xE5 : sfn[i]);
    if (sfn[8] != ' ') {
        out[n++] = '.';
        for (int i = 8; i < 11 && sfn[i] != ' '; i++)
            out[n++] = (char)sfn[i];
    }
    out[n] = '\0';
}

bool fat_name_equal(const char *a, const char *b)
{
    for (;; a++, b++) {
        char x = *a, y = *b;
        if (x >= 'a' && x <= 'z')
            x = (char)(x - 32);
        if (y >= 'a' && y <= 'z')
            y = (char)(y - 32);
        if (x != y)
            return false;
        if (!x)
            return true;
    }
}
