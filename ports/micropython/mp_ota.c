/*
 * sdboot.OTA: the seed's OTA object on the core's client.
 *
 *   ota = sdboot.OTA("https://host/firmware", pubkey=PEM)  # or allow_unsigned=True
 *   if ota.install_update_if_available(): machine.reset()
 *
 * Downloads go through the port's transport (libcurl on the unix port,
 * esp_http_client on ESP32) and are written only through MicroPython's VFS
 * (mp_fio.c) into the card's staging area; the bootloader installs at reset.
 */
#include <string.h>
#include "py/mphal.h"
#include "py/runtime.h"
#include "mp_sdboot.h"
#include "sdboot/boot.h"
#include "sdboot/ota.h"
#ifdef ESP_PLATFORM
#include "sdboot_esp_http.h"
#else
#include "sdboot/transport_curl.h"
#endif

typedef struct {
    mp_obj_base_t base;
    mp_obj_t url, keys[SDB_SIG_MAX_KEYS], board; /* keep the strings the config points at */
    struct mp_fio files;
#ifdef ESP_PLATFORM
    struct sdb_esp_http net;
#else
    struct sdb_curl net;
#endif
    char installed[SDB_VERSION_MAX];
    char refused[SDB_VERSION_MAX]; /* the bootloader's refused release, "" = none */
    bool verbose;
    struct sdboot_ota ota; /* about 17 KiB, on the MicroPython heap */
} mp_ota_obj_t;

static void ota_sleep(void *ctx, uint32_t ms)
{
    (void)ctx;
    mp_hal_delay_ms(ms);
}

static void ota_log(void *ctx, const char *line)
{
    mp_ota_obj_t *self = ctx;
    if (self->verbose)
        mp_printf(&mp_plat_print, "sdboot ota: %s\n", line);
}

static size_t take_keys(mp_ota_obj_t *self, mp_obj_t pubkey, struct sdb_trust *trust)
{
    if (pubkey == mp_const_none)
        return 0;
    mp_obj_t one[1] = {pubkey}, *items = one;
    size_t n = 1;
    if (!mp_obj_is_str(pubkey))
        mp_obj_get_array(pubkey, &n, &items);
    if (n > SDB_SIG_MAX_KEYS)
        mp_raise_ValueError(MP_ERROR_TEXT("at most 4 public keys"));
    for (size_t i = 0; i < n; i++) {
        self->keys[i] = items[i];
        trust->pem[i] = mp_obj_str_get_str(items[i]);
    }
    return n;
}

/* OTA(url, *, pubkey=None, allow_unsigned=False, board=None, force=False,
 *     root=None, verbose=True) */
static mp_obj_t ota_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw,
                             const mp_obj_t *all_args)
{
    enum { A_URL, A_PUBKEY, A_UNSIGNED, A_BOARD, A_FORCE, A_ROOT, A_VERBOSE };
    static const mp_arg_t allowed[] = {
        {MP_QSTR_url, MP_ARG_REQUIRED | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL}},
        {MP_QSTR_pubkey, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_obj = mp_const_none}},
        {MP_QSTR_allow_unsigned, MP_ARG_KW_ONLY | MP_ARG_BOOL, {.u_bool = false}},
        {MP_QSTR_board, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_obj = mp_const_none}},
        {MP_QSTR_force, MP_ARG_KW_ONLY | MP_ARG_BOOL, {.u_bool = false}},
        {MP_QSTR_root, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_obj = mp_const_none}},
        {MP_QSTR_verbose, MP_ARG_KW_ONLY | MP_ARG_BOOL, {.u_bool = true}},
    };
    mp_arg_val_t a[MP_ARRAY_SIZE(allowed)];
    mp_arg_parse_all_kw_array(n_args, n_kw, all_args, MP_ARRAY_SIZE(allowed), allowed, a);

    mp_ota_obj_t *self = mp_obj_malloc(mp_ota_obj_t, type);
    self->url = a[A_URL].u_obj;
    self->board = a[A_BOARD].u_obj;
    self->verbose = a[A_VERBOSE].u_bool;
    mp_sdboot_card_files(&self->files, a[A_ROOT].u_obj);

    struct sdboot_ota_config cfg = {
        .url = mp_obj_str_get_str(self->url),
        .board = self->board == mp_const_none ? NULL : mp_obj_str_get_str(self->board),
        .force = a[A_FORCE].u_bool,
        .installed = self->installed,
        .sleep_ms = ota_sleep,
        .log = ota_log,
        .ctx = self,
    };
    cfg.trust.count = (unsigned)take_keys(self, a[A_PUBKEY].u_obj, &cfg.trust);
    cfg.trust.allow_unsigned = a[A_UNSIGNED].u_bool;
    if (cfg.trust.count == 0 && !cfg.trust.allow_unsigned)
        mp_raise_ValueError(MP_ERROR_TEXT("give pubkey=PEM, or allow_unsigned=True"));
