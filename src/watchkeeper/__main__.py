"""``python -m watchkeeper`` runs the command line."""

from watchkeeper.cli.main import main

main()
