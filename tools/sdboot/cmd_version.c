/*
 * sdboot version / sdboot --version: which build this is, for bug reports and
 * scripts. The number comes from project(VERSION) in CMakeLists.txt through the
 * generated sdboot/version.h, with the git commit the build was configured from
 * (when it was a checkout); the second line names the libraries in use.
 */
#include <stdio.h>
#include <curl/curl.h>
#include <mbedtls/version.h>
#include <microhttpd.h>
#include <zlib.h>
#include "cli.h"
#include "json.h"
#include "sdboot/version.h"

const char *cli_build_id(void)
{
    static char id[64];
    if (!id[0]) {
        if (SDBOOT_GIT_COMMIT[0])
            snprintf(id, sizeof id, "%s (git %s%s)", SDBOOT_VERSION, SDBOOT_GIT_COMMIT,
                     SDBOOT_GIT_DIRTY ? ", modified" : "");
        else
            snprintf(id, sizeof id, "%s", SDBOOT_VERSION);
    }
    return id;
}

void cli_json_begin(struct json *j, const char *command)
{
    json_begin(j, stdout);
    json_string(j, "command", command);
    json_object(j, "sdboot");
    json_string(j, "version", SDBOOT_VERSION);
    json_string(j, "commit", SDBOOT_GIT_COMMIT[0] ? SDBOOT_GIT_COMMIT : NULL);
    json_bool(j, "modified", SDBOOT_GIT_DIRTY);
    json_close(j);
}

int cmd_version(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: sdboot version\n       sdboot --version\n\n"
               "Print the version of this build (and the git commit it was built from, when\n"
               "built from a checkout), then the versions of the libraries it runs with.\n");
        return CLI_EXIT_OK;
    }
    if (argc > 1)
        return cli_usage_error("version", "unexpected argument '%s'", argv[1]);
    printf("sdboot %s\n", cli_build_id());
    printf("libraries: mbedTLS %s, zlib %s, libcurl %s, libmicrohttpd %s\n", MBEDTLS_VERSION_STRING,
           zlibVersion(), curl_version_info(CURLVERSION_NOW)->version, MHD_get_version());
    return CLI_EXIT_OK;
}
