$QFORGE check --help
