"""``python -m catalyst_gen`` runs the command line (works before the console script is on PATH)."""

from .cli import main

main()
