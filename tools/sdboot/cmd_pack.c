/*
 * sdboot pack: make a release. Writes DIR/X_Y_Z-firmware.tar[.gz] (deterministic:
 * sorted entries, uid/gid 0, mtime from SOURCE_DATE_EPOCH or 0), appends its line
 * to DIR/versions and re-signs DIR/versions.sig when a key is given. Refuses what
 * a device would refuse, and a version not greater than the last line.
 * A plain tar also gets its per-file index DIR/X_Y_Z-firmware.tar.idx (index.h),
 * whose SHA-256 goes into the signed line as index=.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <zlib.h>
#include "cli.h"
#include "release_io.h"
#include "sdboot/fileio.h"
#include "sdboot/hash.h"
#include "sdboot/limits.h"
#include "sdboot/index.h"
#include "sdboot/manifest.h"
#include "sdboot/semver.h"
#include "sdboot/sig.h"
#include "sdboot/tar.h"

struct entry {
    char path[SDB_TAR_PATH_MAX + 1]; /* in the archive */
    bool is_dir;
};

struct pack {
    const char *srcdir;
    struct entry *entries;
    unsigned count;
    FILE *out;
    bool gzip;
    z_stream z;
    struct sdb_sha1 sha1;
    struct sdb_sha256 sha256;
    uint64_t size;
    /* the index (plain tar only): the piece being hashed, directories whose
     * lines follow the m line of the piece they are in */
    FILE *idx; /* memory stream of the piece lines */
    char *idx_text;
    size_t idx_len;
    struct sdb_sha256 piece;
    uint64_t piece_start;
    unsigned dirs_pending[SDB_LIMIT_ENTRIES], ndirs;
};

static int add_entry(struct pack *p, const char *rel, bool is_dir)
{
    if (p->count == SDB_LIMIT_ENTRIES) /* the bootloader's limit: refused here, not on a device */
        return cli_fail("pack", "%s: %s", p->srcdir, sdb_strerror(SDB_TAR_ETOOMANY));
    char norm[SDB_TAR_PATH_MAX + 1];
    bool skip;
    int err = sdb_tar_check_path(rel, norm, &skip);
    if (err)
        return cli_fail("pack", "%s: %s", rel, sdb_strerror(err));
    if (skip)
        return CLI_EXIT_OK;
    for (unsigned i = 0; i < p->count; i++)
        if (!strcasecmp(p->entries[i].path, norm))
            return cli_fail("pack", "%s: %s", rel, sdb_strerror(SDB_TAR_EDUPLICATE));
    snprintf(p->entries[p->count].path, sizeof p->entries[0].path, "%s", norm);
    p->entries[p->count++].is_dir = is_dir;
    return CLI_EXIT_OK;
}

static int collect(struct pack *p, const char *rel)
{
    char full[4096];
    snprintf(full, sizeof full, "%s/%s", p->srcdir, rel);
    struct stat st;
    if (lstat(full, &st) != 0)
        return cli_fail("pack", "%s: %s", full, strerror(errno));
    if (S_ISLNK(st.st_mode))
        return cli_fail("pack", "%s: %s", rel, sdb_strerror(SDB_TAR_ESYMLINK));
    if (S_ISREG(st.st_mode))
        return add_entry(p, rel, false);
    if (!S_ISDIR(st.st_mode))
        return cli_fail("pack", "%s: %s", rel, sdb_strerror(SDB_TAR_EDEVICE));
    int rc = add_entry(p, rel, true);
    struct dirent **list;
    int n = rc ? -1 : scandir(full, &list, NULL, alphasort);
    if (n < 0)
        return rc ? rc : cli_fail("pack", "%s: %s", full, strerror(errno));
    for (int i = 0; i < n; i++) {
        const char *name = list[i]->d_name;
        if (!rc && strcmp(name, ".") && strcmp(name, "..")) {
            char child[4096];
            snprintf(child, sizeof child, "%s%s%s", rel, rel[strlen(rel) - 1] == '/' ? "" : "/",
                     name);
            rc = collect(p, child);
        }
        free(list[i]);
    }
    free(list);
    return rc;
}

