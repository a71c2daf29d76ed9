/*
 * LM3S6965 (Stellaris, Cortex-M3) registers used by the bare-metal port, and
 * how the LM3S6965 evaluation board wires them: UART0 is the console, SSI0
 * (an ARM PL022) is the SD card's SPI bus, GPIO PD0 is the card's chip
 * select (active low). QEMU's lm3s6965evb models exactly this board.
 */
#ifndef SDB_LM3S6965_H
#define SDB_LM3S6965_H

#include <stdint.h>

#define LM_REG(addr) (*(volatile uint32_t *)(addr))

/* System control: clock gating of the peripherals we use. */
#define SYSCTL_RCGC1 LM_REG(0x400FE104u) /* bit 0 UART0, bit 4 SSI0 */
#define SYSCTL_RCGC2 LM_REG(0x400FE108u) /* bit n GPIO port n (A = 0) */

/* UART0, a PL011. */
#define UART0_BASE 0x4000C000u
#define UART0_DR LM_REG(UART0_BASE + 0x000u)
#define UART0_FR LM_REG(UART0_BASE + 0x018u)
#define UART0_IBRD LM_REG(UART0_BASE + 0x024u)
#define UART0_FBRD LM_REG(UART0_BASE + 0x028u)
#define UART0_LCRH LM_REG(UART0_BASE + 0x02Cu)
#define UART0_CTL LM_REG(UART0_BASE + 0x030u)
#define UART_FR_TXFF (1u << 5)

/* SSI0, a PL022: 8-deep transmit and receive FIFOs. */
#define SSI0_BASE 0x40008000u
#define SSI0_CR0 LM_REG(SSI0_BASE + 0x000u)
#define SSI0_CR1 LM_REG(SSI0_BASE + 0x004u)
#define SSI0_DR LM_REG(SSI0_BASE + 0x008u)
#define SSI0_SR LM_REG(SSI0_BASE + 0x00Cu)
#define SSI0_CPSR LM_REG(SSI0_BASE + 0x010u)
#define SSI_CR1_SSE (1u << 1)
#define SSI_SR_TNF (1u << 1)
#define SSI_SR_RNE (1u << 2)
#define SSI_SR_BSY (1u << 4)
#define SSI_FIFO_DEPTH 8u

/* GPIO: DATA is address-masked (bits [9:2] of the address select the pins). */
#define GPIOA_BASE 0x40004000u
#define GPIOD_BASE 0x40007000u
#define GPIO_DATA(base, pins) LM_REG((base) + ((uint32_t)(pins) << 2))
#define GPIO_DIR(base) LM_REG((base) + 0x400u)
#define GPIO_AFSEL(base) LM_REG((base) + 0x420u)
#define GPIO_DEN(base) LM_REG((base) + 0x51Cu)
#define SD_CS_PIN (1u << 0) /* PD0 */
#define SSI0_PINS (0x3Cu)   /* PA2 clock, PA3 frame, PA4 rx, PA5 tx */

/* Cortex-M system control block. */
#define SCB_VTOR LM_REG(0xE000ED08u)
#define SCB_AIRCR LM_REG(0xE000ED0Cu)
#define AIRCR_SYSRESET (0x05FA0000u | (1u << 2))

/* Memory map (256 KiB flash, 64 KiB SRAM). */
#define LM_FLASH_BASE 0x00000000u
#define LM_FLASH_SIZE 0x00040000u
#define LM_SRAM_BASE 0x20000000u
#define LM_SRAM_SIZE 0x00010000u

#endif