#ifdef ESP_PLATFORM
    sdb_esp_http_init(&self->net);
#else
    sdb_curl_init(&self->net, NULL);
#endif
    sdboot_ota_init(&self->ota, &cfg, &self->net.transport, &self->files.fio);
    return MP_OBJ_FROM_PTR(self);
}

/* The running version, read from the card each time (a reset may have changed it). */
static void refresh_installed(mp_ota_obj_t *self)
{
    struct sdboot_state st;
    int err = sdboot_app_state(&self->files.fio, &st);
    if (err)
        mp_sdboot_raise(err);
    strcpy(self->installed, st.installed);
    strcpy(self->refused, st.refused);
    self->ota.cfg.refused = self->refused;
    self->ota.cfg.refused_error = st.refused_error;
    self->ota.cfg.last_install_error =
        st.last_event == SDBOOT_EV_INSTALL_FAILED ? st.last_error : 0;
    /* The client keeps the manifest's ETag after a check that found an update,
     * so checking again would get 304 and read "up to date" while the update
     * is still to be staged: ask unconditionally in that case. */
    if (self->ota.checked)
        self->ota.etag[0] = '\0';
}

/* install_update_if_available() -> True when a release was staged: reset to install it. */
static mp_obj_t ota_install(mp_obj_t self_in)
{
    mp_ota_obj_t *self = MP_OBJ_TO_PTR(self_in);
    refresh_installed(self);
    bool restart = false;
    int err = sdboot_ota_install_update_if_available(&self->ota, &restart);
    if (err)
        mp_sdboot_raise(err);
    return mp_obj_new_bool(restart);
}
static MP_DEFINE_CONST_FUN_OBJ_1(ota_install_obj, ota_install);

/* check() -> the newer version offered, or None when up to date. */
static mp_obj_t ota_check(mp_obj_t self_in)
{
    mp_ota_obj_t *self = MP_OBJ_TO_PTR(self_in);
    refresh_installed(self);
    int err = sdboot_ota_check(&self->ota);
    if (err == SDB_OTA_UPTODATE)
        return mp_const_none;
    if (err)
        mp_sdboot_raise(err);
    return mp_obj_new_str(self->ota.latest.version, strlen(self->ota.latest.version));
}
static MP_DEFINE_CONST_FUN_OBJ_1(ota_check_obj, ota_check);

/* stage(): download and stage what check() found. */
static mp_obj_t ota_stage(mp_obj_t self_in)
{
    mp_ota_obj_t *self = MP_OBJ_TO_PTR(self_in);
    int err = sdboot_ota_stage(&self->ota);
    if (err)
        mp_sdboot_raise(err);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(ota_stage_obj, ota_stage);

static const mp_rom_map_elem_t ota_locals_table[] = {
    {MP_ROM_QSTR(MP_QSTR_install_update_if_available), MP_ROM_PTR(&ota_install_obj)},
    {MP_ROM_QSTR(MP_QSTR_check), MP_ROM_PTR(&ota_check_obj)},
    {MP_ROM_QSTR(MP_QSTR_stage), MP_ROM_PTR(&ota_stage_obj)},
};
static MP_DEFINE_CONST_DICT(ota_locals, ota_locals_table);

MP_DEFINE_CONST_OBJ_TYPE(mp_sdboot_ota_type, MP_QSTR_OTA, MP_TYPE_FLAG_NONE, make_new, ota_make_new,
                         locals_dict, &ota_locals);
