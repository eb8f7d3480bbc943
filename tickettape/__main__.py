"""`python -m tickettape` is the same as the `tickettape` script."""

from tickettape.cli import main

main()
