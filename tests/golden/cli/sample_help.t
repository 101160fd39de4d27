$QFORGE sample --help
