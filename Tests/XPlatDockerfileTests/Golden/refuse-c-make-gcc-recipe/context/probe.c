#include <stdio.h>

int main(void) {
    printf("probe: %zu-bit pointers\n", sizeof(void *) * 8);
    return 0;
}
