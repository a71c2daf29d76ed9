/*
 * The `sdboot` MicroPython module: the boot engine for boot.py and the
 * application-side calls (confirm, version, status, OTA).
 *
 *   import sdboot
 *   sdboot.boot()        # ESP32 defaults: SDCard(slot=2, width=1), GPIO18 recovery
 *
 * boot() runs the engine on the card with the card to itself, then hands the
 * card to MicroPython's own VfsFat (mounted at `root`, or `sd` in recovery).
 * From then on sdboot writes the card only through that VFS (mp_fio.c).
 *
 * Errors: sdboot's own failures raise OSError(code, message); wrong arguments
 * TypeError/ValueError; an exception from the user's block device propagates
 * unchanged (mp_bd.c); no card, or a card that answers I/O errors, is not an
 * exception but the "internal" decision with its reason in status().
 */
#include <string.h>
#include "py/nlr.h"
#include "py/runtime.h"
#include "extmod/vfs.h"
#include "mp_sdboot.h"
#include "sdboot/boot.h"

/* The engine's working memory (about 13 KiB): static so boot.py needs no heap. */
static struct sdboot engine;
static struct sdboot_result last;
static bool booted;
static char card_root[MP_SDBOOT_ROOT_MAX] = "/";

NORETURN void mp_sdboot_raise(int err)
{
    const char *msg = sdb_strerror(err);
    mp_obj_t args[2] = {MP_OBJ_NEW_SMALL_INT(err), mp_obj_new_str(msg, strlen(msg))};
    nlr_raise(mp_obj_new_exception_args(&mp_type_OSError, 2, args));
}

static void log_line(void *ctx, const char *line)
{
    (void)ctx;
    mp_printf(&mp_plat_print, "sdboot: %s\n", line);
}

/* Import the VFS module: `vfs` on current MicroPython, `os` (uos) before 1.23. */
static mp_obj_t vfs_module(void)
{
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        mp_obj_t m = mp_import_name(MP_QSTR_vfs, mp_const_none, MP_OBJ_NEW_SMALL_INT(0));
        nlr_pop();
        return m;
    }
    return mp_import_name(MP_QSTR_os, mp_const_none, MP_OBJ_NEW_SMALL_INT(0));
}

/* Mount `bdev` with VfsFat at `path`. At "/", whatever is there (the internal
 * flash file system on a device) is unmounted first, as the seed's boot.py did. */
static void mount_card(mp_obj_t bdev, const char *path)
{
    mp_obj_t vfs = vfs_module();
    mp_obj_t fat = mp_call_function_1(mp_load_attr(vfs, MP_QSTR_VfsFat), bdev);
    mp_obj_t where = mp_obj_new_str(path, strlen(path));
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        mp_call_function_1(MP_OBJ_FROM_PTR(&mp_vfs_umount_obj), where);
        nlr_pop();
    } /* nothing mounted there: fine */
    mp_call_function_2(MP_OBJ_FROM_PTR(&mp_vfs_mount_obj), fat, where);
}

#ifdef ESP_PLATFORM
static mp_obj_t default_bdev(void)
{
    /* the seed's card: machine.SDCard(slot=2, width=1) (docs/micropython.md: wiring) */
    mp_obj_t machine = mp_import_name(MP_QSTR_machine, mp_const_none, MP_OBJ_NEW_SMALL_INT(0));
    mp_obj_t kw[4] = {MP_OBJ_NEW_QSTR(MP_QSTR_slot), MP_OBJ_NEW_SMALL_INT(2),
                      MP_OBJ_NEW_QSTR(MP_QSTR_width), MP_OBJ_NEW_SMALL_INT(1)};
    return mp_call_function_n_kw(mp_load_attr(machine, MP_QSTR_SDCard), 0, 2, kw);
}
#endif

/* The default card, or None when there is none: SDCard() failing on the
 * ESP32 (no card in the slot), and always on ports without a default card. */
static mp_obj_t default_card(void)
{
#ifdef ESP_PLATFORM
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        mp_obj_t bdev = default_bdev();
        nlr_pop();
        return bdev;
    }
