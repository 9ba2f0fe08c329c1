"""``python -m catalyst_gen`` runs the command line (works before the console script is on PATH)."""

from .entry import main

main()
