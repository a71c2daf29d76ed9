/* sdb_bd_t over a MicroPython block device object (the standard protocol:
 * readblocks(n, buf), writeblocks(n, buf), ioctl(op, arg)). */
#include "py/nlr.h"
#include "py/runtime.h"
#include "mp_sdboot.h"

/* ioctl operations of MicroPython's block device protocol */
#define BD_IOCTL_INIT 1
#define BD_IOCTL_SYNC 3
#define BD_IOCTL_BLOCK_COUNT 4
#define BD_IOCTL_BLOCK_SIZE 5

/* Call obj.name(a, b); *ret gets the result. False when Python raised. */
static bool call2(mp_obj_t obj, qstr name, mp_obj_t a, mp_obj_t b, mp_obj_t *ret)
{
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        mp_obj_t dest[4];
        mp_load_method(obj, name, dest);
        dest[2] = a;
        dest[3] = b;
        *ret = mp_call_method_n_kw(2, 0, dest);
        nlr_pop();
        return true;
    }
    return false;
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
    if (!call2(d->obj, op, mp_obj_new_int_from_uint(lba), view, &ret) || !answered_ok(ret))
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
    struct mp_bd *d = (struct mp_bd *)bd;
    mp_obj_t ret;
    if (!call2(d->obj, MP_QSTR_ioctl, MP_OBJ_NEW_SMALL_INT(BD_IOCTL_SYNC), MP_OBJ_NEW_SMALL_INT(0),
               &ret) ||
        !answered_ok(ret))
        return SDB_BD_EIO;
    return SDB_OK;
}

static const struct sdb_bd_ops mp_bd_ops = {bd_read, bd_write, bd_sync};

int mp_bd_init(struct mp_bd *d, mp_obj_t obj)
{
    mp_obj_t ret;
    *d = (struct mp_bd){.bd = {.ops = &mp_bd_ops}, .obj = obj};
    /* INIT brings a real card up (machine.SDCard does it here); a refusal
     * means no usable card */
    if (!call2(obj, MP_QSTR_ioctl, MP_OBJ_NEW_SMALL_INT(BD_IOCTL_INIT), MP_OBJ_NEW_SMALL_INT(0),
               &ret) ||
        !answered_ok(ret))
        return SDB_BD_ENOMEDIUM;
    if (!call2(obj, MP_QSTR_ioctl, MP_OBJ_NEW_SMALL_INT(BD_IOCTL_BLOCK_COUNT),
               MP_OBJ_NEW_SMALL_INT(0), &ret) ||
        !mp_obj_is_int(ret))
        return SDB_BD_EIO;
    mp_int_t n = mp_obj_get_int(ret);
    if (n <= 0)
        return SDB_BD_ENOMEDIUM;
    if (!call2(obj, MP_QSTR_ioctl, MP_OBJ_NEW_SMALL_INT(BD_IOCTL_BLOCK_SIZE),
               MP_OBJ_NEW_SMALL_INT(0), &ret))
        return SDB_BD_EIO;
    if (mp_obj_is_int(ret) && mp_obj_get_int(ret) != (mp_int_t)SDB_SECTOR_SIZE)
        return SDB_E_NOTSUP; /* None means the protocol's default, 512 */
    d->bd.sector_count = (uint32_t)n;
    return SDB_OK;
}
