/*
 * sdboot sim stage: as the running application, verify the latest release of a
 * local release directory and put it into staging, exactly as the OTA client
 * does after a download (manifest signature, version policy, size and hashes),
 * writing through the application's file interface.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "release_io.h"
#include "sdboot/index.h"
#include "sdboot/ota.h"
#include "sim_common.h"

struct stage_args {
    const char *release;
    struct sdb_trust trust;
    char *keys[SDB_SIG_MAX_KEYS];
    const char *board;
    bool force;
};

static int parse(int argc, char **argv, struct stage_args *a)
{
    memset(a, 0, sizeof *a);
    for (int i = 1; i < argc; i++) {
        if (!argv[i])
            continue;
        size_t len;
        if (!strcmp(argv[i], "--release") && i + 1 < argc) {
            a->release = argv[++i];
        } else if (!strcmp(argv[i], "--pubkey") && i + 1 < argc) {
            if (a->trust.count == SDB_SIG_MAX_KEYS)
                return cli_usage_error("sim stage", "at most %d keys", SDB_SIG_MAX_KEYS);
            if (cli_read_file(argv[++i], 16384, (uint8_t **)&a->keys[a->trust.count], &len))
                return cli_fail("sim stage", "%s: %s", argv[i], strerror(errno));
            a->trust.pem[a->trust.count] = a->keys[a->trust.count];
            a->trust.count++;
        } else if (!strcmp(argv[i], "--allow-unsigned")) {
            a->trust.allow_unsigned = true;
        } else if (!strcmp(argv[i], "--force")) {
            a->force = true;
        } else if (!strcmp(argv[i], "--board") && i + 1 < argc) {
            a->board = argv[++i];
        } else {
            return cli_usage_error("sim stage", "unexpected argument '%s'", argv[i]);
        }
    }
    if (!a->release)
        return cli_usage_error("sim stage", "needs --release DIR");
    if (!a->trust.count && !a->trust.allow_unsigned)
        return cli_usage_error("sim stage", "needs --pubkey PUBLIC.pem or --allow-unsigned");
    return CLI_EXIT_OK;
}

/* Copy the release file into SDB_STAGE_PART, hashing; check against the line. */
static int copy_into_staging(struct sim_card *c, const char *path, struct sdb_manifest_entry *e)
{
    const sdb_fileio_t *fio = &c->fio.fio;
    FILE *in = fopen(path, "rb");
    if (!in)
        return SDB_FIO_ENOENT;
    void *out;
    int err = sdboot_stage_begin(fio);
    if (!err)
        err = fio->open(fio->ctx, SDB_STAGE_PART, SDB_FIO_CREATE, &out);
    if (err) {
        fclose(in);
        return err;
    }
    struct sdb_sha1 s1;
    struct sdb_sha256 s256;
    sdb_sha1_init(&s1);
    sdb_sha256_init(&s256);
    static uint8_t buf[65536];
    uint64_t size = 0;
    size_t n;
    while (!err && (n = fread(buf, 1, sizeof buf, in)) > 0) {
        size += n;
        if (e->has_size && size > e->size)
            err = SDB_OTA_ESIZE;
        sdb_sha1_update(&s1, buf, n);
        sdb_sha256_update(&s256, buf, n);
        if (!err)
            err = fio->write(fio->ctx, out, buf, n);
        cli_progress("staging", size, e->has_size ? e->size : 0);
    }
    fclose(in);
    int cerr = fio->close(fio->ctx, out);
    uint8_t sha1[20], sha256[32];
    sdb_sha1_finish(&s1, sha1);
    sdb_sha256_finish(&s256, sha256);
    if (err || cerr)
        return err ? err : cerr;
    if (e->has_size && size != e->size)
        return SDB_SIZE_EMISMATCH;
    if (memcmp(sha1, e->sha1, 20) || (e->has_sha256 && memcmp(sha256, e->sha256, 32)))
        return SDB_HASH_EMISMATCH;
    memcpy(e->sha256, sha256, 32); /* the bootloader re-checks SHA-256 */
    e->has_sha256 = e->has_size = true;
    e->size = size;
    return SDB_OK;
}

/* The release's index beside it (FILE.idx), copied into staging when it
 * hashes to the signed index=: the bootloader keeps it for the next delta.
 * false when it is missing or not the signed one (then the line's index is
 * not claimed: the record names none). */
