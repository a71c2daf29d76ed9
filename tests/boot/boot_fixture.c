#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "boot_fixture.h"
#include "sdboot/fio_fat.h"
#include "sdboot/hash.h"
#include "sdboot/index.h"
#include "sdboot/ota.h"

/* Paths sorted (byte order), as sdboot pack writes them: each release has an
 * index (fx_build), and 1.1.0 can be staged as a delta over 1.0.0. */
struct fx_release fx_r1 = {
    .version = "1.0.0",
    .files = {{"app/a.py", "A = 1\n"},
              {"app/lib/b.py", "B = 'only in release 1'\n"},
              {"conf/settings.txt", "mode=one\n"},
              {"helper.py", "shared helper, same in both releases\n"},
              {"main.py", "print('release 1')\n"}},
    .nfiles = 5,
};
struct fx_release fx_r2 = {
    .version = "1.1.0",
    .files = {{"app/a.py", "A = 2\n"},
              {"app/c.py", "C = 'new in release 2'\n"},
              {"conf/settings.txt", "mode=two\n"},
              {"extra.cfg", "added by release 2\n"},
              {"helper.py", "shared helper, same in both releases\n"},
              {"main.py", "print('release 2, a bit longer than release 1')\n"}},
    .nfiles = 6,
};
/* Deltas over a delta: both are staged against 1.0.0, the base. 1.2.0 takes
 * a.py and lib/b.py back to the base's (restored from current.tar), keeps
 * 1.1.0's extra.cfg (in its delta, not written again), drops c.py, changes
 * settings.txt and main.py, adds d.py. 1.3.0 changes a.py and adds c.py
 * back over it. */
struct fx_release fx_r3 = {
    .version = "1.2.0",
    .files = {{"app/a.py", "A = 1\n"},
              {"app/d.py", "D = 'new in release 3'\n"},
              {"app/lib/b.py", "B = 'only in release 1'\n"},
              {"conf/settings.txt", "mode=three\n"},
              {"extra.cfg", "added by release 2\n"},
              {"helper.py", "shared helper, same in both releases\n"},
              {"main.py", "print('release 3')\n"}},
    .nfiles = 7,
};
struct fx_release fx_r4 = {
    .version = "1.3.0",
    .files = {{"app/a.py", "A = 4\n"},
              {"app/c.py", "C = 'back in release 4'\n"},
              {"app/d.py", "D = 'new in release 3'\n"},
              {"app/lib/b.py", "B = 'only in release 1'\n"},
              {"conf/settings.txt", "mode=three\n"},
              {"helper.py", "shared helper, same in both releases\n"},
              {"main.py", "print('release 4')\n"}},
    .nfiles = 7,
};
const char fx_user_path[] = "/my notes.txt";
const char fx_user_content[] = "the user's own file, never touched\n";

static void sha256_of(const void *data, size_t len, uint8_t out[32])
{
    struct sdb_sha256 h;
    sdb_sha256_init(&h);
    sdb_sha256_update(&h, data, len);
    sdb_sha256_finish(&h, out);
}

/* One index line for the piece [offset, offset + len) of r's tar. */
static void index_piece(struct fx_release *r, char kind, uint64_t offset, uint64_t len,
                        const char *path)
{
    struct sdb_index_piece p = {.kind = kind, .offset = offset, .length = len};
    sha256_of(r->tar + offset, (size_t)len, p.sha256);
    if (path)
        snprintf(p.path, sizeof p.path, "%s", path);
    int n = sdb_index_format_piece(&p, r->idx + r->idx_len, sizeof r->idx - r->idx_len);
    if (n > 0)
        r->idx_len += (size_t)n;
}

