#include <stdio.h>

int main(void) {
    puts("relay");
    return 0;
}