static bool copy_index(struct sim_card *c, const char *tar_path, const struct sdb_manifest_entry *e)
{
    char path[4200];
    snprintf(path, sizeof path, "%s" SDB_INDEX_SUFFIX, tar_path);
    uint8_t *data = NULL;
    size_t len;
    if (cli_read_file(path, SDB_INDEX_DEFAULT_MAX_BYTES, &data, &len))
        return false;
    struct sdb_sha256 h;
    uint8_t sum[32];
    sdb_sha256_init(&h);
    sdb_sha256_update(&h, data, len);
    sdb_sha256_finish(&h, sum);
    const sdb_fileio_t *fio = &c->fio.fio;
    void *out;
    bool ok = !memcmp(sum, e->index_sha256, 32) &&
              !fio->open(fio->ctx, SDB_STAGE_INDEX, SDB_FIO_CREATE, &out);
    if (ok) {
        int err = fio->write(fio->ctx, out, data, len);
        ok = !fio->close(fio->ctx, out) && !err;
    }
    free(data);
    return ok;
}

int sim_stage(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: sdboot sim stage --card IMG --release DIR [--pubkey PUBLIC.pem]...\n"
               "                       [--allow-unsigned] [--force] [--board ID] "
               "[--power-cut-after N]\n"
               "                       " SIM_PROFILE_USAGE "\n\n"
               "As the running application: verify the latest release of DIR (signature,\n"
               "version newer than the installed one, size and hashes) and stage it for the\n"
               "bootloader, exactly as the OTA client does after a download (with its index,\n"
               "FILE.idx, which the bootloader keeps for the next delta). Prints 'up to\n"
               "date' or what it staged, then the card traffic and its estimated time.\n");
        return CLI_EXIT_OK;
    }
    struct sim_card c;
    struct stage_args a;
    int rc = sim_take_card_args("sim stage", argc, argv, &c);
    if (!rc)
        rc = sim_take_profile_arg("sim stage", argc, argv, &c);
    if (!rc)
        rc = parse(argc, argv, &a);
    if (rc)
        return rc;
    uint8_t *manifest = NULL, *sig = NULL;
    size_t len, sig_len;
    int err = release_dir_load(a.release, &manifest, &len, &sig, &sig_len);
    if (err) {
        rc = cli_fail("sim stage", "%s/versions: %s", a.release, sdb_strerror(err));
        goto out;
    }
    if ((rc = sim_open("sim stage", &c, true)))
        goto out;
    char installed[SDB_VERSION_MAX];
    sim_installed_version(&c, installed, sizeof installed);
    struct sdb_manifest_entry e;
    struct sdb_manifest_error merr = {0};
    uint32_t flags = 0;
    err = sdboot_ota_decide(&a.trust, a.board, a.force, manifest, len, sig, sig_len, installed, &e,
                            &flags, &merr);
    if (err == SDB_OTA_UPTODATE) {
        printf("up to date (installed %s, latest %s)\n", installed, e.version);
        rc = sim_close("sim stage", &c, CLI_EXIT_OK);
        goto out;
    }
    if (err) {
        rc = merr.line ? cli_fail("sim stage", "versions line %u: %s", merr.line, sdb_strerror(err))
                       : cli_fail("sim stage", "refused: %s", sdb_strerror(err));
        rc = sim_close("sim stage", &c, rc);
        goto out;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", a.release, e.filename);
    struct sdb_stage_space space;
    err = sdboot_stage_check(&c.fio.fio, &e, &space);
    if (err == SDB_OTA_ENOSPACE) {
        rc = cli_fail("sim stage", "%s: %s (%llu bytes needed, %llu available); nothing written",
                      e.filename, sdb_strerror(err), (unsigned long long)space.need,
                      (unsigned long long)space.avail);
        rc = sim_close("sim stage", &c, rc);
        goto out;
    }
    if (!err && (err = copy_into_staging(&c, path, &e)))
        sdboot_stage_discard(&c.fio.fio); /* no half copy left behind */
    if (!err && e.has_index && !copy_index(&c, path, &e))
        e.has_index = false;
    if (!err)
        err = sdboot_stage_commit(&c.fio.fio, &e, flags);
    if (err) {
        rc = sim_close("sim stage", &c, sim_fail("sim stage", &c, err, e.filename));
        goto out;
    }
    printf("staged %s (%llu bytes%s) over %s: installed at the next boot\n", e.version,
           (unsigned long long)e.size,
           flags & SDB_STAGE_SIGNED ? ", signature verified" : ", unsigned", installed);
    rc = sim_close("sim stage", &c, CLI_EXIT_OK);
out:
    free(manifest);
    free(sig);
    for (int i = 0; i < SDB_SIG_MAX_KEYS; i++)
        free(a.keys[i]);
    return rc;
}
