from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.utils import timezone, translation

from clinics.frontdesk import selectors, services
from clinics.frontdesk.models import Appointment, Patient, QueueTicket, Reminder
from messaging.models import Message
from tests.clinics.frontdesk.frontdesk_factories import DoctorFactory, PatientFactory, working_day
from tests.conftest import admin_login, clinic_client, in_clinic


def at(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


@pytest.fixture
def beta_manager_client(beta):
    client = clinic_client("beta")
    assert admin_login(client, "manager@beta.test")
    return client


def _form(patient, doctor, when):
    local = timezone.localtime(when)
    return {
        "patient": patient.pk,
        "doctor": doctor.pk,
        "starts_at_0": f"{local:%Y-%m-%d}",
        "starts_at_1": f"{local:%H:%M:%S}",
        "status": "booked",
    }


def test_staff_book_in_the_admin_and_the_patient_is_told(alpha, alpha_manager_client):
    patient, doctor = in_clinic(alpha, lambda: (PatientFactory(), DoctorFactory()))
    when = at(working_day(), 10)
    response = alpha_manager_client.post("/admin/frontdesk/appointment/add/", _form(patient, doctor, when))
    assert response.status_code == 302, response.content.decode()[:2000]
    connection.set_tenant(alpha)
    appointment = Appointment.objects.get()
    assert appointment.source == "staff" and appointment.created_by.username == "manager@alpha.test"
    assert Message.objects.filter(conversation__patient=patient, direction="out").count() == 1


def test_booking_outside_hours_in_the_admin_shows_why(alpha, alpha_manager_client):
    patient, doctor = in_clinic(alpha, lambda: (PatientFactory(), DoctorFactory()))
    response = alpha_manager_client.post(
        "/admin/frontdesk/appointment/add/", _form(patient, doctor, at(working_day(), 13, 30))
    )
    assert response.status_code == 200
    assert "not one of the doctor" in response.content.decode()
    assert in_clinic(alpha, Appointment.objects.count) == 0


def test_double_booking_in_the_admin_is_a_form_error(alpha, alpha_manager_client):
    when = at(working_day(), 10)

    def make():
        doctor = DoctorFactory()
        services.book_appointment(patient=PatientFactory(), doctor=doctor, starts_at=when)
        return PatientFactory(), doctor

    patient, doctor = in_clinic(alpha, make)
    response = alpha_manager_client.post("/admin/frontdesk/appointment/add/", _form(patient, doctor, when))
    assert response.status_code == 200
    assert "already has an appointment" in response.content.decode()


def test_moving_an_appointment_in_the_admin_tells_the_patient(alpha, alpha_manager_client):
    day = working_day()

    def make():
        return services.book_appointment(patient=PatientFactory(), doctor=DoctorFactory(), starts_at=at(day, 10))

    appointment = in_clinic(alpha, make)
    local = at(day, 11)
    response = alpha_manager_client.post(
        f"/admin/frontdesk/appointment/{appointment.pk}/change/",
        {"starts_at_0": f"{local:%Y-%m-%d}", "starts_at_1": "11:00:00", "status": "booked"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    connection.set_tenant(alpha)
    appointment.refresh_from_db()
    assert timezone.localtime(appointment.starts_at) == local
    assert (
        Message.objects.filter(conversation__patient=appointment.patient, text__contains="moved").exists()
        or (
            Message.objects.filter(
                conversation__patient=appointment.patient, payload__template__name="appointment_moved"
            )
        ).exists()
    )


def test_the_calendar_shows_alphas_appointments_and_not_to_beta(alpha, alpha_manager_client, beta_manager_client):
    day = working_day()
    in_clinic(
        alpha,
        lambda: services.book_appointment(
            patient=PatientFactory(name="Wong Siu Fong"), doctor=DoctorFactory(), starts_at=at(day, 10)
        ),
    )
    page = alpha_manager_client.get(f"/admin/calendar/?day={day:%Y-%m-%d}")
    assert page.status_code == 200 and "Wong Siu Fong" in page.content.decode()
    week = alpha_manager_client.get(f"/admin/calendar/?view=week&day={day:%Y-%m-%d}")
    assert "Wong Siu Fong" in week.content.decode()
    other = beta_manager_client.get(f"/admin/calendar/?day={day:%Y-%m-%d}")
    assert other.status_code == 200 and "Wong Siu Fong" not in other.content.decode()


def test_statistics_count_alphas_bookings_and_beta_sees_zero(alpha, alpha_manager_client, beta_manager_client):
    in_clinic(
        alpha,
        lambda: services.book_appointment(
            patient=PatientFactory(name="Secret Name"), doctor=DoctorFactory(), starts_at=at(working_day(), 10)
        ),
    )
    page = alpha_manager_client.get("/admin/statistics/").content.decode()
    assert 'data-testid="bookings-whatsapp">1<' in page
    assert "Secret Name" not in page
    assert 'data-testid="bookings-whatsapp">0<' in beta_manager_client.get("/admin/statistics/").content.decode()


def test_the_queue_board_needs_the_clinics_key_or_a_staff_login(alpha, beta):
    alpha_key = in_clinic(alpha, lambda: selectors.clinic_settings().queue_board_token)
    beta_key = in_clinic(beta, lambda: selectors.clinic_settings().queue_board_token)
    client = clinic_client("alpha")
    assert client.get("/queue/board.json").status_code == 403
    assert client.get(f"/queue/board.json?key={beta_key}").status_code == 403
    assert client.get(f"/queue/board?key={alpha_key}").status_code == 200
    assert client.get(f"/queue/board.json?key={alpha_key}").status_code == 200


def test_the_queue_board_shows_numbers_and_never_names(alpha):
    key = in_clinic(alpha, lambda: selectors.clinic_settings().queue_board_token)
    in_clinic(alpha, lambda: services.join_queue(patient=PatientFactory(name="Lee Ka Yan"), source="whatsapp"))
    response = clinic_client("alpha").get(f"/queue/board.json?key={key}")
    assert response.json()["waiting"] == [1]
    assert "Lee" not in response.content.decode()
    page = clinic_client("alpha").get(f"/queue/board?key={key}").content.decode()
    assert "Lee" not in page


def test_the_desk_calls_the_next_number(alpha, alpha_manager_client):
    in_clinic(alpha, lambda: services.join_queue(patient=None, source="desk"))
    response = alpha_manager_client.post("/admin/queue/call-next")
    assert response.status_code == 302
    assert in_clinic(alpha, lambda: QueueTicket.objects.get().status) == "called"
    assert alpha_manager_client.get("/admin/queue/").status_code == 200


def test_the_desk_recalls_the_number_being_served_and_its_patient_is_told_again(alpha, alpha_manager_client):
    def called_on_whatsapp():
        ticket = services.join_queue(patient=PatientFactory(), source="whatsapp")
        services.call_next(by=None)
        return ticket

    ticket = in_clinic(alpha, called_on_whatsapp)
    response = alpha_manager_client.post(f"/admin/queue/{ticket.pk}/recall")
    assert response.status_code == 302
    told = in_clinic(alpha, lambda: Message.objects.filter(conversation__patient=ticket.patient).count())
    assert told == 2


def test_the_desk_skips_a_no_show_and_the_next_call_takes_the_next_number(alpha, alpha_manager_client):
    first, second = in_clinic(alpha, lambda: [services.join_queue(patient=None, source="desk") for _ in range(2)])
    assert alpha_manager_client.post(f"/admin/queue/{first.pk}/skip").status_code == 302
    alpha_manager_client.post("/admin/queue/call-next")
    statuses = in_clinic(alpha, lambda: dict(QueueTicket.objects.values_list("number", "status")))
    assert statuses == {first.number: "skipped", second.number: "called"}


def test_skip_and_recall_refuse_a_get(alpha, alpha_manager_client):
    ticket = in_clinic(alpha, lambda: services.join_queue(patient=None, source="desk"))
    assert alpha_manager_client.get(f"/admin/queue/{ticket.pk}/skip").status_code == 405
    assert alpha_manager_client.get(f"/admin/queue/{ticket.pk}/recall").status_code == 405
    assert in_clinic(alpha, lambda: QueueTicket.objects.get().status) == "waiting"


def test_skip_without_the_pages_csrf_token_is_refused(alpha):
    ticket = in_clinic(alpha, lambda: services.join_queue(patient=None, source="desk"))
    client = clinic_client("alpha")
    assert admin_login(client, "manager@alpha.test")
    client.handler.enforce_csrf_checks = True  # after signing in: the test client skips the check by default
    assert client.post(f"/admin/queue/{ticket.pk}/skip").status_code == 403
    assert in_clinic(alpha, lambda: QueueTicket.objects.get().status) == "waiting"


def test_the_desks_live_list_names_alphas_patients_to_its_staff_only(alpha, alpha_manager_client, beta_manager_client):
    in_clinic(alpha, lambda: services.join_queue(patient=PatientFactory(name="Chan Tai Man"), source="whatsapp"))
    assert "Chan Tai Man" in alpha_manager_client.get("/admin/queue/live").content.decode()
    assert "Chan Tai Man" not in beta_manager_client.get("/admin/queue/live").content.decode()
    key = in_clinic(alpha, lambda: selectors.clinic_settings().queue_board_token)
    anonymous = clinic_client("alpha").get(f"/admin/queue/live?key={key}")
    assert anonymous.status_code == 302 and "Chan Tai Man" not in anonymous.content.decode()


def test_staff_schedule_a_follow_up_reminder_in_the_admin(alpha, alpha_manager_client):
    patient = in_clinic(alpha, PatientFactory)
    due_on = timezone.localdate() + timedelta(days=14)
    response = alpha_manager_client.post(
        "/admin/frontdesk/reminder/add/",
        {"patient": patient.pk, "kind": "follow_up", "due_on": f"{due_on:%Y-%m-%d}", "note": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    reminder = in_clinic(alpha, Reminder.objects.get)
    assert reminder.due_on == due_on and reminder.status == "scheduled"
    assert alpha_manager_client.get("/admin/frontdesk/reminder/").status_code == 200


def test_clinic_settings_open_as_a_single_page(alpha_manager_client):
    response = alpha_manager_client.get("/admin/frontdesk/clinicsettings/")
    assert response.status_code == 302
    assert alpha_manager_client.get(response["Location"]).status_code == 200


def test_the_operator_sees_usage_per_clinic_without_personal_data(alpha, operator_client):
    in_clinic(alpha, lambda: services.join_queue(patient=PatientFactory(name="Ho Wing"), source="whatsapp"))
    page = operator_client.get("/admin/usage/")
    assert page.status_code == 200
    content = page.content.decode()
    assert "Alpha Clinic" in content and "Beta Clinic" in content
    assert "Ho Wing" not in content


def test_a_clinic_manager_cannot_open_the_operator_usage_page(alpha):
    assert clinic_client("alpha").get("/admin/usage/").status_code in (302, 404)


def test_the_reminder_form_shows_its_kind_field_like_the_others(alpha, alpha_manager_client):
    page = alpha_manager_client.get("/admin/frontdesk/reminder/add/").content.decode()
    select = page[page.index('<select name="kind"') : page.index(">", page.index('<select name="kind"'))]
    assert "border" in select  # Unfold's classes; the bare select had none
    assert 'for="id_kind">Kind<' in page  # capitalised like its neighbours ("kind" before)


def test_an_appointment_is_cancelled_not_deleted_so_the_patient_is_never_left_uninformed(alpha, alpha_manager_client):
    def make():
        return services.book_appointment(
            patient=PatientFactory(), doctor=DoctorFactory(), starts_at=at(working_day(), 10)
        )

    appointment = in_clinic(alpha, make)
    assert alpha_manager_client.get(f"/admin/frontdesk/appointment/{appointment.pk}/delete/").status_code == 403
    page = alpha_manager_client.get(f"/admin/frontdesk/appointment/{appointment.pk}/change/").content.decode()
    assert f"/admin/frontdesk/appointment/{appointment.pk}/delete/" not in page


def test_the_week_view_names_the_doctor_in_the_staffs_language(alpha, alpha_manager_client):
    day = working_day()

    def make():
        doctor = DoctorFactory(name_en="Dr Lam Ka Ho", name_zh="林家豪醫生")
        return services.book_appointment(patient=PatientFactory(), doctor=doctor, starts_at=at(day, 10))

    in_clinic(alpha, make)
    alpha_manager_client.cookies["django_language"] = "zh-hant"
    with translation.override("en"):  # the request switches this thread to Chinese; put it back after
        week = alpha_manager_client.get(f"/admin/calendar/?view=week&day={day:%Y-%m-%d}").content.decode()
    assert "林家豪醫生" in week and "Dr Lam Ka Ho" not in week


def _settings_form(alpha, alpha_manager_client, **changes) -> tuple[str, dict]:
    url = alpha_manager_client.get("/admin/frontdesk/clinicsettings/")["Location"]
    current = in_clinic(alpha, selectors.clinic_settings)
    form = {"queue_alert_ahead": current.queue_alert_ahead, "queue_board_token": current.queue_board_token,
            "reminder_hour": current.reminder_hour, "quiet_hours_start": "22:00:00", "quiet_hours_end": "08:00:00",
            "booking_lead_minutes": current.booking_lead_minutes, "spreadsheet_id": ""}  # fmt: skip
    return url, {**form, **changes}


def test_turning_on_the_sheets_mirror_without_a_spreadsheet_is_explained(alpha, alpha_manager_client):
    url, form = _settings_form(alpha, alpha_manager_client, sheets_enabled="on")
    response = alpha_manager_client.post(url, form)
    assert response.status_code == 200 and "spreadsheet_id" in response.context["adminform"].form.errors
    assert not in_clinic(alpha, selectors.clinic_settings).sheets_enabled


def test_a_board_key_short_enough_to_guess_is_refused(alpha, alpha_manager_client):
    url, form = _settings_form(alpha, alpha_manager_client, queue_board_token="1234")
    response = alpha_manager_client.post(url, form)
    assert response.status_code == 200 and "queue_board_token" in response.context["adminform"].form.errors


def test_sensible_settings_still_save(alpha, alpha_manager_client):
    url, form = _settings_form(alpha, alpha_manager_client, reminder_hour=17)
    assert alpha_manager_client.post(url, form).status_code == 302
    assert in_clinic(alpha, selectors.clinic_settings).reminder_hour == 17


def test_the_queue_desk_headings_are_capitalised_like_the_rest_of_the_admin(alpha, alpha_manager_client):
    page = alpha_manager_client.get("/admin/queue/").content.decode()
    assert "<th>Status</th>" in page and "<th>Joined via</th>" in page and "<th>Called at</th>" in page


def test_a_patient_added_with_a_local_number_gets_852_so_their_chat_matches(alpha, alpha_manager_client):
    form = {"wa_id": "9123 4567", "name": "Lee Mei", "language": "en"}
    assert alpha_manager_client.post("/admin/frontdesk/patient/add/", form).status_code == 302
    assert in_clinic(alpha, lambda: Patient.objects.get(name="Lee Mei").wa_id) == "85291234567"


def test_a_patient_number_with_letters_is_refused_with_the_reason(alpha, alpha_manager_client):
    form = {"wa_id": "call me", "name": "Lee Mei", "language": "en"}
    response = alpha_manager_client.post("/admin/frontdesk/patient/add/", form)
    assert response.status_code == 200 and "country code" in str(response.context["adminform"].form.errors)


def test_a_patients_whatsapp_number_cannot_be_edited_away_from_their_chat(alpha, alpha_manager_client):
    patient = in_clinic(alpha, lambda: PatientFactory(wa_id="85298765432"))
    page = alpha_manager_client.get(f"/admin/frontdesk/patient/{patient.pk}/change/").content.decode()
    assert 'name="wa_id"' not in page and "85298765432" in page


def test_a_patient_cannot_be_deleted_in_the_clinic_admin_erasure_is_a_privacy_request(alpha, alpha_manager_client):
    patient = in_clinic(alpha, PatientFactory)
    assert alpha_manager_client.get(f"/admin/frontdesk/patient/{patient.pk}/delete/").status_code == 403
    page = alpha_manager_client.get(f"/admin/frontdesk/patient/{patient.pk}/change/").content.decode()
    assert f"/admin/frontdesk/patient/{patient.pk}/delete/" not in page
    assert in_clinic(alpha, lambda: Patient.objects.filter(pk=patient.pk).exists())
