#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "boot_fixture.h"
#include "sdboot/fio_fat.h"
#include "sdboot/hash.h"
#include "sdboot/ota.h"

struct fx_release fx_r1 = {
    .version = "1.0.0",
    .files = {{"main.py", "print('release 1')\n"},
              {"app/a.py", "A = 1\n"},
              {"app/lib/b.py", "B = 'only in release 1'\n"},
              {"helper.py", "shared helper, same in both releases\n"},
              {"conf/settings.txt", "mode=one\n"}},
    .nfiles = 5,
};
struct fx_release fx_r2 = {
    .version = "1.1.0",
    .files = {{"main.py", "print('release 2, a bit longer than release 1')\n"},
              {"app/a.py", "A = 2\n"},
              {"app/c.py", "C = 'new in release 2'\n"},
              {"helper.py", "shared helper, same in both releases\n"},
              {"conf/settings.txt", "mode=two\n"},
              {"extra.cfg", "added by release 2\n"}},
    .nfiles = 6,
};
const char fx_user_path[] = "/my notes.txt";
const char fx_user_content[] = "the user's own file, never touched\n";

void fx_build(struct fx_release *r)
{
    struct sdb_tar_mem m = {r->tar, sizeof r->tar, 0};
    struct sdb_tar_writer w = {.out = sdb_tar_mem_out, .ctx = &m};
    for (unsigned i = 0; i < r->nfiles; i++) {
        const char *c = r->files[i].content;
        sdb_tar_write_header(&w, r->files[i].path, SDB_TAR_FILE, strlen(c), 0644);
        sdb_tar_write_data(&w, c, strlen(c));
    }
    sdb_tar_write_end(&w);
    r->tar_len = m.len;
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

int fx_new_card(sdb_bd_t *bd)
{
    struct sdb_mkfs_opts o = {.type = 12, .volume_id = 7};
    struct sdb_fat_vol vol;
    struct sdb_fat_file f;
    int err = sdb_fat_mkfs(bd, &o);
    if (err || (err = sdb_fat_mount(&vol, bd, false)) ||
        (err = sdb_fat_open(&vol, &f, fx_user_path, SDB_FAT_WRITE | SDB_FAT_CREATE)) ||
        (err = sdb_fat_write(&f, fx_user_content, sizeof fx_user_content - 1)) ||
        (err = sdb_fat_close(&f)) || (err = sdb_fat_unmount(&vol)))
        return err;
    struct sdboot_result res;
    return fx_boot(bd, &res);
}

struct stage_arg {
    const struct fx_release *r;
    const uint8_t *tar;
    size_t len;
};

static int stage_fn(const sdb_fileio_t *fio, void *varg)
{
    struct stage_arg *a = varg;
    void *f;
    int err = sdboot_stage_begin(fio);
    if (err || (err = fio->open(fio->ctx, SDB_STAGE_PART, SDB_FIO_CREATE, &f)))
        return err;
    err = fio->write(fio->ctx, f, a->tar, a->len);
    int cerr = fio->close(fio->ctx, f);
    if (err || cerr)
        return err ? err : cerr;
    struct sdb_manifest_entry e = {.has_size = true, .has_sha256 = true, .size = a->r->tar_len};
    snprintf(e.version, sizeof e.version, "%s", a->r->version);
    snprintf(e.filename, sizeof e.filename, "release.tar");
    struct sdb_sha256 h;
    sdb_sha256_init(&h);
    sdb_sha256_update(&h, a->r->tar, a->r->tar_len); /* the hash of what was published */
    sdb_sha256_finish(&h, e.sha256);
    return sdboot_stage_commit(fio, &e, SDB_STAGE_SIGNED);
}

int fx_stage(sdb_bd_t *bd, const struct fx_release *r, const uint8_t *override_tar, size_t len)
{
    struct stage_arg a = {r, override_tar ? override_tar : r->tar, override_tar ? len : r->tar_len};
    return with_app(bd, stage_fn, &a);
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
