/* sdb_fileio_t on MicroPython's VFS: the application side (confirm, status,
 * OTA staging) writes the card only through the file system that owns it. */
#include <stdio.h>
#include <string.h>
#include "py/builtin.h"
#include "py/mperrno.h"
#include "py/nlr.h"
#include "py/runtime.h"
#include "py/stream.h"
#include "extmod/vfs.h"
#include "mp_sdboot.h"

#define PATH_MAX_LEN 192

/* Map the exception a VFS call raised to a fileio code. */
static int code_of(mp_obj_t exc)
{
    if (!mp_obj_is_subclass_fast(MP_OBJ_FROM_PTR(mp_obj_get_type(exc)),
                                 MP_OBJ_FROM_PTR(&mp_type_OSError)))
        return SDB_FIO_EIO;
    mp_obj_t v = mp_obj_exception_get_value(exc);
    mp_int_t e = mp_obj_is_small_int(v) ? MP_OBJ_SMALL_INT_VALUE(v) : 0;
    switch (e) {
    case MP_ENOENT:
        return SDB_FIO_ENOENT;
    case MP_EEXIST:
        return SDB_FIO_EEXIST;
    case MP_ENOSPC:
        return SDB_FIO_ENOSPC;
    default:
        return SDB_FIO_EIO;
    }
}

static mp_obj_t card_path(void *ctx, const char *path)
{
    const struct mp_fio *f = ctx;
    char full[PATH_MAX_LEN];
    int n = snprintf(full, sizeof full, "%s%s", f->root, path);
    if (n < 0 || (size_t)n >= sizeof full)
        mp_raise_OSError(MP_EINVAL); /* path longer than any card path sdboot uses */
    return mp_obj_new_str(full, (size_t)n);
}

/* Call fn(path-on-card [, b]) catching exceptions; *ret gets the result. */
static int vfs_call(void *ctx, const mp_obj_fun_builtin_fixed_t *fn, const char *path, mp_obj_t b,
                    mp_obj_t *ret)
{
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        mp_obj_t p = card_path(ctx, path);
        mp_obj_t r = b == MP_OBJ_NULL ? mp_call_function_1(MP_OBJ_FROM_PTR(fn), p)
                                      : mp_call_function_2(MP_OBJ_FROM_PTR(fn), p, b);
        if (ret)
            *ret = r;
        nlr_pop();
        return SDB_OK;
    }
    return code_of(MP_OBJ_FROM_PTR(nlr.ret_val));
}

static int fio_open(void *ctx, const char *path, enum sdb_fio_mode mode, void **file)
{
    static const char *const modes[] = {"", "rb", "wb", "ab", "r+b"};
    if (mode < SDB_FIO_READ || mode > SDB_FIO_UPDATE)
        return SDB_E_INVAL;
    mp_obj_t m = mp_obj_new_str(modes[mode], strlen(modes[mode]));
    mp_obj_t fobj = MP_OBJ_NULL;
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        mp_obj_t args[2] = {card_path(ctx, path), m};
        fobj = mp_call_function_n_kw(MP_OBJ_FROM_PTR(&mp_builtin_open_obj), 2, 0, args);
        nlr_pop();
    } else {
        return code_of(MP_OBJ_FROM_PTR(nlr.ret_val));
    }
    *file = MP_OBJ_TO_PTR(fobj);
    return SDB_OK;
}

static int fio_read(void *ctx, void *file, void *buf, size_t n, size_t *got)
{
    (void)ctx;
    int errcode = 0;
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        *got = mp_stream_rw(MP_OBJ_FROM_PTR(file), buf, n, &errcode, MP_STREAM_RW_READ);
        nlr_pop();
    } else {
        return code_of(MP_OBJ_FROM_PTR(nlr.ret_val));
    }
    return errcode ? SDB_FIO_EIO : SDB_OK;
}

static int fio_write(void *ctx, void *file, const void *buf, size_t n)
{
    (void)ctx;
    int errcode = 0;
    mp_uint_t done = 0;
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        done = mp_stream_rw(MP_OBJ_FROM_PTR(file), (void *)buf, n, &errcode, MP_STREAM_RW_WRITE);
        nlr_pop();
    } else {
        return code_of(MP_OBJ_FROM_PTR(nlr.ret_val));
    }
    if (errcode == MP_ENOSPC || (errcode == 0 && done < n))
        return SDB_FIO_ENOSPC; /* a short write on FAT means the card is full */
    return errcode ? SDB_FIO_EIO : SDB_OK;
}

