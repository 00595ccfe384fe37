/* Prints the machine it was compiled for: the compiler's own predefined macros, so a binary of
 * the wrong architecture cannot print the right answer. */
#include <stdio.h>

#if defined(__x86_64__)
#define ARCH "x86_64"
#elif defined(__aarch64__)
#define ARCH "aarch64"
#elif defined(__arm__)
#define ARCH "arm"
#elif defined(__riscv) && __riscv_xlen == 64
#define ARCH "riscv64"
#else
#define ARCH "unknown"
#endif

int main(void) {
    printf("hello from C on %s\n", ARCH);
    return 0;
}
