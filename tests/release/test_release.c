/* Release layer: SemVer (the spec's examples), manifest errors with line numbers,
 * SHA known answers, the tar reader's every rule, chunk-size independence. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "sdboot/hash.h"
#include "sdboot/manifest.h"
#include "sdboot/semver.h"
#include "sdboot/tar.h"

static void semver_spec_precedence(void **state)
{
    (void)state;
    const char *order[] = {"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta",
                           "1.0.0-beta",  "1.0.0-beta.2",  "1.0.0-beta.11",
                           "1.0.0-rc.1",  "1.0.0",         "2.0.0",
                           "2.1.0",       "2.1.1"};
    size_t n = sizeof order / sizeof order[0];
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            struct sdb_semver a, b;
            assert_int_equal(sdb_semver_parse(order[i], 0, &a), SDB_OK);
            assert_int_equal(sdb_semver_parse(order[j], 0, &b), SDB_OK);
            int c = sdb_semver_compare(&a, &b);
            assert_true(i < j ? c < 0 : i > j ? c > 0 : c == 0);
        }
    struct sdb_semver a, b;
    sdb_semver_parse("1.0.0+build.1", 0, &a);
    sdb_semver_parse("1.0.0+other", 0, &b);
    assert_int_equal(sdb_semver_compare(&a, &b), 0); /* build metadata ignored */
    const char *bad[] = {"",       "1",
                         "1.0",    "1.0.0.0",
                         "01.0.0", "1.02.0",
                         "1.0.0-", "1.0.0-01",
                         "1.0.0+", "1.0.0-a..b",
                         "v1.0.0", "1.0.0-a_b",
                         " 1.0.0", "99999999999999999999.0.0"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(sdb_semver_parse(bad[i], 0, &a), SDB_SEMVER_EINVAL);
    assert_int_equal(sdb_semver_should_update("1.0.0", "1.0.1", false), SDB_OK);
    assert_int_equal(sdb_semver_should_update("1.0.0", "1.0.0", false), SDB_POLICY_EOLDER);
    assert_int_equal(sdb_semver_should_update("1.10.0", "1.9.0", false), SDB_POLICY_EOLDER);
    assert_int_equal(sdb_semver_should_update("1.10.0", "1.9.0", true), SDB_OK);
    assert_int_equal(sdb_semver_should_update("none", "0.0.1", false), SDB_OK);
    assert_int_equal(sdb_semver_should_update("1.0.0", "1.0.0-rc.1", false), SDB_POLICY_EOLDER);
}

static void manifest_seed_and_extended_lines(void **state)
{
    (void)state;
    const char *m =
        "0.0.1;0_0_1-firmware.tar;2988860ca0858eca16a795399148fca95b649784\r\n"
        "\n"
        "# comment\n"
        "0.0.2;0_0_2-firmware.tar;2988860CA0858ECA16A795399148FCA95B649784;\n"
        "1.0.0;1_0_0-firmware.tar.gz;2988860ca0858eca16a795399148fca95b649784;size=1234;"
        "sha256="
        "0000000000000000000000000000000000000000000000000000000000000001;board=esp32-s3\n";
    struct sdb_manifest_entry e;
    struct sdb_manifest_error err;
    assert_int_equal(sdb_manifest_latest(m, strlen(m), &e, &err), SDB_OK);
    assert_string_equal(e.version, "1.0.0");
    assert_string_equal(e.filename, "1_0_0-firmware.tar.gz");
    assert_string_equal(e.board, "esp32-s3");
    assert_true(e.has_size && e.size == 1234 && e.has_sha256 && e.sha256[31] == 1);
    assert_int_equal(e.line, 5);
    char line[600];
    int n = sdb_manifest_format(&e, line, sizeof line);
    assert_true(n > 0);
    struct sdb_manifest_entry back;
    assert_int_equal(sdb_manifest_latest(line, (size_t)n, &back, &err), SDB_OK);
    assert_memory_equal(&back.sha256, &e.sha256, 32);
}

