/* cmake-zlib compresses and restores a message with zlib (found by CMake's FindZLIB) and prints
 * zlib's version and the processor CMake configured for. */
#include <stdio.h>
#include <string.h>
#include <zlib.h>

int main(void) {
    const char *message = "cross-compiled with CMake and zlib; cross-compiled with CMake and zlib";
    unsigned char packed[256], restored[256];
    uLongf packed_len = sizeof packed, restored_len = sizeof restored;
    if (compress2(packed, &packed_len, (const Bytef *)message, strlen(message), 9) != Z_OK ||
        uncompress(restored, &restored_len, packed, packed_len) != Z_OK ||
        restored_len != strlen(message) || memcmp(restored, message, restored_len) != 0) {
        fprintf(stderr, "cmake-zlib: the round trip lost data\n");
        return 1;
    }
    printf("zlib %s: round trip ok; CMake target processor %s\n", zlibVersion(), CMAKE_TARGET_PROCESSOR);
    return 0;
}
