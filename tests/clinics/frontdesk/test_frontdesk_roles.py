"""What each clinic role may do: settings are the manager's, machine tables are read-only."""

from django.contrib.auth.models import Group

from clinics.frontdesk.services import ensure_staff_roles


def _codenames(role: str) -> set[str]:
    return set(Group.objects.get(name=role).permissions.values_list("codename", flat=True))


def test_only_the_manager_may_change_clinic_settings(in_alpha):
    ensure_staff_roles()
    assert "change_clinicsettings" in _codenames("manager")
    assert "change_clinicsettings" not in _codenames("receptionist")
    assert "change_clinicsettings" not in _codenames("nurse")


def test_nobody_edits_the_sheets_outbox_by_hand(in_alpha):
    ensure_staff_roles()
    for role in ("manager", "receptionist", "nurse"):
        assert "change_sheetrow" not in _codenames(role)
        assert "add_sheetrow" not in _codenames(role)


def test_a_receptionist_books_and_answers_but_cannot_read_the_activity_log(in_alpha):
    ensure_staff_roles()
    codenames = _codenames("receptionist")
    assert {"add_appointment", "change_appointment", "change_conversation", "add_queueticket"} <= codenames
    assert "view_logentry" not in codenames and "delete_appointment" not in codenames
