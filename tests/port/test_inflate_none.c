/*
 * The tar reader of a port without inflate, built two ways: linked with
 * ports/none/inflate_none.c instead of zlib (test_inflate_none), and with
 * no gzip glue and no backend at all, SDB_TAR_GZIP 0 in tar.h, as the
 * bare-metal port builds it (test_tar_nogzip). Either way a valid gzip
 * stream is refused with SDB_TAR_EGZIP before any entry reaches the caller,
 * whether it comes whole or a byte at a time, and a plain tar still reads.
 * Built without pax
 * headers (SDB_TAR_PAX 0, tar.h; its own copy of tar_read.c): an archive with
 * a pax header ('x' or 'g') is refused with SDB_TAR_ETYPE at that header,
 * before any entry reaches the caller; GNU long names (`sdboot pack`) read.
 * test_tar_nogzip is also built without the caller's checks
 * (SDB_TAR_CALLER_CHECKS 0): size limits and a names table given to
 * sdb_tar_init are left to the caller, as the boot engine does with its own
 * check of names given twice (seen.c; test_boot_cases refuses a duplicate
 * with SDB_TAR_EDUPLICATE), while the entry limit and the path rules stay.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "sdboot/inflate.h"
#include "sdboot/tar.h"

#if SDB_TAR_PAX
#error "this test is built with SDB_TAR_PAX=0"
#endif

struct seen {
    unsigned begins, bytes;
    char path[SDB_TAR_PATH_MAX + 1];
};

static int on_begin(void *ctx, const struct sdb_tar_entry *e)
{
    struct seen *s = ctx;
    s->begins++;
    snprintf(s->path, sizeof s->path, "%s", e->path);
    return SDB_OK;
}

static int on_data(void *ctx, const uint8_t *buf, size_t len)
{
    (void)buf;
    ((struct seen *)ctx)->bytes += (unsigned)len;
    return SDB_OK;
}

static int on_end(void *ctx)
{
    (void)ctx;
    return SDB_OK;
}

struct sink {
    uint8_t buf[16384]; /* one tar record (10 KiB) */
    size_t len;
};

static int to_sink(void *ctx, const void *data, size_t len)
{
    struct sink *s = ctx;
    if (len > sizeof s->buf - s->len)
        return SDB_E_BUFSIZE;
    memcpy(s->buf + s->len, data, len);
    s->len += len;
    return SDB_OK;
}

static uint8_t arena[SDB_INFLATE_ARENA];
static uint64_t names[8];

static void gzip_refused(void **state)
{
    (void)state;
    /* A complete, valid gzip member holding nothing (zlib accepts it). */
    static const uint8_t empty_gz[] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3,
                                       3,    0,    0, 0, 0, 0, 0, 0, 0, 0};
    struct seen seen = {0};
    const struct sdb_tar_ops ops = {on_begin, on_data, on_end, &seen};
    struct sdb_tar t;
    sdb_tar_init(&t, &ops, NULL, names, 8, arena, sizeof arena);
    assert_int_equal(sdb_tar_feed(&t, empty_gz, sizeof empty_gz), SDB_TAR_EGZIP);
    assert_int_equal(sdb_tar_finish(&t), SDB_TAR_EGZIP);
    assert_int_equal(seen.begins, 0);

    /* A byte at a time: refused at the magic's second byte, and after. */
    sdb_tar_init(&t, &ops, NULL, names, 8, arena, sizeof arena);
    assert_int_equal(sdb_tar_feed(&t, empty_gz, 1), SDB_OK);
    for (size_t i = 1; i < sizeof empty_gz; i++)
        assert_int_equal(sdb_tar_feed(&t, empty_gz + i, 1), SDB_TAR_EGZIP);
    assert_int_equal(sdb_tar_finish(&t), SDB_TAR_EGZIP);
    assert_int_equal(seen.begins, 0);
    assert_int_equal(seen.bytes, 0);

#if SDB_TAR_GZIP
    struct sdb_inflate z;
    assert_int_equal(sdb_inflate_init(&z, arena, sizeof arena), SDB_TAR_EGZIP);
#endif
}

/* One entry of `path` holding `data`, written by sdboot pack's tar writer. */
static void put_file(struct sdb_tar_writer *w, const char *path, const char *data)
{
    size_t n = strlen(data);
    assert_int_equal(sdb_tar_write_header(w, path, SDB_TAR_FILE, n, 0644), SDB_OK);
    assert_int_equal(sdb_tar_write_data(w, data, n), SDB_OK);
}

/* Read the sink's archive: the error of feed, which finish repeats. */
static int read_archive(const struct sink *s, struct seen *seen)
{
    const struct sdb_tar_ops ops = {on_begin, on_data, on_end, seen};
    struct sdb_tar t;
    sdb_tar_init(&t, &ops, NULL, names, 8, NULL, 0);
    int err = sdb_tar_feed(&t, s->buf, s->len);
    assert_int_equal(sdb_tar_finish(&t), err);
    return err;
}

