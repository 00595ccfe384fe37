/* autotools-hello prints the host system configure was run for and the machine it runs on. */
#include "config.h"
#include <stdio.h>
#ifdef HAVE_SYS_UTSNAME_H
#include <sys/utsname.h>
#endif

int main(void) {
    const char *machine = "unknown";
#ifdef HAVE_SYS_UTSNAME_H
    struct utsname u;
    if (uname(&u) == 0) machine = u.machine;
#endif
    printf("autotools: configured for %s, running on %s\n", HOST_TRIPLET, machine);
    return 0;
}
