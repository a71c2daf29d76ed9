/*
 * Reset and fault vectors for the LM3S6965 (Cortex-M3), shared by the
 * bootloader (linked to flash, lm3s6965.ld) and the application (linked to
 * SRAM, app.ld): copy .data where it is not already in place, zero .bss,
 * paint the stack so its high-water mark can be measured, run main().
 */
#include <stdint.h>
#include <string.h>
#include "board.h"

extern uint32_t __data_start[], __data_end[], __data_load[];
extern uint32_t __bss_start[], __bss_end[];
extern uint32_t __stack_bottom[], __stack_top[];

#define STACK_PAINT 0x5AD85AD8u

int main(void);
void sdb_reset_handler(void);

__attribute__((noreturn)) static void fault(void)
{
    board_puts("FAULT: hard fault, halting\n");
    board_halt(3);
}

static void paint_stack(void)
{
    /* Everything below the current frame (with a margin) is still unused. */
    uint32_t *limit = (uint32_t *)__builtin_frame_address(0) - 16;
    for (uint32_t *p = __stack_bottom; p < limit; p++)
        *p = STACK_PAINT;
}

uint32_t board_stack_used(void)
{
    const uint32_t *p = __stack_bottom;
    while (p < __stack_top && *p == STACK_PAINT)
        p++;
    return (uint32_t)((uintptr_t)__stack_top - (uintptr_t)p);
}

uint32_t board_stack_size(void)
{
    return (uint32_t)((uintptr_t)__stack_top - (uintptr_t)__stack_bottom);
}

__attribute__((noreturn)) void sdb_reset_handler(void)
{
    if (&__data_load[0] != &__data_start[0])
        memcpy(__data_start, __data_load, (size_t)((char *)__data_end - (char *)__data_start));
    memset(__bss_start, 0, (size_t)((char *)__bss_end - (char *)__bss_start));
    paint_stack();
    board_halt(main());
}

/* Initial stack pointer, then the handlers (ARMv7-M vector table). */
__attribute__((section(".vectors"), used)) static void (*const vectors[16])(void) = {
    (void (*)(void))(uintptr_t)__stack_top,
    sdb_reset_handler,
    fault, /* NMI */
    fault, /* hard fault */
    fault, /* memory management */
    fault, /* bus fault */
    fault, /* usage fault */
};
