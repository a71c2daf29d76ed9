/*
 * ECDSA P-256 signatures of the exact bytes of `versions`, stored beside it as
 * `versions.sig` (DER, as `openssl dgst -sha256 -sign key.pem` writes it).
 *
 * A device trusts up to SDB_SIG_MAX_KEYS public keys at once (key rotation:
 * ship the next key before retiring the old one); a signature is valid when any
 * of them verifies it. Verification (ports/mbedtls/sig_mbedtls.c, linked by
 * the port) parses the keys with mbedTLS, which allocates through its own
 * calloc: it runs on the application side (OTA check), never on the boot
 * path, which re-checks the staged hash instead.
 */
#ifndef SDBOOT_SIG_H
#define SDBOOT_SIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sdboot/release.h"

#define SDB_SIG_MAX_KEYS 4
#define SDB_SIG_MAX_DER 80 /* a P-256 DER signature is at most 72 bytes */

struct sdb_trust {
    const char *pem[SDB_SIG_MAX_KEYS]; /* NUL-terminated PEM public keys */
    unsigned count;
    bool allow_unsigned; /* accept a manifest without signature only when count == 0 */
};

/* Verify `sig` (DER) over `data` with any trusted key.
 * SDB_OK, SDB_SIG_EBAD, SDB_SIG_EFORMAT or SDB_SIG_EKEY (a trusted key is unreadable). */
int sdb_sig_verify(const struct sdb_trust *trust, const uint8_t *data, size_t len,
                   const uint8_t *sig, size_t sig_len);
/* The policy for a manifest that came with (sig != NULL) or without a signature:
 * keys configured -> a valid signature is required (SDB_SIG_EMISSING without one);
 * no keys -> only with allow_unsigned (SDB_SIG_EUNSIGNED otherwise). *signed_ok
 * tells whether a signature was verified. */
int sdb_sig_check_manifest(const struct sdb_trust *trust, const uint8_t *data, size_t len,
                           const uint8_t *sig, size_t sig_len, bool *signed_ok);

/* Host only (ports/posix/sign.c): make a key pair, sign data. PEM in, DER out. */
int sdb_sig_keygen(char *priv_pem, size_t priv_cap, char *pub_pem, size_t pub_cap);
int sdb_sig_sign(const char *priv_pem, const uint8_t *data, size_t len, uint8_t *sig,
                 size_t sig_cap, size_t *sig_len);

#endif
