/*
 * The tar reader built without pax headers (SDB_TAR_PAX 0, sdboot/tar.h, as
 * the bare-metal port builds it): an archive with a pax header ('x' or 'g')
 * is refused with SDB_TAR_ETYPE at that header, before any entry reaches the
 * caller; what `sdboot pack` writes (GNU long names) still reads.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
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

/* One ustar header block of the given type and size, its checksum set. */
static void header(uint8_t *b, const char *name, char type, unsigned size)
{
    memset(b, 0, 512);
    snprintf((char *)b, 100, "%s", name);
    memcpy(b + 100, "0000644", 8);
    snprintf((char *)b + 124, 12, "%011o", size);
    b[156] = (uint8_t)type;
    memcpy(b + 257, "ustar", 6);
    memcpy(b + 263, "00", 2);
    memset(b + 148, ' ', 8);
    unsigned sum = 0;
    for (int i = 0; i < 512; i++)
        sum += b[i];
    snprintf((char *)b + 148, 8, "%06o", sum);
}

/* A pax header of `type` naming a path, then the file main.py (5 bytes). */
static size_t pax_archive(uint8_t *out, char type)
{
    static const char rec[] = "16 path=main.py\n";
    header(out, "PaxHeaders/main.py", type, sizeof rec - 1);
    memset(out + 512, 0, 512);
    memcpy(out + 512, rec, sizeof rec - 1);
    header(out + 1024, "main.py", '0', 5);
    memset(out + 1536, 0, 512);
    memcpy(out + 1536, "print", 5);
    memset(out + 2048, 0, 1024); /* end of archive */
    return 3072;
}

static void pax_refused(char type)
{
    static uint8_t tar[3072];
    size_t len = pax_archive(tar, type);
    struct seen seen = {0};
    const struct sdb_tar_ops ops = {on_begin, on_data, on_end, &seen};
    struct sdb_tar t;
    sdb_tar_init(&t, &ops, NULL, NULL, 0, NULL, 0);
    assert_int_equal(sdb_tar_feed(&t, tar, len), SDB_TAR_ETYPE);
    assert_int_equal(sdb_tar_finish(&t), SDB_TAR_ETYPE);
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

struct sink {
    uint8_t buf[16384];
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

static void gnu_long_name_reads(void **state)
{
    (void)state;
    static struct sink s;
    char name[160];
    memset(name, 'n', sizeof name);
    memcpy(name, "app/", 4);
    name[sizeof name - 1] = '\0'; /* 159 characters: a GNU 'L' entry */
    struct sdb_tar_writer w = {.out = to_sink, .ctx = &s};
    assert_int_equal(sdb_tar_write_header(&w, name, SDB_TAR_FILE, 5, 0644), SDB_OK);
    assert_int_equal(sdb_tar_write_data(&w, "print", 5), SDB_OK);
    assert_int_equal(sdb_tar_write_end(&w), SDB_OK);

    struct seen seen = {0};
    const struct sdb_tar_ops ops = {on_begin, on_data, on_end, &seen};
    struct sdb_tar t;
    sdb_tar_init(&t, &ops, NULL, NULL, 0, NULL, 0);
    assert_int_equal(sdb_tar_feed(&t, s.buf, s.len), SDB_OK);
    assert_int_equal(sdb_tar_finish(&t), SDB_OK);
    assert_int_equal(seen.begins, 1);
    assert_int_equal(seen.bytes, 5);
    assert_string_equal(seen.path, name);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pax_path_refused),
        cmocka_unit_test(pax_global_refused),
        cmocka_unit_test(gnu_long_name_reads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
