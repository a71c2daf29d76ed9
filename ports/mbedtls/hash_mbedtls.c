/*
 * SHA-1 / SHA-256 backend on mbedTLS (2.28 and 3.x): one place for the API
 * difference. The mbedTLS context lives in the caller's opaque storage
 * (hash.h); the asserts below fail the build where it would not fit.
 * Linked by the host, ESP-IDF and MicroPython ports.
 */
#include <mbedtls/sha1.h>
#include <mbedtls/sha256.h>
#include <mbedtls/version.h>
#include "sdboot/hash.h"

_Static_assert(sizeof(mbedtls_sha256_context) <= SDB_SHA256_CTX_SIZE,
               "mbedtls_sha256_context does not fit struct sdb_sha256: raise SDB_SHA256_CTX_SIZE");
_Static_assert(sizeof(mbedtls_sha1_context) <= SDB_SHA1_CTX_SIZE,
               "mbedtls_sha1_context does not fit struct sdb_sha1: raise SDB_SHA1_CTX_SIZE");
_Static_assert(_Alignof(mbedtls_sha256_context) <= 8 && _Alignof(mbedtls_sha1_context) <= 8,
               "mbedTLS hash contexts need more than the 8-byte alignment of hash.h");

#if MBEDTLS_VERSION_NUMBER >= 0x03000000
#define SHA256_STARTS mbedtls_sha256_starts
#define SHA256_UPDATE mbedtls_sha256_update
#define SHA256_FINISH mbedtls_sha256_finish
#define SHA1_STARTS mbedtls_sha1_starts
#define SHA1_UPDATE mbedtls_sha1_update
#define SHA1_FINISH mbedtls_sha1_finish
#else
#define SHA256_STARTS mbedtls_sha256_starts_ret
#define SHA256_UPDATE mbedtls_sha256_update_ret
#define SHA256_FINISH mbedtls_sha256_finish_ret
#define SHA1_STARTS mbedtls_sha1_starts_ret
#define SHA1_UPDATE mbedtls_sha1_update_ret
#define SHA1_FINISH mbedtls_sha1_finish_ret
#endif

static mbedtls_sha256_context *ctx256(struct sdb_sha256 *h)
{
    return (mbedtls_sha256_context *)(void *)h->opaque;
}

static mbedtls_sha1_context *ctx1(struct sdb_sha1 *h)
{
    return (mbedtls_sha1_context *)(void *)h->opaque;
}

static int backend(int rc)
{
    return rc ? SDB_HASH_EBACKEND : SDB_OK;
}

int sdb_sha256_init(struct sdb_sha256 *h)
{
    mbedtls_sha256_init(ctx256(h));
    return backend(SHA256_STARTS(ctx256(h), 0));
}

int sdb_sha256_update(struct sdb_sha256 *h, const void *data, size_t len)
{
    return backend(SHA256_UPDATE(ctx256(h), data, len));
}

int sdb_sha256_finish(struct sdb_sha256 *h, uint8_t out[SDB_SHA256_LEN])
{
    int rc = SHA256_FINISH(ctx256(h), out);
    mbedtls_sha256_free(ctx256(h));
    return backend(rc);
}

int sdb_sha1_init(struct sdb_sha1 *h)
{
    mbedtls_sha1_init(ctx1(h));
    return backend(SHA1_STARTS(ctx1(h)));
}

int sdb_sha1_update(struct sdb_sha1 *h, const void *data, size_t len)
{
    return backend(SHA1_UPDATE(ctx1(h), data, len));
}

int sdb_sha1_finish(struct sdb_sha1 *h, uint8_t out[SDB_SHA1_LEN])
{
    int rc = SHA1_FINISH(ctx1(h), out);
    mbedtls_sha1_free(ctx1(h));
    return backend(rc);
}
