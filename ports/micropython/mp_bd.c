/* sdb_bd_t over a MicroPython block device object (the standard protocol:
 * readblocks(n, buf), writeblocks(n, buf), ioctl(op, arg)).
 * An exception from the device is kept (first one only) and every later call
 * fails at once without calling Python: the core unwinds on SDB_BD_EIO with
 * nothing more read or written, and boot() re-raises the exception unchanged. */
#include "py/nlr.h"
#include "py/runtime.h"
#include "mp_sdboot.h"

/* ioctl operations of MicroPython's block device protocol */
#define BD_IOCTL_INIT 1
#define BD_IOCTL_SYNC 3
#define BD_IOCTL_BLOCK_COUNT 4
#define BD_IOCTL_BLOCK_SIZE 5

/* Call d->obj.name(a, b); *ret gets the result. False when Python raised now
 * or earlier (the exception is in d->exc). */
static bool call2(struct mp_bd *d, qstr name, mp_obj_t a, mp_obj_t b, mp_obj_t *ret)
{
    if (d->exc != MP_OBJ_NULL)
        return false;
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        mp_obj_t dest[4];
        mp_load_method(d->obj, name, dest);
        dest[2] = a;
        dest[3] = b;
        *ret = mp_call_method_n_kw(2, 0, dest);
        nlr_pop();
        return true;
    }
    d->exc = MP_OBJ_FROM_PTR(nlr.ret_val);
    return false;
}

static bool ioctl(struct mp_bd *d, int op, mp_obj_t *ret)
{
    return call2(d, MP_QSTR_ioctl, MP_OBJ_NEW_SMALL_INT(op), MP_OBJ_NEW_SMALL_INT(0), ret);
}

/* A block device answers None, 0, or a negative errno; None/0 are success. */
static bool answered_ok(mp_obj_t ret)
{
    return ret == mp_const_none || (mp_obj_is_small_int(ret) && MP_OBJ_SMALL_INT_VALUE(ret) >= 0);
}

static int transfer(sdb_bd_t *bd, qstr op, uint32_t lba, uint32_t count, void *buf)
{
    struct mp_bd *d = (struct mp_bd *)bd;
    mp_obj_t ret;
    mp_obj_t view = mp_obj_new_bytearray_by_ref(count * SDB_SECTOR_SIZE, buf);
    if (!call2(d, op, mp_obj_new_int_from_uint(lba), view, &ret) || !answered_ok(ret))
        return SDB_BD_EIO;
    return SDB_OK;
}

static int bd_read(sdb_bd_t *bd, uint32_t lba, uint32_t count, void *buf)
{
    return transfer(bd, MP_QSTR_readblocks, lba, count, buf);
}

static int bd_write(sdb_bd_t *bd, uint32_t lba, uint32_t count, const void *buf)
{
    /* writeblocks only reads the buffer; the bytearray view is a formality */
    return transfer(bd, MP_QSTR_writeblocks, lba, count, (void *)buf);
}

static int bd_sync(sdb_bd_t *bd)
{
    mp_obj_t ret;
    if (!ioctl((struct mp_bd *)bd, BD_IOCTL_SYNC, &ret) || !answered_ok(ret))
        return SDB_BD_EIO;
    return SDB_OK;
}

static const struct sdb_bd_ops mp_bd_ops = {bd_read, bd_write, bd_sync};

static void require_method(mp_obj_t obj, qstr name)
{
    mp_obj_t dest[2];
    mp_load_method_maybe(obj, name, dest);
    if (dest[0] == MP_OBJ_NULL)
        mp_raise_TypeError(MP_ERROR_TEXT("bdev must be a block device "
                                         "(readblocks, writeblocks, ioctl)"));
}

/* The block count in any width the device answers (2^32 + n as well): FAT
 * addresses at most 2^32 - 1 sectors, so a larger card is used up to there. */
static int block_count(mp_obj_t n, uint32_t *count)
{
    if (!mp_obj_is_int(n))
        mp_raise_TypeError(MP_ERROR_TEXT("bdev.ioctl(4, 0) must answer the block count"));
    if (mp_obj_is_true(mp_binary_op(MP_BINARY_OP_LESS_EQUAL, n, MP_OBJ_NEW_SMALL_INT(0))))
        return SDB_BD_ENOMEDIUM; /* machine.SDCard answers -1 without a card */
    mp_obj_t most = mp_obj_new_int_from_uint(UINT32_MAX);
    if (mp_obj_is_true(mp_binary_op(MP_BINARY_OP_MORE, n, most)))
        n = most;
    *count = (uint32_t)mp_obj_int_get_uint_checked(n);
    return SDB_OK;
}

int mp_bd_init(struct mp_bd *d, mp_obj_t obj)
{
    require_method(obj, MP_QSTR_readblocks);
    require_method(obj, MP_QSTR_writeblocks);
    require_method(obj, MP_QSTR_ioctl);
    *d = (struct mp_bd){.bd = {.ops = &mp_bd_ops}, .obj = obj, .exc = MP_OBJ_NULL};
    mp_obj_t ret;
    /* INIT brings a real card up (machine.SDCard does it here); a refusal
     * means no usable card */
    if (!ioctl(d, BD_IOCTL_INIT, &ret))
        return SDB_BD_EIO;
    if (!answered_ok(ret))
        return SDB_BD_ENOMEDIUM;
    if (!ioctl(d, BD_IOCTL_BLOCK_COUNT, &ret))
        return SDB_BD_EIO;
    int err = block_count(ret, &d->bd.sector_count);
    if (err)
        return err;
    if (!ioctl(d, BD_IOCTL_BLOCK_SIZE, &ret))
        return SDB_BD_EIO;
    if (mp_obj_is_int(ret) && mp_obj_get_int(ret) != (mp_int_t)SDB_SECTOR_SIZE)
        return SDB_E_NOTSUP; /* None means the protocol's default, 512 */
    return SDB_OK;
}

void mp_bd_raise_pending(const struct mp_bd *d)
{
    if (d->exc != MP_OBJ_NULL)
        nlr_raise(d->exc);
}
