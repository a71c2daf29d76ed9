# Story 5: how boot() and status() answer wrong arguments, a device that
# raises, no device, and block counts beyond 32 bits.
# usage: micropython test_errors.py STAGED.img   (a fresh card with 1.0.0 staged)
import hashlib
import sys

import sdboot
from fbd import FileBD, check, power_off, power_on

img = sys.argv[1]


def card_bytes():
    """SHA-256 of the whole image (compared before and after)."""
    h = hashlib.sha256()
    buf = bytearray(16384)
    with open(img, "rb") as f:
        while True:
            n = f.readinto(buf)
            if not n:
                return h.digest()
            h.update(memoryview(buf)[:n])


# before any boot(): no card mounted, so only installed=None
st = sdboot.status()
check(st == {"installed": None}, "status() before any boot(): %r" % st)

before = card_bytes()
for bad in (42, "x", None.__class__):
    try:
        sdboot.boot(bad, root="/card", verbose=False)
        check(False, "boot(%r) raises TypeError" % bad)
    except TypeError as e:
        check("block device" in str(e), "boot(%r): TypeError %r" % (bad, str(e)))

# no device on a port without a default card: the internal file system, as
# a device without a card
check(sdboot.boot(verbose=False) == "internal", "boot() without a device: internal")
st = sdboot.status()
check(st["installed"] is None and st["error"] == -224 and st["message"] == "no card",
      "boot() without a device: error -224 'no card' (%r)" % st)


class Raising(FileBD):
    """Raises `exc` at the `at`-th call of `op`; counts every call after it."""

    def __init__(self, path, op, at, exc):
        FileBD.__init__(self, path)
        self.op, self.at, self.exc = op, at, exc
        self.calls = {"readblocks": 0, "writeblocks": 0, "ioctl": 0}
        self.after = 0

    def _count(self, op):
        if self.calls[self.op] >= self.at:
            self.after += 1  # a call after the exception
        self.calls[op] += 1
        if op == self.op and self.calls[op] == self.at:
            raise self.exc

    def readblocks(self, n, buf):
        self._count("readblocks")
        return FileBD.readblocks(self, n, buf)

    def writeblocks(self, n, buf):
        self._count("writeblocks")
        return FileBD.writeblocks(self, n, buf)

    def ioctl(self, op, arg):
        self._count("ioctl")
        return FileBD.ioctl(self, op, arg)


def boot_raises(op, at, exc):
    bd = Raising(img, op, at, exc)
    try:
        d = sdboot.boot(bd, root="/card", verbose=False)
        check(False, "%s from %s call %d propagates (boot answered %r, status %r)"
              % (type(exc).__name__, op, at, d, sdboot.status()))
    except BaseException as e:
        check(e is exc, "%s from %s call %d propagates unchanged (%r)" % (type(exc).__name__, op, at, e))
    bd.close()
    check(bd.after == 0, "no call to the device after it raised (%d)" % bd.after)
    return bd


# the reported case: the third read raises on a fresh card with 1.0.0 staged
boot_raises("readblocks", 3, ValueError("bad sector"))
check(card_bytes() == before, "card unchanged after a read raised")
boot_raises("readblocks", 1, KeyboardInterrupt())
boot_raises("ioctl", 1, OSError(19))  # INIT
check(card_bytes() == before, "card unchanged after INIT raised")
st = sdboot.status()
check(st["decision"].startswith("internal") and st["installed"] is None,
      "status() after a raising device: internal, no card (%r)" % st)
# a write raising mid-install is a power cut to the card: the next boot finishes it
boot_raises("writeblocks", 5, KeyboardInterrupt())
check(power_on(img) == "card" and sdboot.version() == "1.0.0",
      "a clean boot after the interrupted one installs 1.0.0")
power_off()

ZEROS = bytes(4096)


class Sparse:
    """A blank card of any size: keeps only the blocks that are not all zeros."""

    def __init__(self, count):
        self.count = count
        self.blocks = {}

    def readblocks(self, n, buf):
        for i in range(len(buf) // 512):
            b = self.blocks.get(n + i)
            buf[i * 512:(i + 1) * 512] = b if b else ZEROS[:512]

    def writeblocks(self, n, buf):
        k = len(buf) // 512
        if buf == ZEROS[: len(buf)] and all(self.blocks.get(n + i) is None for i in range(k)):
            return  # fast path for mkfs's zeroing
        for i in range(k):
            s = bytes(buf[i * 512:(i + 1) * 512])
            if s != ZEROS[:512]:
                self.blocks[n + i] = s
            else:
                self.blocks.pop(n + i, None)

    def ioctl(self, op, arg):
        return self.count if op == 4 else 512 if op == 5 else 0


def total_sectors(bd):
    b = bd.blocks[0]
    return b[32] | b[33] << 8 | b[34] << 16 | b[35] << 24, bytes(b[82:90])


for count in ((1 << 32) + 8192, 1 << 70):
    bd = Sparse(count)
    check(sdboot.boot(bd, root="/card", verbose=False) == "internal",
          "blank card of %d blocks: formatted, nothing to run" % count)
    total, kind = total_sectors(bd)
    check(total == 0xFFFFFFFF and kind == b"FAT32   ",
          "formatted FAT32 over the first 2^32 - 1 blocks (got %d, %r)" % (total, kind))
    power_off()
bd = Sparse((1 << 32) - 1)
check(sdboot.boot(bd, root="/card", verbose=False) == "internal", "2^32 - 1 blocks: formatted")
check(total_sectors(bd)[0] == 0xFFFFFFFF, "2^32 - 1 blocks: all of them used")
power_off()
print("PASS test_errors")