#endif
    return mp_const_none;
}

/* recovery: True/False, a pin number (input with pull-up, held = low), or an
 * object with value() (held = 0). None: GPIO18 on ESP32, not held elsewhere. */
static bool recovery_held(mp_obj_t rec)
{
    if (rec == mp_const_none) {
#ifdef ESP_PLATFORM
        rec = MP_OBJ_NEW_SMALL_INT(18);
#else
        return false;
#endif
    }
    if (rec == mp_const_true || rec == mp_const_false)
        return rec == mp_const_true;
    if (mp_obj_is_small_int(rec)) {
        mp_obj_t machine = mp_import_name(MP_QSTR_machine, mp_const_none, MP_OBJ_NEW_SMALL_INT(0));
        mp_obj_t pin_t = mp_load_attr(machine, MP_QSTR_Pin);
        mp_obj_t args[3] = {rec, mp_load_attr(pin_t, MP_QSTR_IN),
                            mp_load_attr(pin_t, MP_QSTR_PULL_UP)};
        rec = mp_call_function_n_kw(pin_t, 3, 0, args);
    }
    mp_obj_t dest[2];
    mp_load_method(rec, MP_QSTR_value, dest);
    return !mp_obj_is_true(mp_call_method_n_kw(0, 0, dest));
}

static void copy_path(char *dst, mp_obj_t src)
{
    size_t len;
    const char *s = mp_obj_str_get_data(src, &len);
    if (len == 0 || len >= MP_SDBOOT_ROOT_MAX || s[0] != '/')
        mp_raise_ValueError(MP_ERROR_TEXT("mount point must be an absolute path under 32 bytes"));
    memcpy(dst, s, len);
    dst[len] = '\0';
}

/* boot(bdev=None, *, recovery=None, root="/", sd="/sd", trial_boots=3,
 *      retries=5, format=True, board=None, verbose=True) -> decision name */
