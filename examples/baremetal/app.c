/*
 * Example application for the bare-metal port: started from the SD card by
 * the sdboot bootloader (ports/baremetal), it prints the version it was built
 * as and the release the bootloader says it started, then confirms that
 * release, unless it was built with APP_NO_CONFIRM (a release that never
 * confirms: the bootloader rolls it back after its trial boots).
 *
 * It talks to the world only through the bootloader's API (sdb_app.h):
 * console, confirm, power off. Built by ports/baremetal/CMakeLists.txt,
 * packed as app/firmware.bin by `sdboot pack`.
 */
#include <stdio.h>
#include "sdb_app.h"

#ifndef APP_VERSION
#error "APP_VERSION must name the version this application is built as"
#endif

int main(void)
{
    const struct sdb_app_api *api = sdb_app_api();
    if (!api)
        return 1; /* not started by sdboot: no console to speak to */
    char line[128];
    snprintf(line, sizeof line, "app: hello from application %s (release %s, %s)\n", APP_VERSION,
             api->version, api->on_trial ? "on trial" : "confirmed");
    api->puts(line);
#ifdef APP_NO_CONFIRM
    api->puts("app: this build never confirms\n");
#else
    if (api->on_trial) {
        int err = api->confirm();
        if (err)
            snprintf(line, sizeof line, "app: confirm failed: %d\n", err);
        else
            snprintf(line, sizeof line, "app: confirmed %s\n", api->version);
        api->puts(line);
    }
#endif
    api->halt(0);
    return 0;
}
