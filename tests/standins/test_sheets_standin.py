"""The Sheets stand-in, driven by the real gspread client through a URL-rewriting HTTP client."""

import google.oauth2.credentials
import gspread
import httpx
import pytest
from gspread.http_client import HTTPClient

from smartclinic.standins.sheets import SheetsStandIn

SPREADSHEET = "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"
HEADER = ["appointment", "patient", "doctor", "starts at"]


@pytest.fixture
def sheets():
    with SheetsStandIn() as standin:
        standin.create_spreadsheet(SPREADSHEET, "Alpha Clinic")
        yield standin


@pytest.fixture
def gc(sheets) -> gspread.Client:
    class StandInHTTPClient(HTTPClient):
        # Production's Sheets client owns its own version of this; the test keeps a small one.
        def request(self, method, endpoint, *args, **kwargs):
            endpoint = endpoint.replace("https://sheets.googleapis.com", sheets.url, 1)
            return super().request(method, endpoint, *args, **kwargs)

    return gspread.authorize(google.oauth2.credentials.Credentials(token="t"), http_client=StandInHTTPClient)


@pytest.fixture
def appointments(gc) -> gspread.Worksheet:
    return gc.open_by_key(SPREADSHEET).worksheet("Appointments")


def test_open_by_key_sees_the_title_and_the_worksheets(gc):
    spreadsheet = gc.open_by_key(SPREADSHEET)

    assert spreadsheet.title == "Alpha Clinic"
    assert [sheet.title for sheet in spreadsheet.worksheets()] == ["Appointments", "Messages"]
    assert spreadsheet.sheet1.row_count == 1000


def test_opening_an_unknown_spreadsheet_raises_spreadsheet_not_found(gc):
    with pytest.raises(gspread.SpreadsheetNotFound):
        gc.open_by_key("no-such-spreadsheet")


def test_appended_rows_are_read_back_by_get_all_values(sheets, appointments):
    appointments.append_rows([HEADER, ["A-1", "陳大文", "Dr Chan", "2026-11-20 10:30"]])

    assert appointments.get_all_values() == [HEADER, ["A-1", "陳大文", "Dr Chan", "2026-11-20 10:30"]]
    assert sheets.values(SPREADSHEET, "Appointments")[1][1] == "陳大文"


def test_append_rows_goes_after_the_last_filled_row(appointments):
    appointments.append_rows([HEADER])
    appointments.append_rows([["A-1", "Chan"]])

    answer = appointments.append_rows([["A-2", "Wong"]], value_input_option="USER_ENTERED")

    assert answer["updates"]["updatedRange"] == "Appointments!A3:B3"
    assert appointments.col_values(1) == ["appointment", "A-1", "A-2"]


def test_numbers_and_booleans_are_read_back_as_the_sheet_shows_them(appointments):
    appointments.append_rows([[42, 2.5, 3.0, True]])

    assert appointments.get_all_values() == [["42", "2.5", "3", "TRUE"]]


def test_delete_rows_removes_a_row_and_moves_the_rest_up(appointments):
    appointments.append_rows([HEADER, ["A-1"], ["A-2"], ["A-3"]])

    appointments.delete_rows(2)

    assert appointments.col_values(1) == ["appointment", "A-2", "A-3"]
    assert appointments.spreadsheet.worksheet("Appointments").row_count == 999


def test_update_cell_writes_one_cell(sheets, appointments):
    appointments.append_rows([HEADER, ["A-1", "Chan", "Dr Lee", "10:30"]])

    appointments.update_cell(2, 3, "Dr Wong")

    assert sheets.values(SPREADSHEET, "Appointments")[1] == ["A-1", "Chan", "Dr Wong", "10:30"]


def test_update_writes_a_block_from_its_top_left_cell(appointments):
    appointments.update([["a", "b"], ["c", "d"]], "B2")

    assert appointments.get("B2:C3") == [["a", "b"], ["c", "d"]]


def test_clear_empties_the_worksheet(appointments):
    appointments.append_rows([HEADER, ["A-1"]])

    appointments.clear()

    assert appointments.get_all_values() == [[]]


def test_a_worksheet_whose_title_needs_quoting_is_added_and_written(gc, sheets):
    spreadsheet = gc.open_by_key(SPREADSHEET)

    added = spreadsheet.add_worksheet("Dr Chan's 覆診", rows=10, cols=5)
    added.append_rows([["follow-up", "2026-12-01"]])

    assert spreadsheet.worksheet("Dr Chan's 覆診").id == added.id
    assert sheets.values(SPREADSHEET, "Dr Chan's 覆診") == [["follow-up", "2026-12-01"]]


def test_a_429_raises_api_error_and_the_next_call_succeeds(sheets, appointments):
    sheets.fail_next(status=429, path_contains=":append")

    with pytest.raises(gspread.exceptions.APIError) as raised:
        appointments.append_rows([["A-1"]])
    appointments.append_rows([["A-1"]])

    assert raised.value.code == 429
    assert raised.value.error["status"] == "RESOURCE_EXHAUSTED"
    assert appointments.get_all_values() == [["A-1"]]


def test_another_process_can_create_a_spreadsheet_and_read_its_values_over_http(sheets, gc):
    httpx.post(sheets.url + "/_control/spreadsheets", json={"id": "beta-sheet", "title": "Beta", "sheets": ["Log"]})
    gc.open_by_key("beta-sheet").worksheet("Log").append_rows([["hello"]])

    values = httpx.get(sheets.url + "/_control/values", params={"spreadsheet_id": "beta-sheet", "sheet": "Log"})

    assert values.json() == [["hello"]]


def test_auto_create_makes_any_spreadsheet_id_exist_for_offline_runs():
    with SheetsStandIn(auto_create=True) as sheets:
        answer = httpx.get(sheets.url + "/v4/spreadsheets/new-id", headers={"Authorization": "Bearer t"})

    assert answer.json()["spreadsheetId"] == "new-id"
    assert [sheet["properties"]["title"] for sheet in answer.json()["sheets"]] == ["Appointments", "Messages"]


def test_a_call_without_a_bearer_token_is_refused(sheets):
    answer = httpx.get(f"{sheets.url}/v4/spreadsheets/{SPREADSHEET}")

    assert answer.status_code == 401
    assert answer.json()["error"]["status"] == "UNAUTHENTICATED"
