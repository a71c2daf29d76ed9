/* Per-file index reader and line writer (see index.h for the format). */
#include <stdio.h>
#include <string.h>
#include "sdboot/hash.h"
#include "sdboot/index.h"

void sdb_index_init(struct sdb_index_reader *r, const struct sdb_index_limits *lim, sdb_index_cb cb,
                    void *ctx)
{
    memset(r, 0, sizeof *r);
    if (lim)
        r->lim = *lim;
    if (!r->lim.max_bytes)
        r->lim.max_bytes = SDB_INDEX_DEFAULT_MAX_BYTES;
    if (!r->lim.max_entries)
        r->lim.max_entries = SDB_INDEX_DEFAULT_MAX_ENTRIES;
    r->cb = cb;
    r->ctx = ctx;
    r->line_no = 1;
}

/* Next space-separated field of the line; NULL when there is none. */
static const char *field(const char **p, size_t *len)
{
    const char *s = *p;
    if (*s != ' ')
        return NULL;
    s++;
    const char *e = strchr(s, ' ');
    *len = e ? (size_t)(e - s) : strlen(s);
    *p = s + *len;
    return *len ? s : NULL;
}

static bool number(const char **p, uint64_t *v)
{
    size_t len;
    const char *s = field(p, &len);
    if (!s || len > 19 || (len > 1 && s[0] == '0'))
        return false;
    uint64_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        n = n * 10 + (uint64_t)(s[i] - '0');
    }
    *v = n;
    return true;
}

static bool sha256(const char **p, uint8_t out[32])
{
    size_t len;
    const char *s = field(p, &len);
    return s && sdb_hex_decode(s, len, out, 32);
}

/* The rest of the line is a path: checked by the tar rules, sorted after the last. */
static int path(struct sdb_index_reader *r, const char **p, char *out)
{
    size_t len;
    const char *s = *p;
    if (*s != ' ' || !s[1])
        return SDB_IDX_EFORMAT;
    s++;
    len = strlen(s);
    char norm[SDB_TAR_PATH_MAX + 1];
    bool skip;
    int err = len > SDB_TAR_PATH_MAX ? SDB_TAR_EPATHLEN : sdb_tar_check_path(s, norm, &skip);
    if (err)
        return err;
    if (skip || strcmp(norm, s))
        return SDB_IDX_EFORMAT; /* "./" prefixes or '/' doubled: not as pack writes */
    if (r->entries && strcmp(r->prev_path, norm) >= 0)
        return SDB_IDX_EORDER;
    if (++r->entries > r->lim.max_entries)
        return SDB_IDX_ETOOBIG;
    memcpy(out, norm, len + 1);
    memcpy(r->prev_path, norm, len + 1);
    return SDB_OK;
}

static int piece_span(struct sdb_index_reader *r, struct sdb_index_piece *pc, const char **p)
{
    if (!number(p, &pc->offset) || !number(p, &pc->length) || !sha256(p, pc->sha256))
        return SDB_IDX_EFORMAT;
    if (pc->offset != r->next_offset)
        return SDB_IDX_EOFFSET;
    if (pc->length > r->tar_size - pc->offset)
        return SDB_IDX_ESIZE;
    r->next_offset += pc->length;
    return SDB_OK;
}

static int parse_line(struct sdb_index_reader *r, const char *line)
{
    struct sdb_index_piece *pc = &r->piece;
    const char *p = line + 1;
    int err;
    if (!r->have_header) {
        size_t n = strlen(SDB_INDEX_MAGIC);
        p = line + n;
        if (strncmp(line, SDB_INDEX_MAGIC, n) || !number(&p, &r->tar_size) || *p)
            return SDB_IDX_EFORMAT;
        r->have_header = true;
        return SDB_OK;
    }
    if (!line[0] || line[1] != ' ')
        return SDB_IDX_EFORMAT;
    memset(pc, 0, sizeof *pc);
    pc->kind = line[0];
    switch (line[0]) {
    case SDB_INDEX_META:
        if (r->last_kind == SDB_INDEX_META)
            return SDB_IDX_EORDER; /* one m between files */
        if ((err = piece_span(r, pc, &p)) || *p)
            return err ? err : SDB_IDX_EFORMAT;
        break;
    case SDB_INDEX_FILE:
        if (r->last_kind != SDB_INDEX_META)
            return SDB_IDX_EORDER; /* every file has its header before it */
        if ((err = piece_span(r, pc, &p)) || (err = path(r, &p, pc->path)))
            return err;
        break;
    case SDB_INDEX_DIR:
        if (r->last_kind != SDB_INDEX_META)
            return SDB_IDX_EORDER; /* a directory's header is in an m piece */
        if ((err = path(r, &p, pc->path)))
            return err;
        break;
    default:
        return SDB_IDX_EFORMAT;
    }
    if (pc->kind != SDB_INDEX_DIR)
        r->last_kind = pc->kind;
    return r->cb ? r->cb(r->ctx, pc) : SDB_OK;
}

int sdb_index_feed(struct sdb_index_reader *r, const void *data, size_t len)
{
    const char *s = data;
    for (size_t i = 0; i < len && !r->error; i++) {
        if (++r->bytes > r->lim.max_bytes) {
            r->error = SDB_IDX_ETOOBIG;
            break;
        }
        char c = s[i];
        if (c == '\n') {
            r->line[r->line_len] = '\0';
            r->line_len = 0;
            r->error = parse_line(r, r->line);
            if (!r->error)
                r->line_no++;
        } else if ((unsigned char)c < 0x20 || c == 0x7F || r->line_len == SDB_INDEX_LINE_MAX) {
            r->error = SDB_IDX_EFORMAT;
        } else {
            r->line[r->line_len++] = c;
        }
    }
    return r->error;
}

int sdb_index_finish(struct sdb_index_reader *r)
{
    if (r->error)
        return r->error;
    if (r->line_len)
        r->error = SDB_IDX_EFORMAT; /* last line without its LF */
    else if (!r->have_header || r->next_offset != r->tar_size || r->last_kind != SDB_INDEX_META)
        r->error = SDB_IDX_ETRUNCATED;
    return r->error;
}

int sdb_index_format_header(uint64_t tar_size, char *out, size_t cap)
{
    int n = snprintf(out, cap, SDB_INDEX_MAGIC " %llu\n", (unsigned long long)tar_size);
    return n > 0 && (size_t)n < cap ? n : SDB_E_BUFSIZE;
}

int sdb_index_format_piece(const struct sdb_index_piece *p, char *out, size_t cap)
{
    char hex[65];
    sdb_hex_encode(p->sha256, 32, hex);
    int n;
    if (p->kind == SDB_INDEX_DIR)
        n = snprintf(out, cap, "d %s\n", p->path);
    else if (p->kind == SDB_INDEX_FILE)
        n = snprintf(out, cap, "f %llu %llu %s %s\n", (unsigned long long)p->offset,
                     (unsigned long long)p->length, hex, p->path);
    else
        n = snprintf(out, cap, "m %llu %llu %s\n", (unsigned long long)p->offset,
                     (unsigned long long)p->length, hex);
    return n > 0 && (size_t)n < cap ? n : SDB_E_BUFSIZE;
}
