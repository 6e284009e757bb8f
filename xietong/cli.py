"""The ``xietong`` console script: Django's management commands under one name.

``xietong demo --scale 0.1``, ``xietong audit verify``, ``xietong runserver`` … are the
management commands of the project's apps; this wrapper only sets the settings module.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xietong.settings")
    import django
    from django.core.management import execute_from_command_line

    from xietong.core.keys import MissingKey

    try:
        django.setup()
    except MissingKey as e:  # a refusal to start, said plainly: no traceback
        sys.stderr.write(f"xietong: cannot start: {e}\n")
        raise SystemExit(2) from None
    execute_from_command_line(["xietong", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
