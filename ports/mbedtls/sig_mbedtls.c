/* ECDSA P-256 verification of the manifest on mbedTLS (2.28 and 3.x). */
#include <string.h>
#include <mbedtls/pk.h>
#include <mbedtls/version.h>
#include "sdboot/hash.h"
#include "sdboot/sig.h"

static int verify_with(const char *pem, const uint8_t hash[32], const uint8_t *sig, size_t sig_len)
{
    mbedtls_pk_context pk;
    mbedtls_pk_init(&pk);
    int err = SDB_SIG_EKEY;
    if (mbedtls_pk_parse_public_key(&pk, (const unsigned char *)pem, strlen(pem) + 1) == 0 &&
        mbedtls_pk_can_do(&pk, MBEDTLS_PK_ECDSA) && mbedtls_pk_get_bitlen(&pk) == 256) {
        int rc = mbedtls_pk_verify(&pk, MBEDTLS_MD_SHA256, hash, 32, sig, sig_len);
        err = rc == 0 ? SDB_OK : SDB_SIG_EBAD;
    }
    mbedtls_pk_free(&pk);
    return err;
}

/* A DER ECDSA signature is SEQUENCE { INTEGER r, INTEGER s }. */
static bool looks_like_der(const uint8_t *sig, size_t len)
{
    return len >= 8 && len <= SDB_SIG_MAX_DER && sig[0] == 0x30 && sig[1] == len - 2 &&
           sig[2] == 0x02;
}

int sdb_sig_verify(const struct sdb_trust *trust, const uint8_t *data, size_t len,
                   const uint8_t *sig, size_t sig_len)
{
    if (!trust || !trust->count || trust->count > SDB_SIG_MAX_KEYS || !sig)
        return SDB_E_INVAL;
    if (!looks_like_der(sig, sig_len))
        return SDB_SIG_EFORMAT;
    uint8_t hash[32];
    struct sdb_sha256 h;
    int err = sdb_sha256_init(&h);
    if (err || (err = sdb_sha256_update(&h, data, len)) || (err = sdb_sha256_finish(&h, hash)))
        return err;
    int result = SDB_SIG_EBAD;
    for (unsigned i = 0; i < trust->count; i++) {
        err = verify_with(trust->pem[i], hash, sig, sig_len);
        if (err == SDB_OK)
            return SDB_OK;
        if (err == SDB_SIG_EKEY)
            result = SDB_SIG_EKEY;
    }
    return result;
}

int sdb_sig_check_manifest(const struct sdb_trust *trust, const uint8_t *data, size_t len,
                           const uint8_t *sig, size_t sig_len, bool *signed_ok)
{
    *signed_ok = false;
    if (trust && trust->count) {
        if (!sig)
            return SDB_SIG_EMISSING;
        int err = sdb_sig_verify(trust, data, len, sig, sig_len);
        *signed_ok = err == SDB_OK;
        return err;
    }
    return trust && trust->allow_unsigned ? SDB_OK : SDB_SIG_EUNSIGNED;
}
