/*
 * This build's identity for every command: cli_build_id() ("0.1.0 (git
 * 5882f15d1a2b)") and the members every --json answer begins with. From the
 * generated sdboot/version.h (project(VERSION) and the git commit the build
 * was configured from) and nothing else, so that a program with only the
 * device's core (tools/devsim) links it without the host's libraries.
 */
#include <stdio.h>
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
