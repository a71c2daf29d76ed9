# sdboot as a MicroPython user C module (make-based ports: unix, and older
# make-based builds). Build with (docs/micropython.md lists the other switches):
#   make -C ports/unix USER_C_MODULES=/path/to/sdboot/ports \
#        BUILD=build-sdboot PROG=micropython-sdboot
# PROG= is needed: MicroPython puts this module's objects in BUILD/micropython/
# (our directory's name), which is also the default program name. The binary
# is then ports/unix/build-sdboot/micropython-sdboot.
# The core is compiled unchanged from ../../src; only the glue here knows MicroPython.
SDBOOT_MOD_DIR := $(USERMOD_DIR)
SDBOOT_ROOT := $(abspath $(SDBOOT_MOD_DIR)/../..)

# Glue: scanned for MP_QSTR_ names.
SRC_USERMOD_C += $(SDBOOT_MOD_DIR)/modsdboot.c $(SDBOOT_MOD_DIR)/mp_bd.c $(SDBOOT_MOD_DIR)/mp_fio.c \
	$(SDBOOT_MOD_DIR)/mp_ota.c

# Core layers the device needs (test-only block devices left out): not scanned.
SDBOOT_CORE := $(wildcard $(SDBOOT_ROOT)/src/util/*.c $(SDBOOT_ROOT)/src/fat/*.c \
	$(SDBOOT_ROOT)/src/release/*.c $(SDBOOT_ROOT)/src/boot/*.c $(SDBOOT_ROOT)/src/ota/*.c \
	$(SDBOOT_ROOT)/src/common/*.c) $(SDBOOT_ROOT)/src/blockdev/blockdev.c
SRC_USERMOD_LIB_C += $(SDBOOT_CORE)
# The core's hash, inflate and signature ops on the system's mbedTLS and zlib.
SRC_USERMOD_LIB_C += $(SDBOOT_ROOT)/ports/mbedtls/hash_mbedtls.c \
	$(SDBOOT_ROOT)/ports/mbedtls/sig_mbedtls.c $(SDBOOT_ROOT)/ports/zlib/inflate_zlib.c
# OTA transport on the unix port: the host's libcurl one.
SRC_USERMOD_LIB_C += $(SDBOOT_ROOT)/ports/posix/transport_curl.c

CFLAGS_USERMOD += -I$(SDBOOT_MOD_DIR) -I$(SDBOOT_ROOT)/include -I$(SDBOOT_ROOT)/ports/posix/include
# mbedTLS (signatures, hashes), zlib (.tar.gz releases) and libcurl from the system.
LDFLAGS_USERMOD += -lmbedcrypto -lz -lcurl
