/*
 * SHA-1 (for the seed's `versions` lines) and SHA-256, streaming, behind an
 * interface the port links in: no third-party header here.
 *
 * Backends (one per build, chosen at link time):
 *   ports/mbedtls/hash_mbedtls.c  mbedTLS 2.28 / 3.x (host, ESP-IDF, MicroPython)
 *   a port's own software implementation (bare metal)
 * Each backend keeps its context inside the caller's fixed-size storage below
 * and _Static_asserts that it fits.
 *
 * Contract (every backend):
 *   - init, update, finish return SDB_OK or SDB_HASH_EBACKEND (the library
 *     failed); after an error the digest must not be used.
 *   - finish writes the digest and releases whatever init took (a hardware
 *     engine, on some ports); the context may be initialised again afterwards.
 *     init on a context that was started restarts it. Callers finish every
 *     context they started, also on an error path.
 *   - no allocation on the boot path, no I/O: a power cut loses nothing but the
 *     hash in progress, which is recomputed from the data.
 * RAM: SDB_SHA256_CTX_SIZE / SDB_SHA1_CTX_SIZE bytes per context (caller's).
 * Stack: the backend's (mbedTLS: < 400 B on Cortex-M4).
 */
#ifndef SDBOOT_HASH_H
#define SDBOOT_HASH_H

#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sdboot/release.h"

/* Bytes a backend may use per context: mbedTLS needs 108 (SHA-256) and 92
 * (SHA-1) on 32- and 64-bit targets, ESP-IDF's hardware contexts up to 116. */
#define SDB_SHA256_CTX_SIZE 128
#define SDB_SHA1_CTX_SIZE 128
#define SDB_SHA256_LEN 32
#define SDB_SHA1_LEN 20

/* Opaque, caller-owned; only the backend looks inside. */
struct sdb_sha256 {
    alignas(8) unsigned char opaque[SDB_SHA256_CTX_SIZE];
};
struct sdb_sha1 {
    alignas(8) unsigned char opaque[SDB_SHA1_CTX_SIZE];
};

/* Start a digest. SDB_OK or SDB_HASH_EBACKEND. */
int sdb_sha256_init(struct sdb_sha256 *h);
/* Add len bytes (any length, also 0). SDB_OK or SDB_HASH_EBACKEND. */
int sdb_sha256_update(struct sdb_sha256 *h, const void *data, size_t len);
/* Write the digest and release the context. SDB_OK or SDB_HASH_EBACKEND. */
int sdb_sha256_finish(struct sdb_sha256 *h, uint8_t out[SDB_SHA256_LEN]);
int sdb_sha1_init(struct sdb_sha1 *h);
int sdb_sha1_update(struct sdb_sha1 *h, const void *data, size_t len);
int sdb_sha1_finish(struct sdb_sha1 *h, uint8_t out[SDB_SHA1_LEN]);

/* Core (src/release/hex.c), no backend. */
/* Lower-case hex of len bytes into out (2*len+1 bytes, NUL-terminated). */
void sdb_hex_encode(const uint8_t *bytes, size_t len, char *out);
/* Exactly 2*len hex digits (either case) -> bytes. false (out partly written)
 * on a wrong length or a non-hex character. */
bool sdb_hex_decode(const char *hex, size_t hex_len, uint8_t *out, size_t len);

#endif
