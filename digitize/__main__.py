"""`python -m digitize`: the same as the `digitize` command."""

from digitize.cli.app import main

main()
