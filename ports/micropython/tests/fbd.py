# A file-backed block device with MicroPython's block protocol, and a
# "power on" helper that does what boot.py does on a device.
import os
import sys

import sdboot

try:
    import vfs
except ImportError:  # MicroPython before 1.23
    vfs = os

SECTOR = 512


class FileBD:
    def __init__(self, path):
        self.f = open(path, "r+b")
        self.f.seek(0, 2)
        self.count = self.f.tell() // SECTOR
        self.writes = 0

    def readblocks(self, n, buf):
        self.f.seek(n * SECTOR)
        self.f.readinto(buf)

    def writeblocks(self, n, buf):
        self.f.seek(n * SECTOR)
        self.f.write(buf)
        self.writes += 1

    def ioctl(self, op, arg):
        if op == 3:  # sync
            self.f.flush()
            return 0
        if op == 4:  # block count
            return self.count
        if op == 5:  # block size
            return SECTOR
        return 0

    def close(self):
        self.f.close()


ROOT = "/card"  # on the unix port "/" is the host's file system
SD = "/sd"

_bd = None


def power_off():
    """Unmount whatever the last power_on mounted, as a reset would."""
    global _bd
    os.chdir("/")
    for where in (ROOT, SD):
        try:
            vfs.umount(where)
        except OSError:
            pass
    if _bd:
        _bd.close()
        _bd = None


def power_on(img, **kw):
    """boot.py: sdboot.boot() on the card image; returns the decision."""
    global _bd
    power_off()
    _bd = FileBD(img)
    return sdboot.boot(_bd, root=ROOT, sd=SD, verbose=False, **kw)


def run_main():
    """What MicroPython does after boot.py: run main.py from the current dir."""
    for name in [m for m in sys.modules if m == "app" or m.startswith("app.")]:
        del sys.modules[name]  # a new power-on imports the new release's modules
    if "" not in sys.path:
        sys.path.insert(0, "")  # as on a device: imports resolve from the cwd (the card)
    g = {"__name__": "__main__"}
    with open("main.py") as f:
        exec(f.read(), g)
    return g


def check(cond, what):
    if not cond:
        print("FAIL:", what)
        sys.exit(1)
    print("ok:", what)