void fx_build(struct fx_release *r)
{
    struct sdb_tar_mem m = {r->tar, sizeof r->tar, 0};
    struct sdb_tar_writer w = {.out = sdb_tar_mem_out, .ctx = &m};
    uint64_t piece_at[FX_MAX_FILES], data_at[FX_MAX_FILES];
    for (unsigned i = 0; i < r->nfiles; i++) {
        const char *c = r->files[i].content;
        piece_at[i] = m.len;
        sdb_tar_write_header(&w, r->files[i].path, SDB_TAR_FILE, strlen(c), 0644);
        data_at[i] = m.len;
        sdb_tar_write_data(&w, c, strlen(c));
    }
    uint64_t tail = m.len;
    sdb_tar_write_end(&w);
    r->tar_len = m.len;
    /* the index of the tar: headers, each file's data, the tail */
    r->idx_len = (size_t)sdb_index_format_header(r->tar_len, r->idx, sizeof r->idx);
    for (unsigned i = 0; i < r->nfiles; i++) {
        index_piece(r, SDB_INDEX_META, piece_at[i], data_at[i] - piece_at[i], NULL);
        index_piece(r, SDB_INDEX_FILE, data_at[i], strlen(r->files[i].content), r->files[i].path);
    }
    index_piece(r, SDB_INDEX_META, tail, r->tar_len - tail, NULL);
    sha256_of(r->idx, r->idx_len, r->idx_sha256);
}

/* The files of r that base lacks or has otherwise, as a delta archive. */
static size_t build_delta(const struct fx_release *r, const struct fx_release *base, uint8_t *out,
                          size_t cap)
{
    struct sdb_tar_mem m = {out, cap, 0};
    struct sdb_tar_writer w = {.out = sdb_tar_mem_out, .ctx = &m};
    for (unsigned i = 0; i < r->nfiles; i++) {
        bool same = false;
        for (unsigned j = 0; j < base->nfiles; j++)
            same |= !strcmp(base->files[j].path, r->files[i].path) &&
                    !strcmp(base->files[j].content, r->files[i].content);
        const char *c = r->files[i].content;
        if (!same) {
            sdb_tar_write_header(&w, r->files[i].path, SDB_TAR_FILE, strlen(c), 0644);
            sdb_tar_write_data(&w, c, strlen(c));
        }
    }
    sdb_tar_write_end(&w);
    return m.len;
}

char fx_log[8192];

void fx_log_line(void *ctx, const char *line)
{
    (void)ctx;
    strncat(fx_log, line, sizeof fx_log - strlen(fx_log) - 2);
    strcat(fx_log, "\n");
}

static void log_stderr(void *ctx, const char *line)
{
    (void)ctx;
    fprintf(stderr, "boot: %s\n", line);
}

int fx_boot(sdb_bd_t *bd, struct sdboot_result *res)
{
    static struct sdboot engine;
    /* With an arena, as the host and the MicroPython/ESP-IDF ports give one: a
     * plain tar is then read into it after its first SDBOOT_IO_BUF bytes, so
     * the power-cut suite covers both read buffers (test_boot_cases and the
     * bare-metal qemu_powercut boot without one). */
    static uint8_t arena[SDB_TAR_GZIP_ARENA];
    struct sdboot_config cfg = SDBOOT_CONFIG_DEFAULTS;
    cfg.gzip_arena = arena;
    cfg.gzip_arena_len = sizeof arena;
    if (getenv("SDB_BOOT_LOG")) /* replaying one cut case: what each boot did */
        cfg.log = log_stderr;
    return sdboot_boot(&engine, bd, &cfg, res);
}

static int with_app(sdb_bd_t *bd, int (*fn)(const sdb_fileio_t *, void *), void *arg)
{
    struct sdb_fat_vol vol;
    struct sdb_fio_fat fio;
    int err = sdb_fat_mount(&vol, bd, false);
    if (err)
        return err;
    sdb_fio_fat_init(&fio, &vol);
    err = fn(&fio.fio, arg);
    int uerr = sdb_fat_unmount(&vol);
    return err ? err : uerr;
}