static int compare_entries(const void *a, const void *b)
{
    return strcmp(((const struct entry *)a)->path, ((const struct entry *)b)->path);
}

/* Archive bytes: hashed, counted, optionally deflated, written. */
static int emit_raw(struct pack *p, const void *data, size_t len)
{
    sdb_sha1_update(&p->sha1, data, len);
    sdb_sha256_update(&p->sha256, data, len);
    p->size += len;
    return fwrite(data, 1, len, p->out) == len ? SDB_OK : SDB_FIO_EIO;
}

static int deflate_chunk(struct pack *p, const void *data, size_t len, int flush)
{
    uint8_t buf[16384];
    p->z.next_in = (Bytef *)(uintptr_t)data;
    p->z.avail_in = (uInt)len;
    int rc;
    do {
        p->z.next_out = buf;
        p->z.avail_out = sizeof buf;
        rc = deflate(&p->z, flush);
        int err = emit_raw(p, buf, sizeof buf - p->z.avail_out);
        if (err)
            return err;
    } while (p->z.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
    return SDB_OK;
}

static int tar_out(void *ctx, const void *data, size_t len)
{
    struct pack *p = ctx;
    if (p->idx)
        sdb_sha256_update(&p->piece, data, len);
    return p->gzip ? deflate_chunk(p, data, len, Z_NO_FLUSH) : emit_raw(p, data, len);
}

static int index_line(struct pack *p, const struct sdb_index_piece *pc)
{
    char line[SDB_INDEX_LINE_MAX + 2];
    int n = sdb_index_format_piece(pc, line, sizeof line);
    if (n < 0)
        return n;
    return fwrite(line, 1, (size_t)n, p->idx) == (size_t)n ? SDB_OK : SDB_FIO_EIO;
}

/* The piece hashed since piece_start ends at `end`: its line (and, after an m
 * piece, the lines of the directories inside it); the next piece starts. */
static int index_cut(struct pack *p, char kind, uint64_t end, const char *path)
{
    if (!p->idx)
        return SDB_OK;
    struct sdb_index_piece pc = {
        .kind = kind, .offset = p->piece_start, .length = end - p->piece_start};
    sdb_sha256_finish(&p->piece, pc.sha256);
    snprintf(pc.path, sizeof pc.path, "%s", path ? path : "");
    int err = index_line(p, &pc);
    for (unsigned i = 0; !err && kind == SDB_INDEX_META && i < p->ndirs; i++) {
        struct sdb_index_piece d = {.kind = SDB_INDEX_DIR};
        snprintf(d.path, sizeof d.path, "%s", p->entries[p->dirs_pending[i]].path);
        err = index_line(p, &d);
    }
    if (kind == SDB_INDEX_META)
        p->ndirs = 0;
    p->piece_start = end;
    sdb_sha256_init(&p->piece);
    return err;
}

static int write_archive(struct pack *p, uint64_t mtime)
{
    struct sdb_tar_writer w = {.out = tar_out, .ctx = p, .mtime = mtime};
    static uint8_t buf[65536];
    for (unsigned i = 0; i < p->count; i++) {
        const struct entry *e = &p->entries[i];
        char full[4096];
        snprintf(full, sizeof full, "%s/%s", p->srcdir, e->path);
        if (e->is_dir) {
            int err = sdb_tar_write_header(&w, e->path, SDB_TAR_DIR, 0, 0755);
            if (err)
                return cli_fail("pack", "%s: %s", e->path, sdb_strerror(err));
            p->dirs_pending[p->ndirs++] = i;
            continue;
        }
        FILE *f = fopen(full, "rb");
        struct stat st;
        if (!f || fstat(fileno(f), &st) != 0) {
            if (f)
                fclose(f);
            return cli_fail("pack", "%s: %s", full, strerror(errno));
        }
        int err = sdb_tar_write_header(&w, e->path, SDB_TAR_FILE, (uint64_t)st.st_size, 0644);
        if (!err)
            err = index_cut(p, SDB_INDEX_META, w.written, NULL);
        size_t n;
        while (!err && (n = fread(buf, 1, sizeof buf, f)) > 0)
            err = sdb_tar_write_data(&w, buf, n);
        fclose(f);
        if (!err && p->idx && p->piece_start + (uint64_t)st.st_size != w.written)
            err = SDB_IDX_ESIZE; /* the file changed while it was packed */
        if (!err)
            err = index_cut(p, SDB_INDEX_FILE, w.written, e->path);
        if (err)
            return cli_fail("pack", "%s: %s", full, sdb_strerror(err));
    }
    int err = sdb_tar_write_end(&w);
    if (!err)
        err = index_cut(p, SDB_INDEX_META, w.written, NULL);
    if (!err && p->gzip)
        err = deflate_chunk(p, NULL, 0, Z_FINISH);
    return err ? cli_fail("pack", "writing the archive: %s", sdb_strerror(err)) : CLI_EXIT_OK;
}

/* TAR.idx: the header line, then the piece lines; its hash goes into the line. */
static int write_index(struct pack *p, const char *tar_path, struct sdb_manifest_entry *e)
{
    char head[64], file[4200];
    int n = sdb_index_format_header(p->size, head, sizeof head);
    if (fclose(p->idx) != 0 || n < 0) {
        p->idx = NULL;
        return cli_fail("pack", "out of memory");
    }
    p->idx = NULL;
    struct sdb_sha256 h;
    sdb_sha256_init(&h);
    sdb_sha256_update(&h, head, (size_t)n);
    sdb_sha256_update(&h, p->idx_text, p->idx_len);
    sdb_sha256_finish(&h, e->index_sha256);
    e->has_index = true;
    snprintf(file, sizeof file, "%s" SDB_INDEX_SUFFIX, tar_path);
    FILE *f = fopen(file, "wb");
    bool ok = f && fwrite(head, 1, (size_t)n, f) == (size_t)n &&
              fwrite(p->idx_text, 1, p->idx_len, f) == p->idx_len;
    if (f && fclose(f) != 0)
        ok = false;
    return ok ? CLI_EXIT_OK : cli_fail("pack", "%s: %s", file, strerror(errno));
}

struct pack_args {
    const char *version, *out, *key, *board, *srcdir;
    bool gzip, no_index;
    char **paths;
    int npaths;
};

static int parse_args(int argc, char **argv, struct pack_args *a)
{
    memset(a, 0, sizeof *a);
    a->srcdir = ".";
    a->paths = calloc((size_t)argc, sizeof *a->paths);
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        bool has = i + 1 < argc;
        if (!strcmp(o, "--version") && has)
            a->version = argv[++i];
        else if (!strcmp(o, "--out") && has)
            a->out = argv[++i];
        else if (!strcmp(o, "--key") && has)
            a->key = argv[++i];
        else if (!strcmp(o, "--board") && has)
            a->board = argv[++i];
        else if (!strcmp(o, "-C") && has)
            a->srcdir = argv[++i];
        else if (!strcmp(o, "--gzip"))
            a->gzip = true;
        else if (!strcmp(o, "--no-index"))
            a->no_index = true;
        else if (o[0] == '-')
            return cli_usage_error("pack", "unknown option '%s'", o);
        else
            a->paths[a->npaths++] = argv[i];
    }
    if (!a->version || !a->out || !a->npaths)
        return cli_usage_error("pack", "needs --version, --out and at least one PATH");
    struct sdb_semver v;
    if (sdb_semver_parse(a->version, 0, &v) || strlen(a->version) >= SDB_VERSION_MAX)
        return cli_usage_error("pack", "'%s' is not a SemVer 2.0 version", a->version);
    if (a->board && strlen(a->board) >= SDB_BOARD_MAX)
        return cli_usage_error("pack", "--board is at most %d characters", SDB_BOARD_MAX - 1);
    return CLI_EXIT_OK;
}

