# Story 2: release 1.1.0 is staged on a card running a confirmed 1.0.0. The
# next power-on installs it on trial; it is never confirmed, so after the
# trial boots the bootloader rolls back to 1.0.0 by itself.
# usage: micropython test_rollback.py CARD.img
import sys

import sdboot
from fbd import check, power_off, power_on, run_main

img = sys.argv[1]
TRIALS = 3

d = power_on(img, trial_boots=TRIALS)
st = sdboot.status()
print("status:", st)
check(d == "card" and st["installed"] == "1.1.0", "1.1.0 installed at power-on")
check(st["previous"] == "1.0.0", "1.0.0 kept for rollback")
check(not st["confirmed"], "1.1.0 on trial")
check(run_main().get("RELEASE") == "1.1.0", "main.py of 1.1.0 runs")

boots = 1
while sdboot.version() == "1.1.0" and boots < 10:
    d = power_on(img, trial_boots=TRIALS)  # the app "crashes" before confirming
    boots += 1
    print("power-on", boots, "->", sdboot.status())
st = sdboot.status()
check(st["installed"] == "1.0.0", "rolled back to 1.0.0 after %d unconfirmed boots" % boots)
# the install boot runs it once, then trial_boots more power-ons count trials;
# the next one rolls back
check(boots == TRIALS + 2, "rollback at power-on trial_boots+2 = %d" % (TRIALS + 2))
check(st["event"] == "rolled back" or st["last_event"] == "rolled back", "event says rolled back")
check(run_main().get("RELEASE") == "1.0.0", "main.py of 1.0.0 runs again")
d = power_on(img)
check(sdboot.version() == "1.0.0" and sdboot.status()["confirmed"], "1.0.0 stays, confirmed")
power_off()
print("PASS test_rollback")