static mp_obj_t sdboot_boot_fn(size_t n_args, const mp_obj_t *pos, mp_map_t *kw)
{
    enum { A_BDEV, A_RECOVERY, A_ROOT, A_SD, A_TRIALS, A_RETRIES, A_FORMAT, A_BOARD, A_VERBOSE };
    static const mp_arg_t allowed[] = {
        {MP_QSTR_bdev, MP_ARG_OBJ, {.u_obj = mp_const_none}},
        {MP_QSTR_recovery, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_obj = mp_const_none}},
        {MP_QSTR_root, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL}},
        {MP_QSTR_sd, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL}},
        {MP_QSTR_trial_boots, MP_ARG_KW_ONLY | MP_ARG_INT, {.u_int = SDBOOT_DEFAULT_TRIAL_BOOTS}},
        {MP_QSTR_retries, MP_ARG_KW_ONLY | MP_ARG_INT, {.u_int = SDBOOT_DEFAULT_PROBE_RETRIES}},
        {MP_QSTR_format, MP_ARG_KW_ONLY | MP_ARG_BOOL, {.u_bool = true}},
        {MP_QSTR_board, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_obj = mp_const_none}},
        {MP_QSTR_verbose, MP_ARG_KW_ONLY | MP_ARG_BOOL, {.u_bool = true}},
    };
    mp_arg_val_t a[MP_ARRAY_SIZE(allowed)];
    mp_arg_parse_all(n_args, pos, kw, MP_ARRAY_SIZE(allowed), allowed, a);

    char root[MP_SDBOOT_ROOT_MAX] = "/", sd[MP_SDBOOT_ROOT_MAX] = "/sd";
    if (a[A_ROOT].u_obj != MP_OBJ_NULL)
        copy_path(root, a[A_ROOT].u_obj);
    if (a[A_SD].u_obj != MP_OBJ_NULL)
        copy_path(sd, a[A_SD].u_obj);
    if (a[A_TRIALS].u_int < 1 || a[A_TRIALS].u_int > 255 || a[A_RETRIES].u_int < 1 ||
        a[A_RETRIES].u_int > 255)
        mp_raise_ValueError(MP_ERROR_TEXT("trial_boots and retries must be 1..255"));

    /* sample the recovery pin before the card bus starts: on the ESP32's SPI
     * slot 2, GPIO18 becomes the card's clock once SDCard() runs */
    bool recovery = recovery_held(a[A_RECOVERY].u_obj);
    mp_obj_t bdev = a[A_BDEV].u_obj;
    if (bdev == mp_const_none && (bdev = default_card()) == mp_const_none) {
        if (a[A_VERBOSE].u_bool)
            log_line(NULL, "no card: falling back to the internal file system");
        booted = true;
        last = (struct sdboot_result){.decision = SDBOOT_INTERNAL, .error = SDBOOT_ENOCARD};
        return MP_OBJ_NEW_QSTR(MP_QSTR_internal);
    }
    struct sdboot_config cfg = SDBOOT_CONFIG_DEFAULTS;
    cfg.trial_boots = (uint8_t)a[A_TRIALS].u_int;
    cfg.probe_retries = (uint8_t)a[A_RETRIES].u_int;
    cfg.format_policy = a[A_FORMAT].u_bool ? SDBOOT_FORMAT_BLANK | SDBOOT_FORMAT_OTHER_FS : 0;
    cfg.recovery_pin = recovery;
    cfg.board = a[A_BOARD].u_obj == mp_const_none ? NULL : mp_obj_str_get_str(a[A_BOARD].u_obj);
    if (a[A_VERBOSE].u_bool)
        cfg.log = log_line;

    struct mp_bd d;
    booted = false;
    int err = mp_bd_init(&d, bdev);
    if (err == SDB_OK)
        err = sdboot_boot(&engine, &d.bd, &cfg, &last);
    if (err) /* the card failed before or during the boot: nothing of it runs */
        last = (struct sdboot_result){.decision = SDBOOT_INTERNAL,
                                      .error = err == SDB_BD_ENOMEDIUM ? SDBOOT_ENOCARD : err};
    booted = true;
    mp_bd_raise_pending(&d); /* the device's own exception, unchanged */
    if (err && err != SDB_BD_ENOMEDIUM && err != SDB_BD_EIO)
        mp_sdboot_raise(err);

    if (last.decision == SDBOOT_RUN_CARD) {
        mount_card(bdev, root);
        mp_call_function_1(MP_OBJ_FROM_PTR(&mp_vfs_chdir_obj), mp_obj_new_str(root, strlen(root)));
        strcpy(card_root, root);
    } else if (last.decision == SDBOOT_MOUNT_SD || last.error == SDBOOT_ENOENTRY) {
        /* recovery; or a good card with nothing to run yet: the REPL gets it
         * at /sd, where an OTA can fetch a first release onto it */
        mount_card(bdev, sd);
        strcpy(card_root, sd);
    }
    return MP_OBJ_NEW_QSTR(last.decision == SDBOOT_RUN_CARD   ? MP_QSTR_card
                           : last.decision == SDBOOT_MOUNT_SD ? MP_QSTR_sd
                                                              : MP_QSTR_internal);
}
static MP_DEFINE_CONST_FUN_OBJ_KW(sdboot_boot_obj, 0, sdboot_boot_fn);

/* The card's files, wherever boot() mounted it (or `root` when not None). */
void mp_sdboot_card_files(struct mp_fio *f, mp_obj_t root_obj)
{
    char root[MP_SDBOOT_ROOT_MAX];
    strcpy(root, card_root);
    if (root_obj != mp_const_none)
        copy_path(root, root_obj);
    mp_fio_init(f, root);
}

static void card_files(struct mp_fio *f, size_t n_args, const mp_obj_t *args)
{
    mp_sdboot_card_files(f, n_args > 0 ? args[0] : mp_const_none);
}

