#!/usr/bin/env python
"""Django's command-line utility for SmartClinic."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartclinic.settings")
    # Without DATABASE_URL / REDIS_URL, attach to (or start) the embedded servers under .data/.
    from smartclinic.localservices import ensure_local_services

    ensure_local_services()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
