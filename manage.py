#!/usr/bin/env python
"""Django's manage.py; the same as the ``xietong`` console script."""

from xietong.cli import main

if __name__ == "__main__":
    main()