static const char usage_text[] =
    "usage: sdboot pack --version X.Y.Z --out DIR [--key PRIVATE.pem] [--gzip]\n"
    "                   [--no-index] [--board ID] [-C SRCDIR] PATH...\n\n"
    "Pack PATHs (relative to SRCDIR, e.g. main.py app) into DIR/X_Y_Z-firmware.tar\n"
    "(.tar.gz with --gzip), append 'X.Y.Z;file;sha1;sha256=..;size=..' to DIR/versions\n"
    "(created if missing) and, with --key, sign DIR/versions into DIR/versions.sig.\n"
    "A plain tar also gets DIR/X_Y_Z-firmware.tar.idx, its per-file index (path, size,\n"
    "SHA-256 and offset of every file), whose SHA-256 the line carries as index=: a\n"
    "device then downloads only the files that changed. --no-index leaves it out\n"
    "(for devices older than index=, which refuse a line that carries it).\n"
    "Refuses a version not greater than the last line, and anything a device would\n"
    "refuse (links, '..', names FAT cannot hold, .sdboot/, duplicates).\n";

int cmd_pack(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        fputs(usage_text, stdout);
        return CLI_EXIT_OK;
    }
    struct pack_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc) {
        free(a.paths);
        return rc;
    }
    char path[4096], name[SDB_FILENAME_MAX], tmp[4200];
    uint8_t *old = NULL, *sig = NULL;
    size_t old_len = 0, sig_len = 0;
    char *key_pem = NULL;
    struct pack p = {.srcdir = a.srcdir, .gzip = a.gzip};
    p.entries = calloc(SDB_LIMIT_ENTRIES, sizeof *p.entries);
    mkdir(a.out, 0755);
    int err = release_dir_load(a.out, &old, &old_len, &sig, &sig_len);
    if (err && err != SDB_FIO_ENOENT) {
        rc = cli_fail("pack", "%s/versions: %s", a.out, sdb_strerror(err));
        goto out;
    }
    if (old) {
        struct sdb_manifest_entry last;
        struct sdb_manifest_error merr;
        if ((err = sdb_manifest_latest((char *)old, old_len, &last, &merr))) {
            rc = cli_fail("pack", "%s/versions line %u: %s", a.out, merr.line, sdb_strerror(err));
            goto out;
        }
        if (sdb_semver_should_update(last.version, a.version, false)) {
            rc = cli_fail("pack", "version %s is not greater than the latest (%s)", a.version,
                          last.version);
            goto out;
        }
        if (sig && !a.key) {
            rc = cli_fail("pack", "%s/versions is signed: give --key to re-sign it", a.out);
            goto out;
        }
    }
    if (a.key) {
        size_t key_len;
        if (cli_read_file(a.key, 16384, (uint8_t **)&key_pem, &key_len)) {
            rc = cli_fail("pack", "%s: %s", a.key, strerror(errno));
            goto out;
        }
    }
    for (int i = 0; i < a.npaths && !rc; i++)
        rc = collect(&p, a.paths[i]);
    if (rc)
        goto out;
    qsort(p.entries, p.count, sizeof *p.entries, compare_entries);
    snprintf(name, sizeof name, "%s-firmware.tar%s", a.version, a.gzip ? ".gz" : "");
    for (char *c = name; *c && c < name + strlen(a.version); c++)
        if (*c == '.')
            *c = '_';
    snprintf(path, sizeof path, "%s/%s", a.out, name);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    if (!(p.out = fopen(tmp, "wb"))) {
        rc = cli_fail("pack", "%s: %s", tmp, strerror(errno));
        goto out;
    }
    sdb_sha1_init(&p.sha1);
    sdb_sha256_init(&p.sha256);
    sdb_sha256_init(&p.piece);
    if (!a.gzip && !a.no_index && !(p.idx = open_memstream(&p.idx_text, &p.idx_len))) {
        rc = cli_fail("pack", "out of memory");
        goto out;
    }
    if (a.gzip && deflateInit2(&p.z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) {
        rc = cli_fail("pack", "zlib init failed");
        goto out;
    }
    const char *epoch = getenv("SOURCE_DATE_EPOCH");
    rc = write_archive(&p, epoch ? strtoull(epoch, NULL, 10) : 0);
    if (a.gzip)
        deflateEnd(&p.z);
    if (fclose(p.out) != 0 && !rc)
        rc = cli_fail("pack", "%s: %s", tmp, strerror(errno));
    p.out = NULL;
    struct sdb_manifest_entry e = {.has_sha256 = true,
                                   .has_size = true,
                                   .size = p.size,
                                   .has_entries = true,
                                   .entries = p.count};
    if (!rc && p.idx)
        rc = write_index(&p, path, &e);
    if (rc || rename(tmp, path) != 0) {
        remove(tmp);
        rc = rc ? rc : cli_fail("pack", "%s: %s", path, strerror(errno));
        goto out;
    }
    snprintf(e.version, sizeof e.version, "%s", a.version);
    snprintf(e.filename, sizeof e.filename, "%s", name);
    snprintf(e.board, sizeof e.board, "%s", a.board ? a.board : "");
    sdb_sha1_finish(&p.sha1, e.sha1);
    sdb_sha256_finish(&p.sha256, e.sha256);
    char line[SDB_MANIFEST_LINE_MAX + 2];
    int line_len = sdb_manifest_format(&e, line, sizeof line);
    size_t new_len = old_len + (size_t)line_len + 1;
    char *manifest = malloc(new_len + 1);
    size_t used = 0;
    if (old_len) {
        memcpy(manifest, old, old_len);
        used = old_len;
        if (old[old_len - 1] != '\n')
            manifest[used++] = '\n';
    }
    memcpy(manifest + used, line, (size_t)line_len);
    used += (size_t)line_len;
    struct sdb_manifest_error merr;
    if ((err = sdb_manifest_parse(manifest, used, NULL, NULL, &merr))) {
        rc = cli_fail("pack", "new versions line %u: %s", merr.line, sdb_strerror(err));
    } else {
        uint8_t der[SDB_SIG_MAX_DER + 64];
        size_t der_len = 0;
        if (key_pem &&
            (err = sdb_sig_sign(key_pem, (uint8_t *)manifest, used, der, sizeof der, &der_len)))
            rc = cli_fail("pack", "%s: %s", a.key, sdb_strerror(err));
        snprintf(tmp, sizeof tmp, "%s/versions", a.out);
        if (!rc && cli_write_file(tmp, manifest, used, 0644))
            rc = cli_fail("pack", "%s: %s", tmp, strerror(errno));
        snprintf(tmp, sizeof tmp, "%s/versions.sig", a.out);
        if (!rc && key_pem && cli_write_file(tmp, der, der_len, 0644))
            rc = cli_fail("pack", "%s: %s", tmp, strerror(errno));
    }
    free(manifest);
    if (rc) {
        remove(path);
        snprintf(tmp, sizeof tmp, "%s" SDB_INDEX_SUFFIX, path);
        remove(tmp);
        goto out;
    }
    char hex[65];
    sdb_hex_encode(e.sha256, 32, hex);
    printf("packed %s: %s (%llu bytes, %u entries) sha256=%s%s%s\n", a.version, path,
           (unsigned long long)p.size, p.count, hex, p.idx_text ? ", indexed" : "",
           key_pem ? ", versions signed" : "");
out:
    if (p.out)
        fclose(p.out);
    if (p.idx)
        fclose(p.idx);
    free(p.idx_text);
    free(p.entries);
    free(a.paths);
    free(old);
    free(sig);
    free(key_pem);
    return rc;
}
