# Story 6: the example main.py of docs/micropython.md, as written (only its
# URL points at the test server), on a card whose release packs pub.pem as the
# doc's pack command does. Phase "update": it confirms, stages the next
# release and resets; the next power-on installs it. Phase "offline": the
# server is gone, the example reports it and main.py ends normally.
# usage: micropython test_example.py CARD.img update|offline VERSION
import sys

import sdboot
from fbd import check, power_off, power_on, run_main

img, phase, version = sys.argv[1:4]


class Machine:  # machine.reset() of a device, recorded instead of done
    resets = 0

    @classmethod
    def reset(cls):
        cls.resets += 1


sys.modules["machine"] = Machine
check(power_on(img) == "card" and sdboot.version() == version, "running %s" % version)
run_main()  # must not raise: the example handles OSError itself
if phase == "update":
    check(Machine.resets == 1, "example staged an update and reset")
    check(power_on(img) == "card", "power-on after the reset")
    st = sdboot.status()
    check(st["event"] == "installed" and st["previous"] == version,
          "the next release installed over %s (%s)" % (version, st["installed"]))
else:
    check(Machine.resets == 0, "no server: no reset, main.py ended normally")
    check(not sdboot.status()["confirmed"], "confirm() recorded, folded only at the next boot()")
    check(power_on(img) == "card" and sdboot.status()["confirmed"], "next power-on: confirmed")
power_off()
print("PASS test_example", phase)
