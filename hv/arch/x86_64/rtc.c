/*
 * The CMOS real-time clock, read once at boot for the wall clock.  The RTC
 * is assumed to run in UTC (QEMU's default).  Values may be BCD or binary
 * and the hour 12- or 24-hour, as status register B says.
 */
#include <hv/arch.h>
#include <hv/lib.h>
#include "x86.h"

struct rtc_time { unsigned sec, min, hour, day, mon, year; };

static uint64_t boot_wallclock;

static uint8_t cmos(uint8_t reg)
{
    outb(0x70, reg);
    return inb(0x71);
}

static void read_raw(struct rtc_time *t)
{
    for (unsigned i = 0; i < 1000000 && (cmos(0x0a) & 0x80); i++)
        ;   /* update in progress: wait it out */
    t->sec = cmos(0x00);
    t->min = cmos(0x02);
    t->hour = cmos(0x04);
    t->day = cmos(0x07);
    t->mon = cmos(0x08);
    t->year = cmos(0x09);
}

static unsigned bcd(unsigned v) { return (v & 0x0f) + (v >> 4) * 10; }

static void normalize(struct rtc_time *t, uint8_t regb)
{
    bool pm = t->hour & 0x80;

    t->hour &= 0x7f;
    if (!(regb & 0x04)) {          /* BCD */
        t->sec = bcd(t->sec);
        t->min = bcd(t->min);
        t->hour = bcd(t->hour);
        t->day = bcd(t->day);
        t->mon = bcd(t->mon);
        t->year = bcd(t->year);
    }
    if (!(regb & 0x02))            /* 12-hour: 12 AM is 0, 12 PM is 12 */
        t->hour = (t->hour % 12) + (pm ? 12 : 0);
    t->year += 2000;               /* the century register is not portable */
}

/* days from 1970-01-01 to y-m-d (proleptic Gregorian) */
static uint64_t days_from_civil(unsigned y, unsigned m, unsigned d)
{
    y -= m <= 2;
    unsigned era = y / 400, yoe = y - era * 400;
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (uint64_t)era * 146097 + doe - 719468;
}

void rtc_read_boot(void)
{
    struct rtc_time a, b;

    /* read until two reads agree, so no field is torn by an update */
    read_raw(&a);
    for (int i = 0; i < 5; i++) {
        read_raw(&b);
        if (!memcmp(&a, &b, sizeof(a)))
            break;
        a = b;
    }
    normalize(&a, cmos(0x0b));
    if (a.mon < 1 || a.mon > 12 || a.day < 1 || a.day > 31 || a.hour > 23 ||
        a.min > 59 || a.sec > 60) {
        printk("rtc: nonsense date, wall clock starts at 0");
        return;
    }
    boot_wallclock = days_from_civil(a.year, a.mon, a.day) * 86400 +
                     a.hour * 3600 + a.min * 60 + a.sec;
    printk("rtc: %04u-%02u-%02u %02u:%02u:%02u UTC", a.year, a.mon, a.day,
           a.hour, a.min, a.sec);
}

uint64_t arch_boot_wallclock_sec(void) { return boot_wallclock; }
