#!/usr/bin/env python
"""Seed the database with a demo account and a few notes.

Usage:
  seed_demo.py [--username=<name>] [--password=<pw>] [--notes=<n>]
  seed_demo.py -h | --help

Options:
  -h --help          Show this screen.
  --username=<name>  Demo account to create or reuse [default: demo_user].
  --password=<pw>    Password for a newly created account [default: demo-password].
  --notes=<n>        How many sample notes to add [default: 4].
"""

import os
import sys

from docopt import docopt


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and seed; expects Django to be set up already."""
    args = docopt(__doc__, argv=argv)
    try:
        count = int(args["--notes"])
    except ValueError:
        print("--notes must be a whole number", file=sys.stderr)
        return 2
    if count < 0:
        print("--notes cannot be negative", file=sys.stderr)
        return 2

    from notes.demo import seed

    user, created = seed(args["--username"], args["--password"], count)
    print(f"{user.username}: {created} note(s) added")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mynotes.settings")
    import django

    django.setup()
    sys.exit(main())
