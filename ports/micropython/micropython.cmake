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
    ${CMAKE_CURRENT_LIST_DIR}/mp_ota.c
    ${SDBOOT_ROOT}/src/blockdev/blockdev.c
    ${SDBOOT_CORE}
    # the core's hash, inflate and signature ops on mbedTLS and zlib
    ${SDBOOT_ROOT}/ports/mbedtls/hash_mbedtls.c
    ${SDBOOT_ROOT}/ports/mbedtls/sig_mbedtls.c
    ${SDBOOT_ROOT}/ports/zlib/inflate_zlib.c)

target_include_directories(usermod_sdboot INTERFACE
    ${CMAKE_CURRENT_LIST_DIR}
    ${SDBOOT_ROOT}/include)

# On ESP32: the esp_http_client transport shared with the ESP-IDF component,
# mbedTLS and the certificate bundle from the IDF. zlib is not part of the
# IDF: add espressif/zlib to ports/esp32/main/idf_component.yml (docs/micropython.md).
if(IDF_TARGET)
    target_sources(usermod_sdboot INTERFACE ${SDBOOT_ROOT}/ports/esp-idf/sdb_esp_http.c)
    target_include_directories(usermod_sdboot INTERFACE ${SDBOOT_ROOT}/ports/esp-idf/include)
    target_link_libraries(usermod_sdboot INTERFACE idf::mbedtls idf::esp_http_client)
endif()

target_link_libraries(usermod INTERFACE usermod_sdboot)