int fx_new_card_unbooted(sdb_bd_t *bd)
{
    struct sdb_mkfs_opts o = {.type = 12, .volume_id = 7};
    struct sdb_fat_vol vol;
    struct sdb_fat_file f;
    int err = sdb_fat_mkfs(bd, &o);
    if (err || (err = sdb_fat_mount(&vol, bd, false)) ||
        (err = sdb_fat_open(&vol, &f, fx_user_path, SDB_FAT_WRITE | SDB_FAT_CREATE)) ||
        (err = sdb_fat_write(&f, fx_user_content, sizeof fx_user_content - 1)) ||
        (err = sdb_fat_close(&f)))
        return err;
    return sdb_fat_unmount(&vol);
}

int fx_new_card(sdb_bd_t *bd)
{
    int err = fx_new_card_unbooted(bd);
    struct sdboot_result res;
    return err ? err : fx_boot(bd, &res);
}

struct stage_arg {
    const struct fx_release *r;
    const uint8_t *tar;
    size_t len;
    const struct fx_release *base; /* a delta over this release */
    bool indexed;                  /* stage r's index with it */
    const uint8_t *idx;            /* the index staged (r's unless overridden) */
    size_t idx_len;
};

static int write_file(const sdb_fileio_t *fio, const char *path, const void *data, size_t len)
{
    void *f;
    int err = fio->open(fio->ctx, path, SDB_FIO_CREATE, &f);
    if (err)
        return err;
    err = fio->write(fio->ctx, f, data, len);
    int cerr = fio->close(fio->ctx, f);
    return err ? err : cerr;
}

static int stage_fn(const sdb_fileio_t *fio, void *varg)
{
    struct stage_arg *a = varg;
    int err = sdboot_stage_begin(fio);
    if (err || (err = write_file(fio, SDB_STAGE_PART, a->tar, a->len)))
        return err;
    if ((a->indexed || a->base) && (err = write_file(fio, SDB_STAGE_INDEX, a->idx, a->idx_len)))
        return err;
    if (a->base) { /* as the OTA client stages a delta */
        struct sdb_stage_record rec = {
            .size = a->len, .flags = SDB_STAGE_SIGNED | SDB_STAGE_DELTA | SDB_STAGE_INDEXED};
        snprintf(rec.version, sizeof rec.version, "%s", a->r->version);
        snprintf(rec.filename, sizeof rec.filename, "release.tar");
        snprintf(rec.base, sizeof rec.base, "%s", a->base->version);
        sha256_of(a->tar, a->len, rec.sha256);
        sha256_of(a->idx, a->idx_len, rec.index_sha256); /* the staged index is the signed one */
        return sdboot_stage_commit_record(fio, &rec);
    }
    struct sdb_manifest_entry e = {.has_size = true, .has_sha256 = true, .size = a->r->tar_len};
    snprintf(e.version, sizeof e.version, "%s", a->r->version);
    snprintf(e.filename, sizeof e.filename, "release.tar");
    sha256_of(a->r->tar, a->r->tar_len, e.sha256); /* the hash of what was published */
    if (a->indexed) {
        e.has_index = true;
        memcpy(e.index_sha256, a->r->idx_sha256, 32);
    }
    return sdboot_stage_commit(fio, &e, SDB_STAGE_SIGNED);
}

int fx_stage(sdb_bd_t *bd, const struct fx_release *r, const uint8_t *override_tar, size_t len)
{
    struct stage_arg a = {.r = r,
                          .tar = override_tar ? override_tar : r->tar,
                          .len = override_tar ? len : r->tar_len};
    return with_app(bd, stage_fn, &a);
}

int fx_stage_indexed(sdb_bd_t *bd, const struct fx_release *r)
{
    struct stage_arg a = {.r = r,
                          .tar = r->tar,
                          .len = r->tar_len,
                          .indexed = true,
                          .idx = (const uint8_t *)r->idx,
                          .idx_len = r->idx_len};
    return with_app(bd, stage_fn, &a);
}