static void manifest_errors_name_their_line(void **state)
{
    (void)state;
    const char *ok = "1.0.0;a.tar;2988860ca0858eca16a795399148fca95b649784\n";
    const struct {
        const char *second_line;
        int code;
    } cases[] = {
        {"1.1.0;b.tar\n", SDB_MF_EFIELDS},
        {"1.1;b.tar;2988860ca0858eca16a795399148fca95b649784\n", SDB_MF_EVERSION},
        {"1.1.0;../b.tar;2988860ca0858eca16a795399148fca95b649784\n", SDB_MF_EFILENAME},
        {"1.1.0;b.tar;2988860ca0858eca16a795399148fca95b64978\n", SDB_MF_ESHA1},
        {"1.1.0;b.tar;2988860ca0858eca16a795399148fca95b649784;sha256=12\n", SDB_MF_ESHA256},
        {"1.1.0;b.tar;2988860ca0858eca16a795399148fca95b649784;size=12a\n", SDB_MF_ESIZE},
        {"1.1.0;b.tar;2988860ca0858eca16a795399148fca95b649784;color=red\n", SDB_MF_EKEY},
        {"1.1.0;b.tar;2988860ca0858eca16a795399148fca95b649784;size=1;size=2\n", SDB_MF_EDUPKEY},
        {"1.1.0;b.tar;2988860ca0858eca16a795399148fca95b649784;board=a b\n", SDB_MF_EBOARD},
        {"0.9.0;b.tar;2988860ca0858eca16a795399148fca95b649784\n", SDB_MF_EORDER},
        {"1.1.0;b.tar;2988860ca0858eca16a795399148fca95b649784\x01\n", SDB_MF_ECHARS},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[512];
        snprintf(buf, sizeof buf, "%s%s", ok, cases[i].second_line);
        struct sdb_manifest_entry e;
        struct sdb_manifest_error err;
        assert_int_equal(sdb_manifest_latest(buf, strlen(buf), &e, &err), cases[i].code);
        assert_int_equal(err.line, 2);
    }
    struct sdb_manifest_entry e;
    struct sdb_manifest_error err;
    assert_int_equal(sdb_manifest_latest("\n\n", 2, &e, &err), SDB_MF_EEMPTY);
    static char big[SDB_MANIFEST_MAX + 2];
    memset(big, '\n', sizeof big);
    assert_int_equal(sdb_manifest_latest(big, sizeof big, &e, &err), SDB_MF_ETOOBIG);
    static char longline[SDB_MANIFEST_LINE_MAX + 10];
    memset(longline, 'a', sizeof longline);
    assert_int_equal(sdb_manifest_latest(longline, sizeof longline, &e, &err), SDB_MF_ELINE);
}

