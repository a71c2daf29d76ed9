/* Streaming tar (+gzip) reader with safety rules (see tar.h). */
#include <string.h>
#include "sdboot/inflate.h"
#include "sdboot/tar.h"

enum { ST_HEADER, ST_DATA, ST_EXT, ST_PAD, ST_END, ST_ERROR };

static int fail(struct sdb_tar *t, int err)
{
    t->state = ST_ERROR;
    t->error = err;
    return err;
}

/* ---- path rules ---- */

/* CON, PRN, AUX, NUL, or COM1..9 / LPT1..9, in any case, before any dot. */
static bool reserved_device(const char *c, size_t len)
{
    static const char names[] = "CONPRNAUXNULCOMLPT"; /* 3 letters each; the last 2 take a digit */
    size_t base = 0;
    while (base < len && c[base] != '.')
        base++;
    const char *n = names, *end = names + 12;
    if (base == 4 && c[3] >= '1' && c[3] <= '9')
        n = end, end += 6;
    else if (base != 3)
        return false;
    for (; n < end; n += 3) /* & ~0x20 upper-cases a letter and only maps its own two cases */
        if ((c[0] & ~0x20) == n[0] && (c[1] & ~0x20) == n[1] && (c[2] & ~0x20) == n[2])
            return true;
    return false;
}

static int check_component(const char *c, size_t len)
{
    if (len > 255)
        return SDB_TAR_EFATNAME;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)c[i];
        if (ch < 0x20 || ch == 0x7F || strchr("<>:\"|?*", ch))
            return SDB_TAR_EFATNAME;
    }
    if (c[len - 1] == '.' || c[len - 1] == ' ' || reserved_device(c, len))
        return SDB_TAR_EFATNAME;
    return SDB_OK;
}

static bool equals_nocase(const char *a, size_t len, const char *b)
{
    if (strlen(b) != len)
        return false;
    for (size_t i = 0; i < len; i++) {
        char x = a[i] >= 'A' && a[i] <= 'Z' ? (char)(a[i] + 32) : a[i];
        if (x != b[i])
            return false;
    }
    return true;
}

int sdb_tar_check_path(const char *raw, char *out, bool *skip)
{
    *skip = false;
    if (!raw[0])
        return SDB_TAR_EEMPTYNAME;
    if (raw[0] == '/')
        return SDB_TAR_EABSOLUTE;
    if (strchr(raw, '\\'))
        return SDB_TAR_EBACKSLASH;
    size_t o = 0; /* bytes of out so far: 0 until the first component kept */
    for (const char *p = raw;; p++) {
        const char *c = p;
        while (*p && *p != '/')
            p++;
        size_t len = (size_t)(p - c);
        if (len == 2 && c[0] == '.' && c[1] == '.')
            return SDB_TAR_EDOTDOT;
        if (len && !(len == 1 && c[0] == '.')) {
            int err = check_component(c, len);
            if (err)
                return err;
            if (!o && equals_nocase(c, len, SDB_TAR_RESERVED_DIR))
                return SDB_TAR_ERESERVED;
            if (o + (o ? 1 : 0) + len > SDB_TAR_PATH_MAX)
                return SDB_TAR_EPATHLEN;
            if (o)
                out[o++] = '/';
            memcpy(out + o, c, len);
            o += len;
        }
        if (!*p)
            break;
    }
    out[o] = '\0';
    *skip = o == 0;
    return SDB_OK;
}

uint64_t sdb_tar_name_hash(const char *path)
{
    uint64_t h = 1469598103934665603ull;
    for (const char *p = path; *p; p++) {
        char c = *p >= 'a' && *p <= 'z' ? (char)(*p - 32) : *p;
        h = (h ^ (uint8_t)c) * 1099511628211ull;
    }
    return h;
}

/* The caller's name table, when the build takes one (SDB_TAR_CALLER_CHECKS). */
#define NAMES(t) (SDB_TAR_CALLER_CHECKS ? (t)->names : NULL)

/* Count the entry against the limit; with a name table, refuse a name seen before. */
static int remember_name(struct sdb_tar *t, const char *path)
{
    uint64_t *names = NAMES(t);
    uint64_t h = names ? sdb_tar_name_hash(path) : 0;
    for (uint32_t i = 0; names && i < t->entries; i++)
        if (names[i] == h)
            return SDB_TAR_EDUPLICATE;
    if (t->max_entries && t->entries == t->max_entries)
        return SDB_TAR_ETOOMANY;
    if (names)
        names[t->entries] = h;
    t->entries++;
    return SDB_OK;
}

/* ---- header fields ---- */

