"""`python -m regquiz` runs the command line."""

from .cli import main

main()
