/*
 * Our own SHA-1/SHA-256 (ports/soft/hash_soft.c, the bare-metal port's hash
 * backend) against FIPS 180-4's known answers and, bit for bit, against
 * mbedTLS called directly: every length 0..4096 of pseudo-random input in one
 * update, the same inputs fed in odd-sized pieces, and a context reused after
 * finish. This binary links the soft backend as the sdb_sha* functions.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <mbedtls/sha1.h>
#include <mbedtls/sha256.h>
#include <mbedtls/version.h>
#include "sdboot/hash.h"

#if MBEDTLS_VERSION_NUMBER >= 0x03000000
#define REF_SHA256(in, len, out) mbedtls_sha256((in), (len), (out), 0)
#define REF_SHA1(in, len, out) mbedtls_sha1((in), (len), (out))
#else
#define REF_SHA256(in, len, out) mbedtls_sha256_ret((in), (len), (out), 0)
#define REF_SHA1(in, len, out) mbedtls_sha1_ret((in), (len), (out))
#endif

#define MAX_LEN 4096

static uint32_t rng_state = 0x12345678;

static uint32_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

/* The soft backend's two hashes behind one shape, for the helpers below. */
struct algo {
    int (*init)(void *h);
    int (*update)(void *h, const void *d, size_t n);
    int (*finish)(void *h, uint8_t *out);
};

static int init256(void *h)
{
    return sdb_sha256_init(h);
}
static int update256(void *h, const void *d, size_t n)
{
    return sdb_sha256_update(h, d, n);
}
static int finish256(void *h, uint8_t *out)
{
    return sdb_sha256_finish(h, out);
}
static int init1(void *h)
{
    return sdb_sha1_init(h);
}
static int update1(void *h, const void *d, size_t n)
{
    return sdb_sha1_update(h, d, n);
}
static int finish1(void *h, uint8_t *out)
{
    return sdb_sha1_finish(h, out);
}

static const struct algo sha256_algo = {init256, update256, finish256};
static const struct algo sha1_algo = {init1, update1, finish1};

/* Digest of in, fed whole (piece_max 0) or in pieces of 1..piece_max bytes. */
static void soft(const struct algo *a, const uint8_t *in, size_t len, size_t piece_max,
                 uint8_t *out)
{
    union {
        struct sdb_sha256 s256;
        struct sdb_sha1 s1;
    } h;
    assert_int_equal(a->init(&h), SDB_OK);
    while (len > 0) {
        size_t n = piece_max ? 1 + rng() % piece_max : len;
        n = n > len ? len : n;
        assert_int_equal(a->update(&h, in, n), SDB_OK);
        in += n;
        len -= n;
    }
    assert_int_equal(a->update(&h, in, 0), SDB_OK);
    assert_int_equal(a->finish(&h, out), SDB_OK);
}

static void soft256(const uint8_t *in, size_t len, size_t piece_max, uint8_t out[32])
{
    soft(&sha256_algo, in, len, piece_max, out);
}

static void soft1(const uint8_t *in, size_t len, size_t piece_max, uint8_t out[20])
{
    soft(&sha1_algo, in, len, piece_max, out);
}

static void hex(const uint8_t *d, size_t n, char *out)
{
    sdb_hex_encode(d, n, out);
}

/* FIPS 180-4 examples (NIST CSRC "Example Algorithms"). */
static void test_known_answers(void **state)
{
    (void)state;
    static const struct {
        const char *msg;
        const char *sha1;
        const char *sha256;
    } kat[] = {
        {"", "da39a3ee5e6b4b0d3255bfef95601890afd80709",
         "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abc", "a9993e364706816aba3e25717850c26c9cd0d89d",
         "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "84983e441c3bd26ebaae4aa1f95129e5e54670f1",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
        {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopq"
         "rlmnopqrsmnopqrstnopqrstu",
         "a49b2446a02c645bf419f995b67091253a04a259",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
    };
    for (size_t i = 0; i < sizeof kat / sizeof kat[0]; i++) {
        uint8_t d1[20], d256[32];
        char h1[41], h256[65];
        soft1((const uint8_t *)kat[i].msg, strlen(kat[i].msg), 0, d1);
        soft256((const uint8_t *)kat[i].msg, strlen(kat[i].msg), 0, d256);
        hex(d1, 20, h1);
        hex(d256, 32, h256);
        assert_string_equal(h1, kat[i].sha1);
        assert_string_equal(h256, kat[i].sha256);
    }
    /* one million 'a', fed 1000 bytes at a time */
    static uint8_t a[1000];
    memset(a, 'a', sizeof a);
    struct sdb_sha256 h;
    struct sdb_sha1 g;
    sdb_sha256_init(&h);
    sdb_sha1_init(&g);
    for (int i = 0; i < 1000; i++) {
        sdb_sha256_update(&h, a, sizeof a);
        sdb_sha1_update(&g, a, sizeof a);
    }
    uint8_t d256[32], d1[20];
    char h256[65], h1[41];
    sdb_sha256_finish(&h, d256);
    sdb_sha1_finish(&g, d1);
    hex(d256, 32, h256);
    hex(d1, 20, h1);
    assert_string_equal(h256, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    assert_string_equal(h1, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

/* Every length 0..4096, whole and in pieces of 1..N bytes for several N
 * (pieces that straddle the 64-byte block and the 56-byte padding edge). */
static void test_every_length_against_mbedtls(void **state)
{
    (void)state;
    static uint8_t in[MAX_LEN];
    static const size_t pieces[] = {0, 1, 3, 63, 65, 130};
    for (size_t len = 0; len <= MAX_LEN; len++) {
        for (size_t i = 0; i < len; i++)
            in[i] = (uint8_t)rng();
        uint8_t ref256[32], ref1[20];
        assert_int_equal(REF_SHA256(in, len, ref256), 0);
        assert_int_equal(REF_SHA1(in, len, ref1), 0);
        for (size_t p = 0; p < sizeof pieces / sizeof pieces[0]; p++) {
            if (pieces[p] == 1 && len > 600)
                continue; /* byte by byte is covered by the shorter lengths */
            uint8_t d256[32], d1[20];
            soft256(in, len, pieces[p], d256);
            soft1(in, len, pieces[p], d1);
            if (memcmp(d256, ref256, 32) != 0 || memcmp(d1, ref1, 20) != 0)
                fail_msg("digest differs from mbedTLS at length %zu, pieces up to %zu", len,
                         pieces[p]);
        }
    }
}

/* finish releases the context; init makes it usable again. */
static void test_context_reused(void **state)
{
    (void)state;
    struct sdb_sha256 h;
    uint8_t first[32], second[32], ref[32];
    sdb_sha256_init(&h);
    sdb_sha256_update(&h, "garbage", 7);
    sdb_sha256_finish(&h, first);
    sdb_sha256_init(&h);
    sdb_sha256_update(&h, "abc", 3);
    sdb_sha256_finish(&h, second);
    REF_SHA256((const uint8_t *)"abc", 3, ref);
    assert_memory_equal(second, ref, 32);
    assert_memory_not_equal(first, second, 32);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_answers),
        cmocka_unit_test(test_every_length_against_mbedtls),
        cmocka_unit_test(test_context_reused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
