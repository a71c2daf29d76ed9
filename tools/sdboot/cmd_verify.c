/* sdboot verify: check a release directory the way a device would, every line. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "release_io.h"
#include "sdboot/manifest.h"
#include "sdboot/sig.h"

struct verify_ctx {
    const char *dir;
    unsigned ok, bad;
};

static int check_line(void *vctx, const struct sdb_manifest_entry *e)
{
    struct verify_ctx *ctx = vctx;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", ctx->dir, e->filename);
    struct release_file_info info;
    int err = release_file_scan(path, &info);
    if (err == SDB_OK)
        err = release_file_matches(&info, e);
    if (err) {
        ctx->bad++;
        printf("FAIL %s %s: %s\n", e->version, e->filename, sdb_strerror(err));
    } else {
        ctx->ok++;
        printf("ok   %s %s (%llu bytes, %u entries%s)\n", e->version, e->filename,
               (unsigned long long)info.size, info.entries,
               e->has_sha256 ? ", sha256" : ", sha1 only");
    }
    return SDB_OK;
}

int cmd_verify(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: sdboot verify DIR [--pubkey PUBLIC.pem]...\n\n"
               "Check every release of DIR/versions: file present, size, sha1, sha256 and the\n"
               "device's tar rules; with --pubkey (repeatable: any key may have signed), also\n"
               "that DIR/versions.sig is a valid signature. Exit 0 only when all hold.\n");
        return CLI_EXIT_OK;
    }
    const char *dir = NULL;
    struct sdb_trust trust = {0};
    char *keys[SDB_SIG_MAX_KEYS] = {0};
    int rc = CLI_EXIT_OK;
    for (int i = 1; i < argc && !rc; i++) {
        if (!strcmp(argv[i], "--pubkey") && i + 1 < argc) {
            size_t len;
            if (trust.count == SDB_SIG_MAX_KEYS)
                rc = cli_usage_error("verify", "at most %d keys", SDB_SIG_MAX_KEYS);
            else if (cli_read_file(argv[++i], 16384, (uint8_t **)&keys[trust.count], &len))
                rc = cli_fail("verify", "%s: %s", argv[i], strerror(errno));
            else
                trust.pem[trust.count] = keys[trust.count], trust.count++;
        } else if (argv[i][0] != '-' && !dir) {
            dir = argv[i];
        } else {
            rc = cli_usage_error("verify", "unexpected argument '%s'", argv[i]);
        }
    }
    if (!rc && !dir)
        rc = cli_usage_error("verify", "needs a release directory");
    uint8_t *manifest = NULL, *sig = NULL;
    size_t len = 0, sig_len = 0;
    int err;
    if (!rc && (err = release_dir_load(dir, &manifest, &len, &sig, &sig_len)))
        rc = cli_fail("verify", "%s/versions: %s", dir, sdb_strerror(err));
    if (!rc) {
        if (trust.count) {
            bool signed_ok;
            err = sdb_sig_check_manifest(&trust, manifest, len, sig, sig_len, &signed_ok);
            printf("%s signature of %s/versions%s%s\n", err ? "FAIL" : "ok  ", dir, err ? ": " : "",
                   err ? sdb_strerror(err) : "");
            if (err)
                rc = CLI_EXIT_FAIL;
        } else {
            printf("note signature not checked (no --pubkey)\n");
        }
        struct verify_ctx ctx = {.dir = dir};
        struct sdb_manifest_error merr;
        err = sdb_manifest_parse((char *)manifest, len, check_line, &ctx, &merr);
        if (err)
            rc = cli_fail("verify", "%s/versions line %u: %s", dir, merr.line, sdb_strerror(err));
        else if (ctx.bad || rc)
            rc = cli_fail("verify", "%s: %u of %u releases failed%s", dir, ctx.bad,
                          ctx.ok + ctx.bad, rc ? ", signature invalid" : "");
    }
    free(manifest);
    free(sig);
    for (unsigned i = 0; i < SDB_SIG_MAX_KEYS; i++)
        free(keys[i]);
    return rc;
}