int fx_stage_delta(sdb_bd_t *bd, const struct fx_release *r, const struct fx_release *base,
                   const uint8_t *override_delta, size_t len, const char *override_idx)
{
    static uint8_t delta[32768];
    struct stage_arg a = {
        .r = r, .base = base, .idx = (const uint8_t *)r->idx, .idx_len = r->idx_len};
    a.tar = override_delta ? override_delta : delta;
    a.len = override_delta ? len : build_delta(r, base, delta, sizeof delta);
    if (override_idx) {
        a.idx = (const uint8_t *)override_idx;
        a.idx_len = strlen(override_idx);
    }
    return with_app(bd, stage_fn, &a);
}

size_t fx_delta_tar(const struct fx_release *r, const struct fx_release *base, uint8_t *out,
                    size_t cap)
{
    return build_delta(r, base, out, cap);
}

static int confirm_fn(const sdb_fileio_t *fio, void *arg)
{
    (void)arg;
    return sdboot_confirm(fio);
}

int fx_confirm(sdb_bd_t *bd)
{
    return with_app(bd, confirm_fn, NULL);
}

int fx_state(sdb_bd_t *bd, struct sdboot_state *st)
{
    struct sdb_fat_vol vol;
    int err = sdb_fat_mount(&vol, bd, true);
    return err ? err : sdboot_read_state(&vol, st);
}

bool fx_file_equals(struct sdb_fat_vol *vol, const char *path, const void *data, uint32_t len)
{
    static uint8_t buf[4096];
    struct sdb_fat_file f;
    if (sdb_fat_open(vol, &f, path, SDB_FAT_READ))
        return false;
    bool same = sdb_fat_size(&f) == len;
    for (uint32_t at = 0, got; same && at < len; at += got) {
        same = sdb_fat_read(&f, buf, sizeof buf, &got) == SDB_OK && got && got <= len - at &&
               !memcmp(buf, (const uint8_t *)data + at, got);
    }
    sdb_fat_close(&f);
    return same;
}

static bool file_is(struct sdb_fat_vol *vol, const char *path, const char *content)
{
    return fx_file_equals(vol, path, content, (uint32_t)strlen(content));
}

/* Count files under /app (recursively, one level of subdirectories is enough here). */
static unsigned count_app_files(struct sdb_fat_vol *vol, const char *dir)
{
    struct sdb_fat_dir d;
    struct sdb_fat_dirent e;
    unsigned n = 0;
    if (sdb_fat_opendir(vol, &d, dir))
        return 0;
    while (sdb_fat_readdir(&d, &e) == SDB_OK) {
        if (e.st.is_dir) {
            char sub[SDB_FAT_PATH_MAX + 1];
            snprintf(sub, sizeof sub, "%s/%s", dir, e.name);
            n += count_app_files(vol, sub);
        } else {
            n++;
        }
    }
    return n;
}

bool fx_tree_is(sdb_bd_t *bd, const struct fx_release *r, char *why, size_t len)
{
    struct sdb_fat_vol vol;
    if (sdb_fat_mount(&vol, bd, true)) {
        snprintf(why, len, "card does not mount");
        return false;
    }
    unsigned app_files = 0;
    for (unsigned i = 0; i < r->nfiles; i++) {
        char path[SDB_FAT_PATH_MAX + 1];
        snprintf(path, sizeof path, "/%s", r->files[i].path);
        if (!file_is(&vol, path, r->files[i].content)) {
            snprintf(why, len, "%s of %s missing or different", path, r->version);
            return false;
        }
        app_files += !strncmp(r->files[i].path, "app/", 4);
    }
    unsigned found = count_app_files(&vol, "/app");
    if (found != app_files) {
        snprintf(why, len, "/app holds %u files, release %s has %u", found, r->version, app_files);
        return false;
    }
    if (!file_is(&vol, fx_user_path, fx_user_content)) {
        snprintf(why, len, "user file lost or changed");
        return false;
    }
    return true;
}
