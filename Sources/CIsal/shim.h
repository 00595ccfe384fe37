#ifndef XPLAT_CISAL_SHIM_H
#define XPLAT_CISAL_SHIM_H
#include <isa-l/igzip_lib.h>
#endif