static bool parse_numeric(const uint8_t *f, size_t len, uint64_t *out)
{
    if (f[0] & 0x80) { /* GNU base-256 */
        uint64_t v = f[0] & 0x7F;
        for (size_t i = 1; i < len; i++) {
            if (v >> 56)
                return false;
            v = v << 8 | f[i];
        }
        *out = v;
        return true;
    }
    size_t i = 0;
    while (i < len && f[i] == ' ')
        i++;
    uint64_t v = 0;
    bool digits = false;
    for (; i < len && f[i] >= '0' && f[i] <= '7'; i++, digits = true) {
        if (v >> 60)
            return false;
        v = v << 3 | (uint64_t)(f[i] - '0');
    }
    for (; i < len; i++)
        if (f[i] != ' ' && f[i] != '\0')
            return false;
    *out = v;
    return digits;
}

static bool checksum_ok(const uint8_t *b)
{
    uint64_t stored;
    if (!parse_numeric(b + 148, 8, &stored))
        return false;
    uint32_t u = 0;
    int32_t s = 0;
    for (int i = 0; i < 512; i++) {
        uint8_t c = i >= 148 && i < 156 ? ' ' : b[i];
        u += c;
        s += (int8_t)c;
    }
    return stored == u || (int64_t)stored == s;
}

static bool all_zero(const uint8_t *b, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (b[i])
            return false;
    return true;
}

/* A NUL-padded header field as a string; its length. */
static size_t copy_field(char *out, const uint8_t *f, size_t len)
{
    size_t n = 0;
    while (n < len && f[n])
        n++;
    memcpy(out, f, n);
    out[n] = '\0';
    return n;
}

/* ---- pax records: "LEN key=value\n" ---- */

#if SDB_TAR_PAX
static int parse_pax(struct sdb_tar *t)
{
    const char *p = t->ext, *end = t->ext + t->ext_len;
    while (p < end) {
        size_t len = 0;
        const char *q = p;
        while (q < end && *q >= '0' && *q <= '9' && len < 100000)
            len = len * 10 + (size_t)(*q++ - '0');
        /* The length counts its own digits, the space and the newline: a
         * record no longer than "LEN \n" has no key and would end before it. */
        if (q == p || q >= end || *q != ' ' || len <= (size_t)(q - p) + 1 ||
            len > (size_t)(end - p) || p[len - 1] != '\n')
            return SDB_TAR_EPAX;
        const char *key = q + 1, *rec_end = p + len - 1;
        const char *eq = memchr(key, '=', (size_t)(rec_end - key));
        if (!eq)
            return SDB_TAR_EPAX;
        size_t klen = (size_t)(eq - key), vlen = (size_t)(rec_end - eq - 1);
        const char *val = eq + 1;
        if (klen == 4 && !memcmp(key, "path", 4)) {
            if (vlen > SDB_TAR_PATH_MAX)
                return SDB_TAR_EPATHLEN;
            char *name = t->entry.path; /* free until the entry's header */
            memcpy(name, val, vlen);
            name[vlen] = '\0';
            if (strlen(name) != vlen)
                return SDB_TAR_EPAX;
            t->name_from = 'x';
        } else if (klen == 4 && !memcmp(key, "size", 4)) {
            uint64_t v = 0;
            if (vlen == 0 || vlen > 19)
                return SDB_TAR_EPAX;
            for (size_t i = 0; i < vlen; i++) {
                if (val[i] < '0' || val[i] > '9')
                    return SDB_TAR_EPAX;
                v = v * 10 + (uint64_t)(val[i] - '0');
            }
            t->pax_size = v;
            t->have_pax_size = true;
        } else if (klen == 8 && !memcmp(key, "linkpath", 8)) {
            /* only links use it, and links are refused by type */
        }
        p += len;
    }
    return SDB_OK;
}
#else
#define parse_pax(t) SDB_TAR_ETYPE
#endif

/* ---- entries ---- */

static int type_error(uint8_t type)
{
    switch (type) {
    case '1':
        return SDB_TAR_EHARDLINK;
    case '2':
        return SDB_TAR_ESYMLINK;
    case '3':
    case '4':
        return SDB_TAR_EDEVICE;
    case '6':
        return SDB_TAR_EFIFO;
    default:
        return SDB_TAR_ETYPE;
    }
}

static void clear_overrides(struct sdb_tar *t)
{
    t->name_from = 0;
    t->have_pax_size = false;
}

/* The next size bytes are a body read in state st, then its padding to a block. */
static void expect_body(struct sdb_tar *t, int st, uint64_t size)
{
    t->remaining = size;
    t->pad = (0u - (uint32_t)size) % 512;
    t->state = size ? st : ST_HEADER;
}

static int begin_ext(struct sdb_tar *t, uint8_t kind, uint64_t size)
{
    if ((kind == 'L' || kind == 'x') && size > SDB_TAR_EXT_MAX)
        return kind == 'L' ? SDB_TAR_EPATHLEN : SDB_TAR_EPAX;
    t->ext_kind = kind;
    t->ext_len = 0;
    expect_body(t, ST_EXT, size);
    return SDB_OK;
}

