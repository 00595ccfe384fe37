#ifndef XPLAT_CELF_SHIM_H
#define XPLAT_CELF_SHIM_H
#include <libelf.h>
#include <gelf.h>
#include <elf.h>
#endif
