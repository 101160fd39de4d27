/* main.c: placeholder entry until the driver lands. */
#include "ir/ir.h"
int main(void) { return QF_EXIT_OK; }