static int end_ext(struct sdb_tar *t)
{
    t->ext[t->ext_len] = '\0';
    if (t->ext_kind == 'L') {
        const char *nul = memchr(t->ext, '\0', t->ext_len);
        size_t n = nul ? (size_t)(nul - t->ext) : t->ext_len;
        if (n > SDB_TAR_PATH_MAX)
            return SDB_TAR_EPATHLEN;
        if (SDB_TAR_PAX && t->name_from == 'x')
            return SDB_OK; /* a pax path names the entry */
        memcpy(t->entry.path, t->ext, n);
        t->entry.path[n] = '\0';
        t->name_from = 'L';
    } else if (SDB_TAR_PAX && t->ext_kind == 'x') {
        return parse_pax(t);
    }
    return SDB_OK;
}

static int begin_entry(struct sdb_tar *t, uint8_t type, uint64_t size)
{
    const uint8_t *b = t->block;
    char raw[SDB_TAR_PATH_MAX + 2 + 256];
    if (t->name_from)
        strcpy(raw, t->entry.path);
    else {
        size_t n = 0;
        if (!memcmp(b + 257, "ustar\0", 6) && b[345]) { /* POSIX prefix */
            n = copy_field(raw, b + 345, 155);
            raw[n++] = '/';
        }
        copy_field(raw + n, b, 100);
    }
    if (SDB_TAR_PAX && t->have_pax_size && size != t->pax_size)
        return SDB_TAR_ESIZE;
    clear_overrides(t);
    if (type != '0' && type != '\0' && type != '7' && type != '5')
        return type_error(type);
    struct sdb_tar_entry *e = &t->entry;
    bool skip;
    int err = sdb_tar_check_path(raw, e->path, &skip);
    if (err)
        return err;
    e->type = type == '5' ? SDB_TAR_DIR : SDB_TAR_FILE;
    if (e->type == SDB_TAR_DIR && size)
        return SDB_TAR_EHEADER;
    e->size = size;
    uint64_t mode = 0;
    parse_numeric(b + 100, 8, &mode);
    e->mode = (uint32_t)mode;
    if (SDB_TAR_CALLER_CHECKS) { /* the caller's limits, when the build takes them */
        if (t->lim.max_file && size > t->lim.max_file)
            return SDB_TAR_EFILEBIG;
        t->total += size;
        if (t->lim.max_total && t->total > t->lim.max_total)
            return SDB_TAR_ETOTALBIG;
    }
    if (skip) /* "./" itself */
        return SDB_OK;
    if ((err = remember_name(t, e->path)))
        return err;
    if (t->ops && t->ops->begin && (err = t->ops->begin(t->ops->ctx, e)))
        return err;
    expect_body(t, ST_DATA, e->size);
    if (e->size)
        return SDB_OK;
    return t->ops && t->ops->end ? t->ops->end(t->ops->ctx) : SDB_OK;
}

static int header(struct sdb_tar *t)
{
    const uint8_t *b = t->block;
    if (all_zero(b, 512)) {
        if (t->name_from || (SDB_TAR_PAX && t->have_pax_size))
            return SDB_TAR_ETRUNCATED;
        if (++t->zero_blocks == 2)
            t->state = ST_END;
        return SDB_OK;
    }
    if (t->zero_blocks)
        return SDB_TAR_EHEADER; /* a lone zero block inside the archive */
    if (!checksum_ok(b))
        return SDB_TAR_ECHECKSUM;
    if (memcmp(b + 257, "ustar", 5))
        return SDB_TAR_EHEADER;
    uint64_t size;
    if (!parse_numeric(b + 124, 12, &size))
        return SDB_TAR_EHEADER;
    uint8_t type = b[156];
    if (!SDB_TAR_PAX && (type == 'x' || type == 'g'))
        return SDB_TAR_ETYPE; /* a build without pax headers (tar.h) */
    if (type == 'L' || type == 'K' || type == 'x' || type == 'g')
        return begin_ext(t, type, size);
    return begin_entry(t, type, size);
}

/* ---- the byte pump ---- */