/* Call file.name(arg...) catching exceptions. */
static int method_call(void *file, qstr name, size_t nargs, mp_obj_t arg)
{
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        mp_obj_t dest[3];
        mp_load_method(MP_OBJ_FROM_PTR(file), name, dest);
        dest[2] = arg;
        mp_call_method_n_kw(nargs, 0, dest);
        nlr_pop();
        return SDB_OK;
    }
    return code_of(MP_OBJ_FROM_PTR(nlr.ret_val));
}

static int fio_seek(void *ctx, void *file, uint64_t offset)
{
    (void)ctx;
    return method_call(file, MP_QSTR_seek, 1, mp_obj_new_int_from_ull(offset));
}

static int fio_close(void *ctx, void *file)
{
    (void)ctx;
    return method_call(file, MP_QSTR_close, 0, MP_OBJ_NULL);
}

/* fn(path) of the VFS (stat, statvfs) answering a tuple of at least `min` items. */
static int vfs_tuple(void *ctx, const mp_obj_fun_builtin_fixed_t *fn, const char *path, size_t min,
                     mp_obj_t **items)
{
    mp_obj_t st;
    int err = vfs_call(ctx, fn, path, MP_OBJ_NULL, &st);
    if (err)
        return err;
    size_t len;
    mp_obj_get_array(st, &len, items);
    return len < min ? SDB_FIO_EIO : SDB_OK;
}

static int fio_size(void *ctx, const char *path, uint64_t *size)
{
    mp_obj_t *items;
    int err = vfs_tuple(ctx, &mp_vfs_stat_obj, path, 7, &items);
    if (!err)
        *size = (uint64_t)mp_obj_get_int(items[6]);
    return err;
}

static int fio_remove(void *ctx, const char *path)
{
    int err = vfs_call(ctx, &mp_vfs_remove_obj, path, MP_OBJ_NULL, NULL);
    return err == SDB_FIO_ENOENT ? SDB_OK : err;
}

static int fio_rename(void *ctx, const char *from, const char *to)
{
    /* FAT refuses to rename over an existing file: drop the target first */
    int err = fio_remove(ctx, to);
    if (err)
        return err;
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        mp_call_function_2(MP_OBJ_FROM_PTR(&mp_vfs_rename_obj), card_path(ctx, from),
                           card_path(ctx, to));
        nlr_pop();
        return SDB_OK;
    }
    return code_of(MP_OBJ_FROM_PTR(nlr.ret_val));
}

static int fio_mkdir(void *ctx, const char *path)
{
    int err = vfs_call(ctx, &mp_vfs_mkdir_obj, path, MP_OBJ_NULL, NULL);
    return err == SDB_FIO_EEXIST ? SDB_OK : err;
}

/* os.statvfs of the card: VfsFat answers clusters (f_frsize) and free ones (f_bavail). */
static int fio_space(void *ctx, uint64_t *free_bytes, uint32_t *unit_bytes)
{
    const struct mp_fio *f = ctx;
    mp_obj_t *items;
    int err = vfs_tuple(ctx, &mp_vfs_statvfs_obj, f->root[0] ? "" : "/", 5, &items);
    if (err)
        return err;
    *unit_bytes = (uint32_t)mp_obj_get_int(items[1]);
    *free_bytes = (uint64_t)mp_obj_get_int(items[4]) * *unit_bytes;
    return SDB_OK;
}

void mp_fio_init(struct mp_fio *f, const char *root)
{
    f->fio = (sdb_fileio_t){
        .ctx = f,
        .open = fio_open,
        .read = fio_read,
        .write = fio_write,
        .seek = fio_seek,
        .close = fio_close,
        .size = fio_size,
        .remove = fio_remove,
        .rename = fio_rename,
        .mkdir = fio_mkdir,
        .space = fio_space,
    };
    /* "/" is kept as "" so "/.sdboot/x" does not become "//.sdboot/x" */
    size_t n = strlen(root);
    while (n > 0 && root[n - 1] == '/')
        n--;
    if (n >= sizeof f->root)
        n = 0; /* refused by the caller (mp_sdboot checks the length) */
    memcpy(f->root, root, n);
    f->root[n] = '\0';
}
