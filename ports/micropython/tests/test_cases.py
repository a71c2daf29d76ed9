# Story 3: the seed's other boot cases and the errors, as boot.py sees them.
# usage: micropython test_cases.py CARD.img RAW.img
import sys

import sdboot
from fbd import SD, FileBD, check, power_off, power_on

img, raw = sys.argv[1], sys.argv[2]

# recovery pin held: the card is mounted at /sd, nothing runs
d = power_on(img, recovery=True)
check(d == "sd", "recovery pin: decision sd (got %r)" % d)
import os
check("main.py" in os.listdir(SD), "card browsable at /sd")
check(sdboot.status(SD)["installed"] == "1.0.0", "status() of the card at /sd")


class Pin:  # anything with value(): held when it reads 0
    def __init__(self, v):
        self.v = v

    def value(self):
        return self.v


check(power_on(img, recovery=Pin(0)) == "sd", "recovery as a pin object held low")
check(power_on(img, recovery=Pin(1)) == "card", "pin released: runs the card")

# a card with no file system: formatted by the default policy, then initialised
d = power_on(raw, format=False)
check(d == "internal", "raw card with format=False: internal file system (got %r)" % d)
d = power_on(raw)
# formatted, then nothing to run (no release, no main.py): the REPL, as the seed
check(d == "internal", "raw card formatted by the seed's policy, nothing to run (got %r)" % d)
check(sdboot.status()["error"] == -234, "reason: no entry file (%r)" % sdboot.status()["message"])
check(".sdboot" in os.listdir(SD), "the good card with nothing to run is at /sd for a first release")
check(sdboot.version() == "none", "fresh card has no release yet")


class Broken(FileBD):  # every read fails (-EIO, the protocol's answer): the card is left alone
    def readblocks(self, n, buf):
        return -5


power_off()
bd = Broken(img)
d = sdboot.boot(bd, root="/card", verbose=False)
check(d == "internal", "card with read errors: internal (got %r)" % d)
check(bd.writes == 0, "nothing written to a card that gives read errors")
st = sdboot.status()
print("status:", st)
check(st["installed"] is None and st["error"] < 0, "status() without a card: the boot error (%d)" % st["error"])


class BigBlocks(FileBD):
    def ioctl(self, op, arg):
        return 4096 if op == 5 else FileBD.ioctl(self, op, arg)


try:
    sdboot.boot(BigBlocks(img), root="/card", verbose=False)
    check(False, "4096-byte blocks refused")
except OSError as e:
    print("OSError:", e.args)
    check(e.args[0] == -4 and "not supported" in e.args[1], "4096-byte blocks: OSError -4")

class NoCard(FileBD):  # ioctl(INIT) refused, as machine.SDCard does without a card
    def ioctl(self, op, arg):
        return -19 if op == 1 else FileBD.ioctl(self, op, arg)


bd = NoCard(img)
check(sdboot.boot(bd, root="/card", verbose=False) == "internal", "no card at INIT: internal")
check(sdboot.status()["error"] == -224 and bd.writes == 0, "no card: error -224, nothing written")

try:
    sdboot.boot(FileBD(img), root="card")
    check(False, "relative mount point refused")
except ValueError:
    check(True, "relative mount point refused")

try:
    sdboot.confirm("/nothing-mounted-here")
    check(False, "confirm without a card raises")
except OSError as e:
    print("OSError:", e.args)
    check(e.args[0] == -384, "confirm without the card: OSError -384 (no such file)")
power_off()
print("PASS test_cases")