static void sha_known_answers(void **state)
{
    (void)state;
    /* FIPS 180 examples: "abc" */
    uint8_t d1[20], d2[32];
    char hex[65];
    struct sdb_sha1 s1;
    struct sdb_sha256 s2;
    sdb_sha1_init(&s1);
    sdb_sha1_update(&s1, "abc", 3);
    sdb_sha1_finish(&s1, d1);
    sdb_hex_encode(d1, 20, hex);
    assert_string_equal(hex, "a9993e364706816aba3e25717850c26c9cd0d89d");
    sdb_sha256_init(&s2);
    sdb_sha256_update(&s2, "ab", 2); /* streaming: split input */
    sdb_sha256_update(&s2, "c", 1);
    sdb_sha256_finish(&s2, d2);
    sdb_hex_encode(d2, 32, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

/* ---- tar ---- */

struct collect {
    char paths[16][SDB_TAR_PATH_MAX + 1];
    uint64_t bytes[16];
    unsigned n;
};

static int on_begin(void *ctx, const struct sdb_tar_entry *e)
{
    struct collect *c = ctx;
    if (c->n < 16)
        strcpy(c->paths[c->n], e->path);
    c->n++;
    return SDB_OK;
}

static int on_data(void *ctx, const uint8_t *buf, size_t len)
{
    (void)buf;
    struct collect *c = ctx;
    c->bytes[c->n - 1] += len;
    return SDB_OK;
}

static uint64_t names[64];
static uint8_t arena[SDB_TAR_GZIP_ARENA];

static int read_tar(const uint8_t *data, size_t len, size_t chunk, struct collect *c)
{
    static struct sdb_tar t;
    struct sdb_tar_ops ops = {on_begin, on_data, NULL, c};
    struct sdb_tar_limits lim = {.max_file = 1 << 20, .max_total = 2 << 20};
    memset(c, 0, sizeof *c);
    sdb_tar_init(&t, &ops, &lim, names, 64, arena, sizeof arena);
    for (size_t off = 0; off < len; off += chunk) {
        int err = sdb_tar_feed(&t, data + off, len - off < chunk ? len - off : chunk);
        if (err)
            return err;
    }
    return sdb_tar_finish(&t);
}

static uint8_t tar_buf[65536];

static void build(struct sdb_tar_mem *m, const char *const *paths, unsigned n)
{
    struct sdb_tar_writer w = {.out = sdb_tar_mem_out, .ctx = m};
    *m = (struct sdb_tar_mem){tar_buf, sizeof tar_buf, 0};
    for (unsigned i = 0; i < n; i++) {
        sdb_tar_write_header(&w, paths[i], SDB_TAR_FILE, 700, 0644);
        uint8_t data[700];
        memset(data, 'a' + (int)i, sizeof data);
        sdb_tar_write_data(&w, data, sizeof data);
    }
    sdb_tar_write_end(&w);
}

/* The memory sink stops at its capacity and keeps what fit. */
static void tar_mem_refuses_past_capacity(void **state)
{
    (void)state;
    uint8_t small[1024];
    memset(small, 0xee, sizeof small);
    struct sdb_tar_mem m = {small, 600, 0};
    struct sdb_tar_writer w = {.out = sdb_tar_mem_out, .ctx = &m};
    assert_int_equal(sdb_tar_write_header(&w, "main.py", SDB_TAR_FILE, 200, 0644), SDB_OK);
    assert_int_equal(m.len, 512);
    uint8_t data[200];
    memset(data, 'x', sizeof data);
    assert_int_equal(sdb_tar_write_data(&w, data, sizeof data), SDB_E_BUFSIZE);
    assert_int_equal(m.len, 512);
    assert_int_equal(small[600], 0xee); /* nothing past cap */
    assert_int_equal(small[512], 0xee);
}

static void tar_reads_any_chunking(void **state)
{
    (void)state;
    static struct sdb_tar_mem m;
    char longname[200];
    memset(longname, 'L', sizeof longname);
    memcpy(longname, "app/", 4);
    longname[150] = '\0';
    const char *paths[] = {"main.py", "./app/x.py", longname};
    build(&m, paths, 3);
    size_t chunks[] = {1, 7, 512, 513, 100000};
    for (size_t i = 0; i < 5; i++) {
        struct collect c;
        assert_int_equal(read_tar(m.buf, m.len, chunks[i], &c), SDB_OK);
        assert_int_equal(c.n, 3);
        assert_string_equal(c.paths[1], "app/x.py");
        assert_string_equal(c.paths[2], longname);
        assert_int_equal(c.bytes[2], 700);
    }
}

/* One ustar header block of `type` for `name` with `size` bytes, at out. */
static size_t raw_header(uint8_t *out, const char *name, size_t size, char type)
{
    memset(out, 0, 512);
    memcpy(out, name, strlen(name));
    snprintf((char *)out + 100, 8, "%07o", 0644);
    snprintf((char *)out + 124, 12, "%011o", (unsigned)size);
    out[156] = (uint8_t)type;
    memcpy(out + 257,
           "ustar\0"
           "00",
           8);
    memset(out + 148, ' ', 8);
    unsigned sum = 0;
    for (int i = 0; i < 512; i++)
        sum += out[i];
    snprintf((char *)out + 148, 8, "%06o", sum);
    return 512;
}

/* An extended header (type 'L' or 'x') with its content, padded. */
static size_t raw_ext(uint8_t *out, char type, const char *content)
{
    size_t n = strlen(content) + (type == 'L'); /* GNU counts the NUL */
    size_t at = raw_header(out, type == 'L' ? "././@LongLink" : "PaxHeader", n, type);
    memset(out + at, 0, (n + 511) / 512 * 512);
    memcpy(out + at, content, strlen(content));
    return at + (n + 511) / 512 * 512;
}

/* A GNU long name and a pax path before one entry, in either order: the pax
 * path names it (as GNU tar and bsdtar read them), a pax header without a
 * path leaves the long name, and neither outlives its entry. */
static void tar_extended_names_in_either_order(void **state)
{
    (void)state;
    const char *pax_path = "24 path=app/from_pax.py\n", *pax_time = "20 mtime=1700000000\n";
    const struct {
        const char *first, *second; /* "L:..." or a pax record */
        const char *want;
    } cases[] = {
        {pax_path, "L:app/from_gnu.py", "app/from_pax.py"},
        {"L:app/from_gnu.py", pax_path, "app/from_pax.py"},
        {"L:app/from_gnu.py", pax_time, "app/from_gnu.py"},
        {pax_time, NULL, "app/plain.py"},
    };
    static uint8_t buf[8192];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len = 0;
        const char *ext[2] = {cases[i].first, cases[i].second};
        for (int k = 0; k < 2; k++)
            if (ext[k])
                len += !strncmp(ext[k], "L:", 2) ? raw_ext(buf + len, 'L', ext[k] + 2)
                                                 : raw_ext(buf + len, 'x', ext[k]);
        len += raw_header(buf + len, "app/plain.py", 3, '0');
        memcpy(buf + len, "abc", 3);
        memset(buf + len + 3, 0, 509);
        len += 512;
        len += raw_header(buf + len, "app/next.py", 0, '0');
        memset(buf + len, 0, 1024);
        len += 1024;
        for (size_t chunk = 1; chunk <= 4096; chunk *= 64) {
            struct collect c;
            assert_int_equal(read_tar(buf, len, chunk, &c), SDB_OK);
            assert_int_equal(c.n, 2);
            assert_string_equal(c.paths[0], cases[i].want);
            assert_int_equal(c.bytes[0], 3);
            assert_string_equal(c.paths[1], "app/next.py");
        }
    }
}

/* A pax record whose length does not reach past its own "LEN " (0, 1, 2,
 * 3) or runs past the header is refused, and no entry reaches the caller. */
static void tar_pax_record_too_short(void **state)
{
    (void)state;
    static const char *const bad[] = {"0 \n", "1 \n", "2 \n", "3 \n", "2 x=\n", "30 path=a\n"};
    static uint8_t buf[4096];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t len = raw_ext(buf, 'x', bad[i]);
        len += raw_header(buf + len, "app/plain.py", 0, '0');
        memset(buf + len, 0, 1024);
        len += 1024;
        struct collect c;
        assert_int_equal(read_tar(buf, len, 512, &c), SDB_TAR_EPAX);
        assert_int_equal(c.n, 0);
    }
}

