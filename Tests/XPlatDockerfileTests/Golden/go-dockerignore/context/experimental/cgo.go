package experimental

// #include <stdlib.h>
import "C"
