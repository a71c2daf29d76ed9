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
#include "sdboot/version.h"

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