/* gzip needs an arena larger than the reader's 512-byte output buffer, which
 * it takes from the arena's end. */
static void tar_gzip_needs_an_arena(void **state)
{
    (void)state;
    static const uint8_t gz_magic[] = {0x1F, 0x8B, 0x08, 0x00};
    static struct sdb_tar t;
    static uint8_t small[SDB_TAR_ZOUT];
    sdb_tar_init(&t, NULL, NULL, NULL, 0, small, sizeof small);
    assert_int_equal(sdb_tar_feed(&t, gz_magic, sizeof gz_magic), SDB_TAR_EGZIP);
    sdb_tar_init(&t, NULL, NULL, NULL, 0, NULL, 0);
    assert_int_equal(sdb_tar_feed(&t, gz_magic, sizeof gz_magic), SDB_TAR_EGZIP);
}

/* The names FAT keeps for devices, in any case and with any extension, and
 * their neighbours, which are ordinary names. */
static void tar_device_names_refused(void **state)
{
    (void)state;
    static const char *const refused[] = {
        "CON",  "con",    "cOn.txt", "PRN",  "aux.c",   "NUL",      "nul.tar.gz",
        "COM1", "com9.x", "LPT1",    "lPt9", "app/Aux", "cOM5.a.b",
    };
    static const char *const ordinary[] = {
        "COM0",  "LPT0", "COMX",  "CONS",   "CO",  "CONSOLE", "AUXILIARY.txt", "xcon",
        "COM10", "lpt",  "nul_x", "\xc3ON", "`ON", "C0N",     "PRN1",          "app/conx/x.con",
    };
    char out[SDB_TAR_PATH_MAX + 1];
    bool skip;
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        assert_int_equal(sdb_tar_check_path(refused[i], out, &skip), SDB_TAR_EFATNAME);
    for (size_t i = 0; i < sizeof ordinary / sizeof ordinary[0]; i++)
        assert_int_equal(sdb_tar_check_path(ordinary[i], out, &skip), SDB_OK);
    assert_int_equal(sdb_tar_check_path("app/con/x", out, &skip), SDB_TAR_EFATNAME);
}

