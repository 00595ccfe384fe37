#ifndef XPLAT_CARCHIVE_SHIM_H
#define XPLAT_CARCHIVE_SHIM_H
#include <archive.h>
#include <archive_entry.h>
#endif
