# Story 4: the running application updates itself from the owner's server
# (sdboot serve), the bootloader installs at the next power-on, the app
# confirms; a wrong key or a dead server is an OSError and nothing changes.
# usage: micropython test_ota.py CARD.img URL PUB.pem OTHER.pem
import sys

import sdboot
from fbd import check, power_off, power_on, run_main

img, url, pub_path, other_path = sys.argv[1:5]
pub = open(pub_path).read()
other = open(other_path).read()

check(power_on(img) == "card" and sdboot.version() == "1.0.0", "running 1.0.0")

try:
    sdboot.OTA(url)
    check(False, "OTA without a key or allow_unsigned refused")
except ValueError:
    check(True, "OTA without a key or allow_unsigned refused")

try:
    sdboot.OTA(url, pubkey=other, verbose=False).install_update_if_available()
    check(False, "manifest signed by another key refused")
except OSError as e:
    print("OSError:", e.args)
    check(e.args[0] < 0, "manifest signed by another key: OSError %d" % e.args[0])

try:
    sdboot.OTA("http://127.0.0.1:1/", pubkey=pub, verbose=False).install_update_if_available()
    check(False, "dead server raises")
except OSError as e:
    print("OSError:", e.args)
    check(e.args[0] < 0, "dead server: OSError %d" % e.args[0])
check(sdboot.version() == "1.0.0", "refusals changed nothing")

ota = sdboot.OTA(url, pubkey=pub)
check(ota.check() == "1.2.0", "check() offers 1.2.0")
check(ota.install_update_if_available() is True, "install_update_if_available() -> True (reset)")
check(sdboot.version() == "1.0.0", "still running 1.0.0 until reset")

# machine.reset(): the bootloader installs 1.2.0
check(power_on(img) == "card", "power-on after the update")
st = sdboot.status()
print("status:", st)
check(st["installed"] == "1.2.0" and st["event"] == "installed", "1.2.0 installed by the bootloader")
check(st["delta"] == (st["base"] != "1.2.0") and st["base"] in ("1.0.0", "1.1.0", "1.2.0"),
      "status() says what 1.2.0 is installed as (delta %r over %r)" % (st["delta"], st["base"]))
check(run_main().get("RELEASE") == "1.2.0", "main.py of 1.2.0 runs")
sdboot.confirm()
power_on(img)
check(sdboot.status()["confirmed"] and sdboot.version() == "1.2.0", "1.2.0 confirmed")
ota = sdboot.OTA(url, pubkey=[other, pub], verbose=False)
check(ota.install_update_if_available() is False, "second key of two verifies; up to date")
power_off()
print("PASS test_ota")