static void tar_rules_each_have_their_code(void **state)
{
    (void)state;
    static struct sdb_tar_mem m;
    const struct {
        const char *path;
        int code;
    } cases[] = {
        {"/etc/passwd", SDB_TAR_EABSOLUTE},     {"app/../../x", SDB_TAR_EDOTDOT},
        {".sdboot/state.a", SDB_TAR_ERESERVED}, {".SDBOOT/x", SDB_TAR_ERESERVED},
        {"app\\x.py", SDB_TAR_EBACKSLASH},      {"app/a:b", SDB_TAR_EFATNAME},
        {"app/CON.txt", SDB_TAR_EFATNAME},      {"app/x.", SDB_TAR_EFATNAME},
        {"app/com1", SDB_TAR_EFATNAME},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *paths[] = {"main.py", cases[i].path};
        build(&m, paths, 2);
        struct collect c;
        assert_int_equal(read_tar(m.buf, m.len, 4096, &c), cases[i].code);
    }
    const char *dup[] = {"app/Main.py", "app/main.PY"};
    build(&m, dup, 2);
    struct collect c;
    assert_int_equal(read_tar(m.buf, m.len, 4096, &c), SDB_TAR_EDUPLICATE);
    /* header checksum, type, truncation, trailing garbage, size limit */
    const char *one[] = {"main.py"};
    build(&m, one, 1);
    m.buf[0] ^= 1;
    assert_int_equal(read_tar(m.buf, m.len, 4096, &c), SDB_TAR_ECHECKSUM);
    m.buf[0] ^= 1;
    assert_int_equal(read_tar(m.buf, 1024, 4096, &c), SDB_TAR_ETRUNCATED);
    m.buf[m.len - 1] = 'x';
    assert_int_equal(read_tar(m.buf, m.len, 4096, &c), SDB_TAR_ETRAILING);
    m.buf[m.len - 1] = 0;
    const uint8_t types[] = {'1', '2', '3', '4', '6', 'V'};
    const int codes[] = {SDB_TAR_EHARDLINK, SDB_TAR_ESYMLINK, SDB_TAR_EDEVICE,
                         SDB_TAR_EDEVICE,   SDB_TAR_EFIFO,    SDB_TAR_ETYPE};
    for (size_t i = 0; i < sizeof types; i++) {
        build(&m, one, 1);
        m.buf[156] = types[i];
        unsigned sum = 0;
        memset(m.buf + 148, ' ', 8);
        for (int k = 0; k < 512; k++)
            sum += m.buf[k];
        snprintf((char *)m.buf + 148, 8, "%06o", sum);
        assert_int_equal(read_tar(m.buf, m.len, 4096, &c), codes[i]);
    }
    static struct sdb_tar t;
    struct sdb_tar_limits lim = {.max_file = 100};
    build(&m, one, 1);
    sdb_tar_init(&t, NULL, &lim, names, 64, NULL, 0);
    assert_int_equal(sdb_tar_feed(&t, m.buf, m.len), SDB_TAR_EFILEBIG);
    assert_int_equal(sdb_tar_feed(&t, m.buf, 1), SDB_TAR_EFILEBIG); /* sticky */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(semver_spec_precedence),
        cmocka_unit_test(manifest_seed_and_extended_lines),
        cmocka_unit_test(manifest_errors_name_their_line),
        cmocka_unit_test(sha_known_answers),
        cmocka_unit_test(tar_mem_refuses_past_capacity),
        cmocka_unit_test(tar_reads_any_chunking),
        cmocka_unit_test(tar_rules_each_have_their_code),
        cmocka_unit_test(tar_device_names_refused),
        cmocka_unit_test(tar_extended_names_in_either_order),
        cmocka_unit_test(tar_pax_record_too_short),
        cmocka_unit_test(tar_gzip_needs_an_arena),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