static int pump(struct sdb_tar *t, const uint8_t *p, size_t len)
{
    while (len) {
        size_t n;
        int err = SDB_OK;
        switch (t->state) {
        case ST_HEADER:
            n = 512 - t->fill < len ? 512 - t->fill : len;
            memcpy(t->block + t->fill, p, n);
            t->fill += (uint32_t)n;
            if (t->fill == 512) {
                t->fill = 0;
                err = header(t);
            }
            break;
        case ST_DATA:
        case ST_EXT:
            n = t->remaining < len ? (size_t)t->remaining : len;
            if (t->state == ST_DATA && t->ops && t->ops->data)
                err = t->ops->data(t->ops->ctx, p, n);
            if (t->state == ST_EXT && t->ext_kind != 'g' && t->ext_kind != 'K') {
                memcpy(t->ext + t->ext_len, p, n);
                t->ext_len += (uint32_t)n;
            }
            t->remaining -= n;
            if (!err && t->remaining == 0) {
                if (t->state == ST_DATA && t->ops && t->ops->end)
                    err = t->ops->end(t->ops->ctx);
                else if (t->state == ST_EXT)
                    err = end_ext(t);
                t->state = t->pad ? ST_PAD : ST_HEADER;
            }
            break;
        case ST_PAD:
            n = t->pad < len ? t->pad : len;
            t->pad -= (uint32_t)n;
            if (!t->pad)
                t->state = ST_HEADER;
            break;
        case ST_END:
            n = len;
            if (!all_zero(p, len))
                err = SDB_TAR_ETRAILING;
            break;
        default:
            return t->error;
        }
        if (err)
            return fail(t, err);
        p += n;
        len -= n;
    }
    return SDB_OK;
}

/* ---- gzip ---- */

/* Constant false in a build without gzip (tar.h SDB_TAR_GZIP), so that the
 * glue below drops out of it. */
#define GZIP_ON(t) (SDB_TAR_GZIP && (t)->gzip)

static int gzip_start(struct sdb_tar *t)
{
    if (!SDB_TAR_GZIP || !t->arena || t->arena_len <= SDB_TAR_ZOUT)
        return SDB_TAR_EGZIP;
    t->zout = t->arena + t->arena_len - SDB_TAR_ZOUT;
    int err = sdb_inflate_init(&t->z, t->arena, t->arena_len - SDB_TAR_ZOUT);
    if (err)
        return err;
    t->gzip = true;
    return SDB_OK;
}

/* Inflate p into zout and pump zout into the tar parser each time it is full
 * (and at the stream's end): pieces stay aligned to the tar stream's sectors
 * across calls, whatever the input's split. */
static int gunzip(struct sdb_tar *t, const uint8_t *p, size_t len)
{
    if (t->gzip_done)
        return len ? fail(t, SDB_TAR_ETRAILING) : SDB_OK;
    for (;;) {
        size_t used, produced, room = SDB_TAR_ZOUT - t->zout_have;
        bool end;
        int rc =
            sdb_inflate_run(&t->z, p, len, &used, t->zout + t->zout_have, room, &produced, &end);
        p += used;
        len -= used;
        t->zout_have = (uint16_t)(t->zout_have + produced);
        bool full = produced == room;
        if (full || end) {
            int err = pump(t, t->zout, t->zout_have);
            t->zout_have = 0;
            if (err)
                return err;
        }
        if (end) {
            t->gzip_done = true;
            return len ? fail(t, SDB_TAR_ETRAILING) : SDB_OK;
        }
        if (rc)
            return fail(t, rc);
        if (!len && !full)
            return SDB_OK; /* all input taken and inflate has nothing more to give */
    }
}

/* ---- public ---- */

void sdb_tar_init(struct sdb_tar *t, const struct sdb_tar_ops *ops,
                  const struct sdb_tar_limits *lim, uint64_t *names, uint32_t max_entries,
                  uint8_t *arena, size_t arena_len)
{
    memset(t, 0, sizeof *t);
    t->ops = ops;
    if (SDB_TAR_CALLER_CHECKS && lim)
        t->lim = *lim;
    t->names = SDB_TAR_CALLER_CHECKS ? names : NULL;
    t->max_entries = max_entries;
    t->arena = arena;
    t->arena_len = arena_len;
    t->state = ST_HEADER;
}

int sdb_tar_feed(struct sdb_tar *t, const void *data, size_t len)
{
    const uint8_t *p = data;
    if (t->state == ST_ERROR)
        return t->error;
    /* Decide plain or gzip from the first two bytes. */
    while (t->magic_len < 2 && len) {
        t->magic[t->magic_len++] = *p++;
        len--;
        if (t->magic_len == 2) {
            int err = t->magic[0] == 0x1F && t->magic[1] == 0x8B ? gzip_start(t) : SDB_OK;
            if (err)
                return fail(t, err);
            err = GZIP_ON(t) ? gunzip(t, t->magic, 2) : pump(t, t->magic, 2);
            if (err)
                return err;
        }
    }
    if (!len)
        return SDB_OK;
    return GZIP_ON(t) ? gunzip(t, p, len) : pump(t, p, len);
}

int sdb_tar_finish(struct sdb_tar *t)
{
    if (t->state == ST_ERROR)
        return t->error;
    if (t->magic_len == 1 || (GZIP_ON(t) && !t->gzip_done) || t->state != ST_END)
        return fail(t, SDB_TAR_ETRUNCATED);
    return SDB_OK;
}
