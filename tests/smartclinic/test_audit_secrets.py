"""The activity log never holds a secret: password hashes, access tokens, board keys."""

from auditlog.models import LogEntry
from django.contrib.auth import get_user_model

from clinics.models import WhatsAppNumber


def test_a_password_change_is_logged_without_the_hash(in_alpha):
    user = get_user_model().objects.create_user("nurse@alpha.test", password="first-password-123")
    user.set_password("second-password-456")
    user.save()

    changes = [entry.changes_dict for entry in LogEntry.objects.get_for_object(user)]
    assert changes and all("password" not in change for change in changes)
    assert "pbkdf2" not in str(changes)


def test_a_whatsapp_access_token_is_not_copied_into_the_log(alpha):
    number = WhatsAppNumber.objects.get(clinic=alpha)
    number.access_token = "EAAG-secret-token-for-alpha"
    number.save()

    assert "EAAG-secret-token-for-alpha" not in str([e.changes for e in LogEntry.objects.get_for_object(number)])
