/* `versions` manifest parser and writer (see manifest.h for the format). */
#include <stdio.h>
#include <string.h>
#include "sdboot/hash.h"
#include "sdboot/manifest.h"
#include "sdboot/semver.h"

struct field {
    const char *p;
    size_t len;
};

static bool field_is(const struct field *f, const char *s)
{
    return f->len == strlen(s) && !memcmp(f->p, s, f->len);
}

static int copy_field(const struct field *f, char *out, size_t cap)
{
    if (f->len == 0 || f->len >= cap)
        return -1;
    memcpy(out, f->p, f->len);
    out[f->len] = '\0';
    return 0;
}

static int check_filename(const struct field *f, char *out)
{
    if (copy_field(f, out, SDB_FILENAME_MAX) || !strcmp(out, ".") || !strcmp(out, ".."))
        return SDB_MF_EFILENAME;
    for (size_t i = 0; i < f->len; i++) {
        unsigned char c = (unsigned char)f->p[i];
        if (c == '/' || c == '\\' || c <= ' ' || c == 0x7F || strchr("?#%\"<>|*:", c))
            return SDB_MF_EFILENAME;
    }
    return SDB_OK;
}

static int check_board(const struct field *f, char *out)
{
    if (copy_field(f, out, SDB_BOARD_MAX))
        return SDB_MF_EBOARD;
    for (size_t i = 0; i < f->len; i++) {
        char c = f->p[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || c == '.';
        if (!ok)
            return SDB_MF_EBOARD;
    }
    return SDB_OK;
}

static int parse_size(const struct field *f, uint64_t *size)
{
    if (f->len == 0 || f->len > 19)
        return SDB_MF_ESIZE;
    uint64_t v = 0;
    for (size_t i = 0; i < f->len; i++) {
        if (f->p[i] < '0' || f->p[i] > '9')
            return SDB_MF_ESIZE;
        v = v * 10 + (uint64_t)(f->p[i] - '0');
    }
    *size = v;
    return SDB_OK;
}

static int parse_option(const struct field *f, struct sdb_manifest_entry *e, unsigned *seen)
{
    const char *eq = memchr(f->p, '=', f->len);
    if (!eq)
        return SDB_MF_EKEY;
    struct field key = {f->p, (size_t)(eq - f->p)}, val = {eq + 1, f->len - key.len - 1};
    unsigned bit;
    int err;
    if (field_is(&key, "sha256")) {
        bit = 1;
        e->has_sha256 = true;
        err = sdb_hex_decode(val.p, val.len, e->sha256, 32) ? SDB_OK : SDB_MF_ESHA256;
    } else if (field_is(&key, "size")) {
        bit = 2;
        e->has_size = true;
        err = parse_size(&val, &e->size);
    } else if (field_is(&key, "board")) {
        bit = 4;
        err = check_board(&val, e->board);
    } else if (field_is(&key, "entries")) {
        bit = 8;
        uint64_t n = 0;
        e->has_entries = true;
        err = parse_size(&val, &n) || n > UINT32_MAX ? SDB_MF_EENTRIES : SDB_OK;
        e->entries = (uint32_t)n;
    } else if (field_is(&key, "index")) {
        bit = 16;
        e->has_index = true;
        err = sdb_hex_decode(val.p, val.len, e->index_sha256, 32) ? SDB_OK : SDB_MF_EINDEX;
    } else {
        return SDB_MF_EKEY;
    }
    if (*seen & bit)
        return SDB_MF_EDUPKEY;
    *seen |= bit;
    return err;
}

/* Split a line at ';' (a trailing empty field is the seed's trailing ';'). */
static int parse_line(const char *line, size_t len, struct sdb_manifest_entry *e)
{
    struct field fields[8];
    unsigned n = 0;
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && line[i] != ';')
            continue;
        if (n == 8)
            return SDB_MF_EKEY;
        fields[n++] = (struct field){line + start, i - start};
        start = i + 1;
    }
    if (n > 3 && fields[n - 1].len == 0)
        n--; /* trailing ';' */
    if (n < 3)
        return SDB_MF_EFIELDS;
    memset(e, 0, sizeof *e);
    struct sdb_semver v;
    if (copy_field(&fields[0], e->version, SDB_VERSION_MAX) ||
        sdb_semver_parse(fields[0].p, (uint32_t)fields[0].len, &v))
        return SDB_MF_EVERSION;
    int err = check_filename(&fields[1], e->filename);
    if (err)
        return err;
    if (!sdb_hex_decode(fields[2].p, fields[2].len, e->sha1, 20))
        return SDB_MF_ESHA1;
    unsigned seen = 0;
    for (unsigned i = 3; i < n; i++)
        if ((err = parse_option(&fields[i], e, &seen)))
            return err;
    return SDB_OK;
}

