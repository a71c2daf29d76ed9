/* SHA-1 / SHA-256 over mbedTLS, one place for the 2.28 / 3.x API difference. */
#include <mbedtls/version.h>
#include "sdboot/hash.h"

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

static int backend(int rc)
{
    return rc ? SDB_HASH_EBACKEND : SDB_OK;
}

int sdb_sha256_init(struct sdb_sha256 *h)
{
    mbedtls_sha256_init(&h->ctx);
    return backend(SHA256_STARTS(&h->ctx, 0));
}

int sdb_sha256_update(struct sdb_sha256 *h, const void *data, size_t len)
{
    return backend(SHA256_UPDATE(&h->ctx, data, len));
}

int sdb_sha256_finish(struct sdb_sha256 *h, uint8_t out[32])
{
    int rc = SHA256_FINISH(&h->ctx, out);
    mbedtls_sha256_free(&h->ctx);
    return backend(rc);
}

int sdb_sha1_init(struct sdb_sha1 *h)
{
    mbedtls_sha1_init(&h->ctx);
    return backend(SHA1_STARTS(&h->ctx));
}

int sdb_sha1_update(struct sdb_sha1 *h, const void *data, size_t len)
{
    return backend(SHA1_UPDATE(&h->ctx, data, len));
}

int sdb_sha1_finish(struct sdb_sha1 *h, uint8_t out[20])
{
    int rc = SHA1_FINISH(&h->ctx, out);
    mbedtls_sha1_free(&h->ctx);
    return backend(rc);
}

void sdb_hex_encode(const uint8_t *bytes, size_t len, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 15];
    }
    out[2 * len] = '\0';
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool sdb_hex_decode(const char *hex, size_t hex_len, uint8_t *out, size_t len)
{
    if (hex_len != 2 * len)
        return false;
    for (size_t i = 0; i < len; i++) {
        int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return true;
}
