# sdboot top-level entry points. Everything goes through CMake; this file only
# names the common tasks. Every target installs missing Debian packages first.
BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
FUZZ_SECONDS ?= 30
# make bench MICROPYTHON=path: also the update done the original's way (VfsFat)
MICROPYTHON ?=
BM_TOOLCHAIN = $(CURDIR)/ports/baremetal/toolchain-arm-none-eabi.cmake
PREFIX     ?= /usr/local

.PHONY: all host baremetal deps test asan valgrind fuzz bench footprint demo qemu-demo format lint clean install uninstall deb

all: host baremetal

host: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=$(PREFIX) >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

# The bare-metal port (LM3S6965 under QEMU): a cross build of its own in
# $(BUILD)/baremetal; the QEMU tests of the host build run its ELFs.
baremetal: deps
	cmake -S ports/baremetal -B $(BUILD)/baremetal --toolchain $(BM_TOOLCHAIN) >/dev/null
	cmake --build $(BUILD)/baremetal -j $(JOBS)

# make install [PREFIX=/usr/local] [DESTDIR=]: the CLI, its man pages and bash
# completion, the core library with headers, pkg-config and CMake files.
install: host
	DESTDIR="$(DESTDIR)" cmake --install $(BUILD)

uninstall: host
	DESTDIR="$(DESTDIR)" scripts/uninstall.sh $(BUILD) $(PREFIX)

# make deb: $(BUILD)/sdboot_VERSION_ARCH.deb (CLI) and libsdboot-dev_... (core).
deb: host
	scripts/deb.sh $(BUILD) $(BUILD)

deps:
	@scripts/deps.sh

test: all
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

asan: deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DSDB_SANITIZE=ON >/dev/null
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		ctest --output-on-failure -j $(JOBS) -LE 'slow|qemu'

valgrind: all
	@for t in blockdev/test_blockdev fat/test_fat_api fat/test_fat_hostile release/test_release \
	          boot/test_boot_cases; do \
		echo "valgrind: $$t"; \
		(cd $(BUILD)/tests && TZ=UTC valgrind -q --error-exitcode=1 --leak-check=full \
			--errors-for-leak-kinds=definite ./$$t > /dev/null) || exit 1; \
	done; echo "valgrind: clean"

fuzz: deps
	CC=clang scripts/fuzz.sh --build $(FUZZ_BUILD)
	scripts/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

bench: all
	@scripts/deps.sh --bench
	MICROPYTHON=$(MICROPYTHON) scripts/bench.sh $(BUILD)

# Flash of the core alone and of the bare-metal bootloader, per layer and
# per object (the figures of docs/BENCHMARKS.md's footprint tables).
footprint: baremetal
	scripts/footprint.sh $(BUILD)

demo: all
	@if [ -x examples/demo/demo.sh ]; then examples/demo/demo.sh $(BUILD)/sdboot; \
	else echo "make demo: not yet (examples/demo/demo.sh does not exist yet)"; fi

# The bare-metal port's story under QEMU (no card, blank card, install,
# confirm, a release that never confirms rolled back, a damaged file restored).
qemu-demo: all
	examples/baremetal/qemu_demo.sh $(BUILD)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

lint: all
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
		--inline-suppr --suppress=missingIncludeSystem -I include src ports/posix tools
	clang-tidy -p $(BUILD) --quiet $$(git ls-files 'src/*.c') 2>/dev/null

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