static int fail(struct sdb_manifest_error *err, int code, uint32_t line)
{
    if (err) {
        err->code = code;
        err->line = line;
    }
    return code;
}

int sdb_manifest_parse(const char *buf, size_t len, sdb_manifest_cb cb, void *ctx,
                       struct sdb_manifest_error *err)
{
    if (!buf && len)
        return fail(err, SDB_E_INVAL, 0);
    if (len > SDB_MANIFEST_MAX)
        return fail(err, SDB_MF_ETOOBIG, 0);
    struct sdb_manifest_entry e;
    char prev[SDB_VERSION_MAX] = "";
    uint32_t line_no = 0, releases = 0;
    size_t pos = 0;
    while (pos < len) {
        size_t end = pos;
        while (end < len && buf[end] != '\n')
            end++;
        line_no++;
        size_t line_len = end - pos;
        if (line_len && buf[pos + line_len - 1] == '\r')
            line_len--;
        if (line_len > SDB_MANIFEST_LINE_MAX)
            return fail(err, SDB_MF_ELINE, line_no);
        for (size_t i = 0; i < line_len; i++)
            if ((unsigned char)buf[pos + i] < 0x20 || buf[pos + i] == 0x7F)
                return fail(err, SDB_MF_ECHARS, line_no);
        const char *line = buf + pos;
        pos = end + 1;
        if (line_len == 0 || line[0] == '#')
            continue;
        int code = parse_line(line, line_len, &e);
        if (code)
            return fail(err, code, line_no);
        e.line = line_no;
        if (prev[0] && sdb_semver_should_update(prev, e.version, false))
            return fail(err, SDB_MF_EORDER, line_no);
        memcpy(prev, e.version, sizeof prev);
        releases++;
        if (cb && (code = cb(ctx, &e)))
            return fail(err, code, line_no);
    }
    return releases ? fail(err, SDB_OK, 0) : fail(err, SDB_MF_EEMPTY, 0);
}

static int keep_last(void *ctx, const struct sdb_manifest_entry *e)
{
    *(struct sdb_manifest_entry *)ctx = *e;
    return SDB_OK;
}

int sdb_manifest_latest(const char *buf, size_t len, struct sdb_manifest_entry *latest,
                        struct sdb_manifest_error *err)
{
    return sdb_manifest_parse(buf, len, keep_last, latest, err);
}

int sdb_manifest_format(const struct sdb_manifest_entry *e, char *out, size_t cap)
{
    char sha1[41], sha256[65];
    sdb_hex_encode(e->sha1, 20, sha1);
    int n = snprintf(out, cap, "%s;%s;%s", e->version, e->filename, sha1);
    if (n >= 0 && (size_t)n < cap && e->has_sha256) {
        sdb_hex_encode(e->sha256, 32, sha256);
        n += snprintf(out + n, cap - (size_t)n, ";sha256=%s", sha256);
    }
    if (n >= 0 && (size_t)n < cap && e->has_size)
        n += snprintf(out + n, cap - (size_t)n, ";size=%llu", (unsigned long long)e->size);
    if (n >= 0 && (size_t)n < cap && e->board[0])
        n += snprintf(out + n, cap - (size_t)n, ";board=%s", e->board);
    if (n >= 0 && (size_t)n < cap && e->has_index) {
        sdb_hex_encode(e->index_sha256, 32, sha256);
        n += snprintf(out + n, cap - (size_t)n, ";index=%s", sha256);
    }
    if (n >= 0 && (size_t)n < cap && e->has_entries)
        n += snprintf(out + n, cap - (size_t)n, ";entries=%lu", (unsigned long)e->entries);
    if (n >= 0 && (size_t)n + 1 < cap) {
        out[n++] = '\n';
        out[n] = '\0';
        return n;
    }
    return SDB_E_BUFSIZE;
}
