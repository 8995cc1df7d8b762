/* Umbrella header for the whole public ABI. */
#ifndef KEEL_PUBLIC_KEEL_H
#define KEEL_PUBLIC_KEEL_H
#include "abi.h"
#include "hypercall.h"
#include "console.h"
#include "shared_info.h"
#include "event_channel.h"
#include "grant_table.h"
#include "ring.h"
#include "start_info.h"
#include "image_note.h"
#include "domctl.h"
#include "launch.h"
#include "device.h"
#include "stream.h"
#include "channel.h"
#include "pci.h"
#include "memory.h"
#endif
