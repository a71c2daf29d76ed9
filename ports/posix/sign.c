/* Host-side key generation and signing (never on a device). */
#include <string.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/version.h>
#include "sdboot/hash.h"
#include "sdboot/sig.h"

struct rng {
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
};

static int rng_init(struct rng *r)
{
    static const unsigned char personal[] = "sdboot-sign";
    mbedtls_entropy_init(&r->entropy);
    mbedtls_ctr_drbg_init(&r->drbg);
    return mbedtls_ctr_drbg_seed(&r->drbg, mbedtls_entropy_func, &r->entropy, personal,
                                 sizeof personal - 1);
}

static void rng_free(struct rng *r)
{
    mbedtls_ctr_drbg_free(&r->drbg);
    mbedtls_entropy_free(&r->entropy);
}

int sdb_sig_keygen(char *priv_pem, size_t priv_cap, char *pub_pem, size_t pub_cap)
{
    struct rng r;
    mbedtls_pk_context pk;
    mbedtls_pk_init(&pk);
    int err = SDB_SIG_ESIGN;
    if (rng_init(&r) == 0 &&
        mbedtls_pk_setup(&pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)) == 0 &&
        mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(pk), mbedtls_ctr_drbg_random,
                            &r.drbg) == 0 &&
        mbedtls_pk_write_key_pem(&pk, (unsigned char *)priv_pem, priv_cap) == 0 &&
        mbedtls_pk_write_pubkey_pem(&pk, (unsigned char *)pub_pem, pub_cap) == 0)
        err = SDB_OK;
    mbedtls_pk_free(&pk);
    rng_free(&r);
    return err;
}

int sdb_sig_sign(const char *priv_pem, const uint8_t *data, size_t len, uint8_t *sig,
                 size_t sig_cap, size_t *sig_len)
{
    uint8_t hash[32];
    struct sdb_sha256 h;
    int err = sdb_sha256_init(&h);
    if (err || (err = sdb_sha256_update(&h, data, len)) || (err = sdb_sha256_finish(&h, hash)))
        return err;
    struct rng r;
    mbedtls_pk_context pk;
    mbedtls_pk_init(&pk);
    err = SDB_SIG_EKEY;
    if (rng_init(&r) != 0)
        goto out;
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
    int rc = mbedtls_pk_parse_key(&pk, (const unsigned char *)priv_pem, strlen(priv_pem) + 1, NULL,
                                  0, mbedtls_ctr_drbg_random, &r.drbg);
#else
    int rc =
        mbedtls_pk_parse_key(&pk, (const unsigned char *)priv_pem, strlen(priv_pem) + 1, NULL, 0);
#endif
    if (rc || !mbedtls_pk_can_do(&pk, MBEDTLS_PK_ECDSA) || mbedtls_pk_get_bitlen(&pk) != 256)
        goto out;
    err = SDB_SIG_ESIGN;
    if (sig_cap < MBEDTLS_ECDSA_MAX_LEN)
        goto out;
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
    rc = mbedtls_pk_sign(&pk, MBEDTLS_MD_SHA256, hash, 32, sig, sig_cap, sig_len,
                         mbedtls_ctr_drbg_random, &r.drbg);
#else
    rc = mbedtls_pk_sign(&pk, MBEDTLS_MD_SHA256, hash, 32, sig, sig_len, mbedtls_ctr_drbg_random,
                         &r.drbg);
#endif
    if (rc == 0)
        err = SDB_OK;
out:
    mbedtls_pk_free(&pk);
    rng_free(&r);
    return err;
}
