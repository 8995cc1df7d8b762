/* Linked into both halves of hv-grant (dom0: t_grant*.c; the guest:
 * t_grant_guest.c): MAP, and every use a grantee can make of one grant
 * for the rights cases (t_grant_rights.c). */
#ifndef T_GRANT_USES_H
#define T_GRANT_USES_H
#include "tlib.h"

/* MAP: the rc; va and handle filled on success */
long map(keel_domid_t dom, uint32_t ref, uint16_t flags, uint64_t *va, uint32_t *handle);

/* What the granter itself may do with the granted page. */
enum page_access {
    PAGE_NONE,      /* a guard page: rights 0, frame kept */
    PAGE_READ,      /* text, rodata, start info, device page */
    PAGE_WRITE,     /* data, heap, stack */
};

/* COPY out of ref of granter dom, MAP it read-only, COPY into it (the
 * bytes the copy out read, or zeroes: harmless where it wrongly succeeds),
 * MAP it read-write.  Returns how many results differ from the rule
 * "never more than the granter has": reading needs PAGE_READ, writing
 * PAGE_WRITE, anything else is -KEEL_EACCES; a map shows what a copy read. */
int grant_uses_bad(keel_domid_t dom, uint32_t ref, enum page_access access);

/* The guest's "rights" mode grants, without KEEL_GTF_READONLY, its guard
 * page, start-info page, first text page, a rodata page and a data page,
 * in this order, to itself (refs 0..) and to dom0 (refs RIGHTS_TO_DOM0..);
 * what it may do with each: */
#define RIGHTS_NR      5
#define RIGHTS_TO_DOM0 8
extern const enum page_access rights_access[RIGHTS_NR];
#endif
