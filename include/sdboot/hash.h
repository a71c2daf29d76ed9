/*
 * SHA-1 (for the seed's `versions` lines) and SHA-256, streaming, on mbedTLS
 * (2.28 and 3.x). Contexts are caller-owned; no allocation.
 */
#ifndef SDBOOT_HASH_H
#define SDBOOT_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <mbedtls/sha1.h>
#include <mbedtls/sha256.h>
#include "sdboot/release.h"

struct sdb_sha256 {
    mbedtls_sha256_context ctx;
};
struct sdb_sha1 {
    mbedtls_sha1_context ctx;
};

int sdb_sha256_init(struct sdb_sha256 *h);
int sdb_sha256_update(struct sdb_sha256 *h, const void *data, size_t len);
int sdb_sha256_finish(struct sdb_sha256 *h, uint8_t out[32]); /* also frees the context */
int sdb_sha1_init(struct sdb_sha1 *h);
int sdb_sha1_update(struct sdb_sha1 *h, const void *data, size_t len);
int sdb_sha1_finish(struct sdb_sha1 *h, uint8_t out[20]);

/* Lower-case hex of len bytes into out (2*len+1 bytes). */
void sdb_hex_encode(const uint8_t *bytes, size_t len, char *out);
/* Exactly 2*len hex digits (either case) -> bytes. */
bool sdb_hex_decode(const char *hex, size_t hex_len, uint8_t *out, size_t len);

#endif