static mp_obj_t sdboot_confirm_fn(size_t n_args, const mp_obj_t *args)
{
    struct mp_fio f;
    card_files(&f, n_args, args);
    int err = sdboot_confirm(&f.fio);
    if (err)
        mp_sdboot_raise(err);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(sdboot_confirm_obj, 0, 1, sdboot_confirm_fn);

static void read_state(struct sdboot_state *st, size_t n_args, const mp_obj_t *args)
{
    struct mp_fio f;
    card_files(&f, n_args, args);
    int err = sdboot_app_state(&f.fio, st);
    if (err)
        mp_sdboot_raise(err);
}

static mp_obj_t str_obj(const char *s)
{
    return mp_obj_new_str(s, strlen(s));
}

static mp_obj_t sdboot_version_fn(size_t n_args, const mp_obj_t *args)
{
    struct sdboot_state st;
    read_state(&st, n_args, args);
    return str_obj(st.installed);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(sdboot_version_obj, 0, 1, sdboot_version_fn);

static void put(mp_obj_t dict, qstr key, mp_obj_t value)
{
    mp_obj_dict_store(dict, MP_OBJ_NEW_QSTR(key), value);
}

/* What the last boot() did, when there was one. */
static void put_last_boot(mp_obj_t d)
{
    if (!booted)
        return;
    put(d, MP_QSTR_decision, str_obj(sdboot_decision_name(last.decision)));
    put(d, MP_QSTR_event, str_obj(sdboot_event_name(last.event)));
    put(d, MP_QSTR_error, MP_OBJ_NEW_SMALL_INT(last.error));
    put(d, MP_QSTR_message, str_obj(sdb_strerror(last.error)));
}

/* status([root]) -> dict: the card's boot state, plus what the last boot() did.
 * No card mounted there (before any boot(), or after one that found no card):
 * installed=None and only the boot part. A card whose state cannot be read
 * raises OSError. */
static mp_obj_t sdboot_status_fn(size_t n_args, const mp_obj_t *args)
{
    struct sdboot_state st;
    struct mp_fio f;
    card_files(&f, n_args, args);
    int err = sdboot_app_state(&f.fio, &st);
    if (err && err != SDB_FIO_ENOENT)
        mp_sdboot_raise(err);
    mp_obj_t d = mp_obj_new_dict(0);
    put_last_boot(d);
    if (err) {
        put(d, MP_QSTR_installed, mp_const_none);
        return d;
    }
    put(d, MP_QSTR_installed, str_obj(st.installed));
    put(d, MP_QSTR_previous, str_obj(st.previous));
    put(d, MP_QSTR_confirmed, mp_obj_new_bool(st.confirmed));
    put(d, MP_QSTR_trials_used, MP_OBJ_NEW_SMALL_INT(st.trials_used));
    put(d, MP_QSTR_trial_max, MP_OBJ_NEW_SMALL_INT(st.trial_max));
    put(d, MP_QSTR_last_event, str_obj(sdboot_event_name((enum sdboot_event)st.last_event)));
    put(d, MP_QSTR_last_error, MP_OBJ_NEW_SMALL_INT(st.last_error));
    /* what is installed as what: whole, or a delta over the base current.tar holds */
    put(d, MP_QSTR_delta, mp_obj_new_bool(st.delta));
    put(d, MP_QSTR_base, str_obj(sdboot_state_base(&st)));
    return d;
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(sdboot_status_obj, 0, 1, sdboot_status_fn);

static const mp_rom_map_elem_t sdboot_globals_table[] = {
    {MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_sdboot)},
    {MP_ROM_QSTR(MP_QSTR_boot), MP_ROM_PTR(&sdboot_boot_obj)},
    {MP_ROM_QSTR(MP_QSTR_confirm), MP_ROM_PTR(&sdboot_confirm_obj)},
    {MP_ROM_QSTR(MP_QSTR_version), MP_ROM_PTR(&sdboot_version_obj)},
    {MP_ROM_QSTR(MP_QSTR_status), MP_ROM_PTR(&sdboot_status_obj)},
    {MP_ROM_QSTR(MP_QSTR_OTA), MP_ROM_PTR(&mp_sdboot_ota_type)},
};
static MP_DEFINE_CONST_DICT(sdboot_globals, sdboot_globals_table);

const mp_obj_module_t sdboot_user_cmodule = {
    .base = {&mp_type_module},
    .globals = (mp_obj_dict_t *)&sdboot_globals,
};

MP_REGISTER_MODULE(MP_QSTR_sdboot, sdboot_user_cmodule);
