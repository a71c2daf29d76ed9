/*
 * SHA-1 and SHA-256 (FIPS 180-4) in portable C: the hash backend (hash.h) for
 * a port without mbedTLS, the bare-metal one first. Written for size, not
 * speed: one compression function per hash with rolled loops and a 16-word
 * message schedule kept in a ring.
 *
 * Tested bit for bit against mbedTLS (tests/port/test_hash_soft.c): the FIPS
 * known answers, every length 0..4096 and odd update splits.
 *
 * RAM: the context (108 bytes, inside the caller's struct); stack: about
 * 150 bytes for a compression. No allocation, no failure: every call returns
 * SDB_OK.
 */
#include <string.h>
#include "sdboot/hash.h"

struct soft_ctx {
    uint32_t h[8];   /* SHA-1 uses the first 5 */
    uint64_t length; /* bytes hashed so far */
    uint8_t block[64];
    uint32_t fill; /* bytes in block */
};

_Static_assert(sizeof(struct soft_ctx) <= SDB_SHA256_CTX_SIZE, "SHA-256 context too big");
_Static_assert(sizeof(struct soft_ctx) <= SDB_SHA1_CTX_SIZE, "SHA-1 context too big");
_Static_assert(_Alignof(struct soft_ctx) <= 8, "hash context alignment over 8");

typedef void (*compress_fn)(uint32_t *h, const uint8_t *block);

static uint32_t rotr(uint32_t x, unsigned n)
{
    return x >> n | x << (32 - n);
}

static uint32_t load_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void store_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static const uint32_t k256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

/* FIPS 180-4 6.2.2, with W_t kept in a 16-word ring. */
static void sha256_compress(uint32_t *h, const uint8_t *block)
{
    uint32_t w[16], v[8];
    memcpy(v, h, sizeof v);
    for (unsigned t = 0; t < 64; t++) {
        uint32_t wt;
        if (t < 16) {
            wt = load_be32(block + 4 * t);
        } else {
            uint32_t w15 = w[(t - 15) & 15], w2 = w[(t - 2) & 15];
            uint32_t s0 = rotr(w15, 7) ^ rotr(w15, 18) ^ (w15 >> 3);
            uint32_t s1 = rotr(w2, 17) ^ rotr(w2, 19) ^ (w2 >> 10);
            wt = w[t & 15] + s0 + w[(t - 7) & 15] + s1;
        }
        w[t & 15] = wt;
        uint32_t e = v[4], a = v[0];
        uint32_t t1 = v[7] + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & v[5]) ^ (~e & v[6])) +
                      k256[t] + wt;
        uint32_t t2 =
            (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & v[1]) ^ (a & v[2]) ^ (v[1] & v[2]));
        memmove(v + 1, v, 7 * sizeof v[0]);
        v[4] += t1;
        v[0] = t1 + t2;
    }
    for (unsigned i = 0; i < 8; i++)
        h[i] += v[i];
}

/* FIPS 180-4 6.1.2. */
static void sha1_compress(uint32_t *h, const uint8_t *block)
{
    uint32_t w[16], a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (unsigned t = 0; t < 80; t++) {
        uint32_t wt;
        if (t < 16)
            wt = load_be32(block + 4 * t);
        else
            wt = rotr(w[(t - 3) & 15] ^ w[(t - 8) & 15] ^ w[(t - 14) & 15] ^ w[t & 15], 31);
        w[t & 15] = wt;
        uint32_t f, k;
        if (t < 20) {
            f = (b & c) | (~b & d);
            k = 0x5a827999;
        } else if (t < 40) {
            f = b ^ c ^ d;
            k = 0x6ed9eba1;
        } else if (t < 60) {
            f = (b & c) | (b & d) | (c & d);
            k = 0x8f1bbcdc;
        } else {
            f = b ^ c ^ d;
            k = 0xca62c1d6;
        }
        uint32_t tmp = rotr(a, 27) + f + e + k + wt;
        e = d;
        d = c;
        c = rotr(b, 2);
        b = a;
        a = tmp;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
}

static void absorb(struct soft_ctx *c, const uint8_t *p, size_t len, compress_fn compress)
{
    c->length += len;
    while (len > 0) {
        size_t take = 64 - c->fill < len ? 64 - c->fill : len;
        if (c->fill == 0 && len >= 64) { /* whole blocks straight from the input */
            compress(c->h, p);
            take = 64;
        } else {
            memcpy(c->block + c->fill, p, take);
            c->fill += (uint32_t)take;
            if (c->fill == 64) {
                compress(c->h, c->block);
                c->fill = 0;
            }
        }
        p += take;
        len -= take;
    }
}

/* Padding (FIPS 180-4 5.1.1): 0x80, zeros up to 56 bytes into a block, the
 * length in bits, big-endian; absorbed like the message, so that padding
 * needs no code of its own. */
static void finish(struct soft_ctx *c, uint8_t *out, unsigned words, compress_fn compress)
{
    static const uint8_t marker = 0x80, zero = 0;
    uint8_t bits[8];
    store_be32(bits, (uint32_t)(c->length >> 29));
    store_be32(bits + 4, (uint32_t)(c->length << 3));
    absorb(c, &marker, 1, compress);
    while (c->fill != 56)
        absorb(c, &zero, 1, compress);
    absorb(c, bits, sizeof bits, compress);
    for (unsigned i = 0; i < words; i++)
        store_be32(out + 4 * i, c->h[i]);
    memset(c, 0, sizeof *c);
}

static struct soft_ctx *ctx256(struct sdb_sha256 *h)
{
    return (struct soft_ctx *)(void *)h->opaque;
}

static struct soft_ctx *ctx1(struct sdb_sha1 *h)
{
    return (struct soft_ctx *)(void *)h->opaque;
}

static int start(struct soft_ctx *c, const uint32_t *iv, size_t iv_bytes)
{
    memset(c, 0, sizeof *c);
    memcpy(c->h, iv, iv_bytes);
    return SDB_OK;
}

int sdb_sha256_init(struct sdb_sha256 *h)
{
    static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    return start(ctx256(h), iv, sizeof iv);
}

int sdb_sha256_update(struct sdb_sha256 *h, const void *data, size_t len)
{
    absorb(ctx256(h), data, len, sha256_compress);
    return SDB_OK;
}

int sdb_sha256_finish(struct sdb_sha256 *h, uint8_t out[SDB_SHA256_LEN])
{
    finish(ctx256(h), out, 8, sha256_compress);
    return SDB_OK;
}

int sdb_sha1_init(struct sdb_sha1 *h)
{
    static const uint32_t iv[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};
    return start(ctx1(h), iv, sizeof iv);
}

int sdb_sha1_update(struct sdb_sha1 *h, const void *data, size_t len)
{
    absorb(ctx1(h), data, len, sha1_compress);
    return SDB_OK;
}

int sdb_sha1_finish(struct sdb_sha1 *h, uint8_t out[SDB_SHA1_LEN])
{
    finish(ctx1(h), out, 5, sha1_compress);
    return SDB_OK;
}
