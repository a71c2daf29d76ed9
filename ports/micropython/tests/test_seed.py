# Story 5: moving from the seed. A server laid out as the seed's (a plain tar
# and a `versions` line "semver;file;sha1", no signature) updates a device
# that says allow_unsigned=True; a device with a key refuses it.
# usage: micropython test_seed.py CARD.img SEED_URL PUB.pem
import sys

import sdboot
from fbd import check, power_off, power_on, run_main

img, url, pub_path = sys.argv[1:4]

check(power_on(img) == "card" and sdboot.version() == "1.2.0", "running 1.2.0")
try:
    sdboot.OTA(url, pubkey=open(pub_path).read(), verbose=False).install_update_if_available()
    check(False, "unsigned seed manifest refused when a key is configured")
except OSError as e:
    print("OSError:", e.args)
    check(e.args[0] < 0, "unsigned seed manifest refused with a key: OSError %d" % e.args[0])

ota = sdboot.OTA(url, allow_unsigned=True)
check(ota.install_update_if_available() is True, "seed server: 1.3.0 staged (allow_unsigned)")
check(power_on(img) == "card" and sdboot.version() == "1.3.0", "1.3.0 installed at power-on")
check(run_main().get("RELEASE") == "1.3.0", "main.py of the seed-built release runs")
power_off()
print("PASS test_seed")
