# Story 1: a card with release 1.0.0 staged boots it, runs its main.py from
# the card, confirms it, and stays on it.
# usage: micropython test_boot.py CARD.img
import sys

import sdboot
from fbd import check, power_off, power_on, run_main

img = sys.argv[1]

d = power_on(img)
check(d == "card", "boot decides to run the card (got %r)" % d)
st = sdboot.status()
print("status:", st)
check(st["installed"] == "1.0.0", "staged release 1.0.0 installed")
check(st["event"] == "installed", "event says installed")
check(not st["confirmed"], "new release is on trial")
check(sdboot.version() == "1.0.0", "version() reads the card")

g = run_main()
check(g.get("RELEASE") == "1.0.0", "main.py ran from the card (RELEASE=%r)" % g.get("RELEASE"))

sdboot.confirm()

for n in range(4):
    d = power_on(img)
    st = sdboot.status()
    check(d == "card" and st["installed"] == "1.0.0" and st["confirmed"],
          "power-on %d: still 1.0.0, confirmed" % (n + 1))
g = run_main()
check(g.get("RELEASE") == "1.0.0", "main.py still 1.0.0")
power_off()
print("PASS test_boot")
