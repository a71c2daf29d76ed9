/* sdboot verify: check a release directory the way a device would, every line. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "json.h"
#include "release_index.h"
#include "release_io.h"
#include "sdboot/manifest.h"
#include "sdboot/sig.h"

struct verify_ctx {
    const char *dir;
    unsigned ok, bad;
    struct json *json; /* --json: the "releases" array is open; NULL for text */
};

static void json_release(struct json *j, const struct sdb_manifest_entry *e,
                         const struct release_file_info *info, const struct release_index *ix,
                         int err)
{
    json_object(j, NULL);
    json_string(j, "version", e->version);
    json_string(j, "file", e->filename);
    json_bool(j, "ok", err == SDB_OK);
    if (err) {
        json_error(j, "error", err, sdb_strerror(err));
        if (ix->bad_line)
            json_uint(j, "index_line", ix->bad_line);
    } else {
        json_uint(j, "bytes", info->size);
        json_uint(j, "entries", info->entries);
        json_bool(j, "sha256", e->has_sha256);
    }
    if (e->has_index && !err)
        json_uint(j, "index_files", ix->files);
    else if (!e->has_index)
        json_null(j, "index_files");
    json_close(j);
}

static int check_line(void *vctx, const struct sdb_manifest_entry *e)
{
    struct verify_ctx *ctx = vctx;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", ctx->dir, e->filename);
    struct release_file_info info;
    int err = release_file_scan(path, &info);
    if (err == SDB_OK)
        err = release_file_matches(&info, e);
    struct release_index ix = {0};
    if (!err && e->has_index) /* the index must describe this very tar */
        err = release_index_check(path, e->index_sha256, &ix);
    char detail[512] = "";
    if (err && ix.bad_line)
        snprintf(detail, sizeof detail, " (%s" SDB_INDEX_SUFFIX " line %u%s%s)", e->filename,
                 ix.bad_line, ix.bad_path[0] ? ", " : "", ix.bad_path);
    char indexed[64] = ", no index";
    if (e->has_index)
        snprintf(indexed, sizeof indexed, ", index of %u files", ix.files);
    err ? ctx->bad++ : ctx->ok++;
    if (ctx->json)
        json_release(ctx->json, e, &info, &ix, err);
    else if (err)
        printf("FAIL %s %s: %s%s\n", e->version, e->filename, sdb_strerror(err), detail);
    else
        printf("ok   %s %s (%llu bytes, %u entries%s%s)\n", e->version, e->filename,
               (unsigned long long)info.size, info.entries,
               e->has_sha256 ? ", sha256" : ", sha1 only", indexed);
    release_index_free(&ix);
    return SDB_OK;
}

/* The signature line (or note), as text or as the "signature" member. */
static void report_signature(struct json *j, const char *dir, bool checked, int err)
{
    if (j) {
        json_object(j, "signature");
        json_bool(j, "checked", checked);
        if (checked)
            json_bool(j, "valid", err == SDB_OK);
        if (err)
            json_error(j, "error", err, sdb_strerror(err));
        else
            json_null(j, "error");
        json_close(j);
    } else if (checked) {
        printf("%s signature of %s/versions%s%s\n", err ? "FAIL" : "ok  ", dir, err ? ": " : "",
               err ? sdb_strerror(err) : "");
    } else {
        printf("note signature not checked (no --pubkey)\n");
    }
}

/* Check DIR's manifest, signature and every release; the exit code. */
static int verify_dir(const char *dir, const struct sdb_trust *trust, bool as_json)
{
    struct json j;
    struct verify_ctx ctx = {.dir = dir, .json = as_json ? &j : NULL};
    if (as_json) {
        cli_json_begin(&j, "verify");
        json_string(&j, "dir", dir);
    }
    uint8_t *manifest = NULL, *sig = NULL;
    size_t len = 0, sig_len = 0;
    int sig_err = SDB_OK, err = release_dir_load(dir, &manifest, &len, &sig, &sig_len);
    struct sdb_manifest_error merr = {0};
    if (!err) {
        bool signed_ok;
        if (trust->count)
            sig_err = sdb_sig_check_manifest(trust, manifest, len, sig, sig_len, &signed_ok);
        report_signature(ctx.json, dir, trust->count > 0, sig_err);
        if (as_json)
            json_array(&j, "releases");
        err = sdb_manifest_parse((char *)manifest, len, check_line, &ctx, &merr);
        if (as_json)
            json_close(&j);
    }
    free(manifest);
    free(sig);
    bool ok = !err && !sig_err && !ctx.bad;
    if (as_json) {
        json_uint(&j, "passed", ctx.ok);
        json_uint(&j, "failed", ctx.bad);
        json_bool(&j, "ok", ok);
        if (err) {
            json_error(&j, "error", err, sdb_strerror(err));
            if (merr.line)
                json_uint(&j, "line", merr.line);
        }
        json_end(&j);
    }
    if (err && merr.line)
        return cli_fail("verify", "%s/versions line %u: %s", dir, merr.line, sdb_strerror(err));
    if (err)
        return cli_fail("verify", "%s/versions: %s", dir, sdb_strerror(err));
    if (!ok)
        return cli_fail("verify", "%s: %u of %u releases failed%s", dir, ctx.bad, ctx.ok + ctx.bad,
                        sig_err ? ", signature invalid" : "");
    return CLI_EXIT_OK;
}

int cmd_verify(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf(
            "usage: sdboot verify DIR [--pubkey PUBLIC.pem]... [--json]\n\n"
            "Check every release of DIR/versions: file present, size, sha1, sha256 and the\n"
            "device's tar rules; a line with index= also has its FILE.idx checked: its\n"
            "SHA-256, the device's limits, and every entry's path, data offset, size and\n"
            "SHA-256 against the tar; with --pubkey (repeatable: any key may have signed), also\n"
            "that DIR/versions.sig is a valid signature. Exit 0 only when all hold.\n"
            "--json prints every result as one JSON object (docs/cli-json.md).\n");
        return CLI_EXIT_OK;
    }
    const char *dir = NULL;
    struct sdb_trust trust = {0};
    char *keys[SDB_SIG_MAX_KEYS] = {0};
    int rc = CLI_EXIT_OK;
    bool as_json = false;
    for (int i = 1; i < argc && !rc; i++) {
        if (!strcmp(argv[i], "--json")) {
            as_json = true;
        } else if (!strcmp(argv[i], "--pubkey") && i + 1 < argc) {
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
    if (!rc)
        rc = verify_dir(dir, &trust, as_json);
    for (unsigned i = 0; i < SDB_SIG_MAX_KEYS; i++)
        free(keys[i]);
    return rc;
}
