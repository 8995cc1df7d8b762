/* Shared by the dom0 half of hv-grant (t_grant*.c). */
#ifndef T_GRANT_H
#define T_GRANT_H
#include "tbuild.h"
#include "t_grant_uses.h"

#define PAGE 4096ull
#define NR_REFS 1024                 /* two pages of table */
#define DOM0_MAGIC 0x3030303030303030ull

extern struct keel_grant_entry gtable[NR_REFS];
extern uint8_t pages[4][PAGE];       /* dom0 pages it grants */
extern const struct keel_module *guest_img;

long gnt(uint32_t cmd, uint64_t a1, uint64_t a2);
uint32_t page_of(const void *p);
void grant(uint32_t ref, const void *p, keel_domid_t to, uint16_t flags);
long dc(struct keel_domctl *op, uint32_t cmd, uint32_t domid);

void grant_copy_tests(void);         /* t_grant_copy.c */
void grant_xdom_tests(void);         /* t_grant_xdom.c */
void grant_rights_tests(const struct keel_start_info *si);  /* t_grant_rights.c */
/* t_grant_device.c: device pins; dom0 owns a function from then on, until
 * grant_device_release */
void grant_device_tests(void);
void grant_device_release(void);
#endif
