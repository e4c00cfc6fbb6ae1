"""Mail outside production: Django's console backend, on stderr.

Commands print their results on stdout (`manage.py chat --json` one JSON object per line); a staff
alert sent while they run must not land in the middle of them.
"""

import sys

from django.core.mail.backends.console import EmailBackend


class StderrEmailBackend(EmailBackend):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("stream", sys.stderr)
        super().__init__(*args, **kwargs)
