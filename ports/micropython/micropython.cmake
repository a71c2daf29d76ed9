# sdboot as a MicroPython user C module (CMake-based ports: esp32, rp2).
# Build with:  make -C ports/esp32 USER_C_MODULES=/path/to/sdboot/ports/micropython/micropython.cmake
# The core is compiled unchanged from ../../src; only the glue here knows MicroPython.
set(SDBOOT_ROOT ${CMAKE_CURRENT_LIST_DIR}/../..)

add_library(usermod_sdboot INTERFACE)

file(GLOB SDBOOT_CORE
    ${SDBOOT_ROOT}/src/util/*.c
    ${SDBOOT_ROOT}/src/fat/*.c
    ${SDBOOT_ROOT}/src/release/*.c
    ${SDBOOT_ROOT}/src/boot/*.c
    ${SDBOOT_ROOT}/src/ota/*.c
    ${SDBOOT_ROOT}/src/common/*.c)

target_sources(usermod_sdboot INTERFACE
    ${CMAKE_CURRENT_LIST_DIR}/modsdboot.c
    ${CMAKE_CURRENT_LIST_DIR}/mp_bd.c
    ${CMAKE_CURRENT_LIST_DIR}/mp_fio.c
    ${SDBOOT_ROOT}/src/blockdev/blockdev.c
    ${SDBOOT_CORE})

target_include_directories(usermod_sdboot INTERFACE
    ${CMAKE_CURRENT_LIST_DIR}
    ${SDBOOT_ROOT}/include)

# On ESP32 the IDF provides mbedTLS (the esp32 port already links it).
if(IDF_TARGET)
    target_link_libraries(usermod_sdboot INTERFACE idf::mbedtls)
endif()

target_link_libraries(usermod INTERFACE usermod_sdboot)
