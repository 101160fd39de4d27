$QFORGE --version