static void plain_tar_reads(void **state)
{
    (void)state;
    static struct sink s;
    struct sdb_tar_writer w = {.out = to_sink, .ctx = &s};
    put_file(&w, "main.py", "print");
    assert_int_equal(sdb_tar_write_end(&w), SDB_OK);
    struct seen seen = {0};
    assert_int_equal(read_archive(&s, &seen), SDB_OK);
    assert_int_equal(seen.begins, 1);
    assert_int_equal(seen.bytes, 5);

    /* A byte at a time: the same entry, the same bytes. */
    struct seen one = {0};
    const struct sdb_tar_ops ops = {on_begin, on_data, on_end, &one};
    struct sdb_tar t;
    sdb_tar_init(&t, &ops, NULL, names, 8, NULL, 0);
    for (size_t i = 0; i < s.len; i++)
        assert_int_equal(sdb_tar_feed(&t, s.buf + i, 1), SDB_OK);
    assert_int_equal(sdb_tar_finish(&t), SDB_OK);
    assert_int_equal(one.begins, 1);
    assert_int_equal(one.bytes, 5);
    assert_string_equal(one.path, "main.py");
}

/* A pax header of `type` naming main.py, then main.py: the writer's archive
 * with its first header's type flag changed (and its checksum by as much). */
static void pax_refused(char type)
{
    static struct sink s;
    s.len = 0;
    struct sdb_tar_writer w = {.out = to_sink, .ctx = &s};
    put_file(&w, "PaxHeaders/main.py", "16 path=main.py\n");
    put_file(&w, "main.py", "print");
    assert_int_equal(sdb_tar_write_end(&w), SDB_OK);
    unsigned long sum = strtoul((const char *)s.buf + 148, NULL, 8) + (unsigned)(type - '0');
    s.buf[156] = (uint8_t)type;
    snprintf((char *)s.buf + 148, 8, "%06lo", sum);

    struct seen seen = {0};
    assert_int_equal(read_archive(&s, &seen), SDB_TAR_ETYPE);
    assert_int_equal(seen.begins, 0);
    assert_int_equal(seen.bytes, 0);
}

static void pax_path_refused(void **state)
{
    (void)state;
    pax_refused('x');
}

static void pax_global_refused(void **state)
{
    (void)state;
    pax_refused('g');
}

static void gnu_long_name_reads(void **state)
{
    (void)state;
    static struct sink s;
    char name[160];
    memset(name, 'n', sizeof name);
    memcpy(name, "app/", 4);
    name[sizeof name - 1] = '\0'; /* 159 characters: a GNU 'L' entry */
    struct sdb_tar_writer w = {.out = to_sink, .ctx = &s};
    put_file(&w, name, "print");
    assert_int_equal(sdb_tar_write_end(&w), SDB_OK);

    struct seen seen = {0};
    assert_int_equal(read_archive(&s, &seen), SDB_OK);
    assert_int_equal(seen.begins, 1);
    assert_int_equal(seen.bytes, 5);
    assert_string_equal(seen.path, name);
}

#if !SDB_TAR_CALLER_CHECKS
/* A name twice, a file over the per-file limit, both over the total: with a
 * names table and limits given, both entries reach the caller whole; a third
 * entry over max_entries, a path rule, still refuse. */
static void caller_checks_left_to_the_caller(void **state)
{
    (void)state;
    static struct sink s;
    s.len = 0;
    struct sdb_tar_writer w = {.out = to_sink, .ctx = &s};
    put_file(&w, "app/a.py", "print");
    put_file(&w, "app/A.py", "print(1)");
    assert_int_equal(sdb_tar_write_end(&w), SDB_OK);
    const struct sdb_tar_limits lim = {.max_file = 4, .max_total = 6};
    struct seen seen = {0};
    const struct sdb_tar_ops ops = {on_begin, on_data, on_end, &seen};
    struct sdb_tar t;
    sdb_tar_init(&t, &ops, &lim, names, 2, NULL, 0);
    assert_int_equal(sdb_tar_feed(&t, s.buf, s.len), SDB_OK);
    assert_int_equal(sdb_tar_finish(&t), SDB_OK);
    assert_int_equal(seen.begins, 2);
    assert_int_equal(seen.bytes, 13);

    sdb_tar_init(&t, &ops, &lim, names, 1, NULL, 0); /* room for one entry */
    assert_int_equal(sdb_tar_feed(&t, s.buf, s.len), SDB_TAR_ETOOMANY);
    s.len = 0;
    struct sdb_tar_writer w2 = {.out = to_sink, .ctx = &s};
    put_file(&w2, "../a.py", "print");
    assert_int_equal(sdb_tar_write_end(&w2), SDB_OK);
    sdb_tar_init(&t, &ops, &lim, names, 2, NULL, 0);
    assert_int_equal(sdb_tar_feed(&t, s.buf, s.len), SDB_TAR_EDOTDOT);
}
#endif

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gzip_refused),
        cmocka_unit_test(plain_tar_reads),
        cmocka_unit_test(pax_path_refused),
        cmocka_unit_test(pax_global_refused),
#if !SDB_TAR_CALLER_CHECKS
        cmocka_unit_test(caller_checks_left_to_the_caller),
#endif
        cmocka_unit_test(gnu_long_name_reads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
