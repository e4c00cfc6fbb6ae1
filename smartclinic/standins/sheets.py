"""A stand-in for the Google Sheets v4 API, in memory, covering the endpoints gspread 6.2 calls.

Spreadsheet metadata, `spreadsheets.batchUpdate` (addSheet, deleteSheet, deleteDimension,
insertDimension, appendDimension, updateSheetProperties; formatting requests are accepted
and ignored), and `values` get / update / append / clear / batchGet / batchUpdate /
batchClear with A1 ranges such as `'Appointments'!A2:C`. Cells are kept as the strings a
FORMATTED_VALUE read would return; formulas are not evaluated.
"""

import copy
import itertools
import re
from dataclasses import dataclass, field
from typing import Any

from smartclinic.standins.base import Request, Response, StandIn, google_error, json_response

SPREADSHEET_RE = re.compile(r"^/v4/spreadsheets/(?P<id>[A-Za-z0-9_-]+)(?P<rest>.*)$")
CELL_RE = re.compile(r"^([A-Za-z]*)(\d*)$")


class SheetsError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class _Sheet:
    sheet_id: int
    title: str
    row_count: int = 1000
    column_count: int = 26
    rows: list[list[str]] = field(default_factory=list)

    def properties(self, index: int) -> dict[str, Any]:
        return {
            "sheetId": self.sheet_id,
            "title": self.title,
            "index": index,
            "sheetType": "GRID",
            "gridProperties": {"rowCount": self.row_count, "columnCount": self.column_count},
        }

    def cell(self, row: int, col: int) -> str:
        if row <= len(self.rows) and col <= len(self.rows[row - 1]):
            return self.rows[row - 1][col - 1]
        return ""

    def set(self, row: int, col: int, value: str) -> None:
        while len(self.rows) < row:
            self.rows.append([])
        line = self.rows[row - 1]
        line.extend([""] * (col - len(line)))
        line[col - 1] = value

    def last_filled_row(self) -> int:
        return max((number for number, line in enumerate(self.rows, 1) if any(line)), default=0)


@dataclass
class _Spreadsheet:
    spreadsheet_id: str
    title: str
    sheets: list[_Sheet]

    def find(self, *, title: str | None = None, sheet_id: int | None = None) -> _Sheet | None:
        return next(
            (s for s in self.sheets if s.title == title or (sheet_id is not None and s.sheet_id == sheet_id)), None
        )


@dataclass
class _Range:
    sheet: _Sheet
    top: int
    left: int
    bottom: int
    right: int

    def a1(self) -> str:
        start, end = f"{column_letters(self.left)}{self.top}", f"{column_letters(self.right)}{self.bottom}"
        return f"{quote_title(self.sheet.title)}!{start}:{end}"


def column_letters(number: int) -> str:
    letters = ""
    while number > 0:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def quote_title(title: str) -> str:
    return title if re.fullmatch(r"[A-Za-z0-9_]+", title) else "'{}'".format(title.replace("'", "''"))


def _cell_value(value: Any, user_entered: bool) -> str | None:
    """What FORMATTED_VALUE would read back; None leaves the cell as it was, as in the API."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    if user_entered and text.startswith("'"):
        return text[1:]
    return text


class SheetsStandIn(StandIn):
    """Google Sheets v4 on localhost. `auto_create=True` makes unknown spreadsheet ids exist (for `make run`)."""

    def __init__(self, *, auto_create: bool = False) -> None:
        super().__init__()
        self.auto_create = auto_create
        self.spreadsheets: dict[str, _Spreadsheet] = {}
        self._sheet_ids = itertools.count(1_000_001)

    # --- helpers for tests -----------------------------------------------------------
    def create_spreadsheet(
        self,
        spreadsheet_id: str,
        title: str = "SmartClinic",
        sheets: tuple[str, ...] | list[str] = ("Appointments", "Messages"),
        rows: int = 1000,
        cols: int = 26,
    ) -> str:
        with self._lock:
            self.spreadsheets[spreadsheet_id] = _Spreadsheet(
                spreadsheet_id,
                title,
                [
                    _Sheet(0 if index == 0 else next(self._sheet_ids), name, rows, cols)
                    for index, name in enumerate(sheets)
                ],
            )
        return spreadsheet_id

    def values(self, spreadsheet_id: str, sheet: str) -> list[list[str]]:
        """The sheet's cells as rows of strings, trailing blanks trimmed as the API reads them."""
        with self._lock:
            found = self.spreadsheets[spreadsheet_id].find(title=sheet)
            if found is None:
                raise KeyError(sheet)
            return _trimmed([list(line) for line in found.rows])

    def reset_state(self) -> None:
        self.spreadsheets.clear()

    # --- HTTP ----------------------------------------------------------------------
    def control(self, request: Request, name: str) -> Response | None:
        data = request.json if isinstance(request.json, dict) else {}
        if request.method == "POST" and name == "spreadsheets":
            self.create_spreadsheet(
                data["id"], data.get("title", "SmartClinic"), data.get("sheets", ("Appointments", "Messages"))
            )
            return json_response(200, {"ok": True})
        if request.method == "GET" and name == "values":
            try:
                return json_response(200, self.values(request.query["spreadsheet_id"], request.query["sheet"]))
            except KeyError as missing:
                return json_response(404, {"error": f"not found: {missing}"})
        return None

    def route(self, request: Request) -> Response:
        match = SPREADSHEET_RE.match(request.path)
        if match is None:
            return json_response(404, google_error(404, f"The requested URL {request.path} was not found."))
        if request.bearer() is None:
            return json_response(
                401, google_error(401, "Request is missing required authentication credential. Expected OAuth 2 token.")
            )
        spreadsheet = self.spreadsheets.get(match["id"])
        if spreadsheet is None and self.auto_create:
            self.create_spreadsheet(match["id"])
            spreadsheet = self.spreadsheets[match["id"]]
        if spreadsheet is None:
            return json_response(404, google_error(404, "Requested entity was not found."))
        try:
            return json_response(200, self._dispatch(spreadsheet, request, match["rest"]))
        except SheetsError as error:
            return json_response(error.status, google_error(error.status, error.message))

    def _dispatch(self, spreadsheet: _Spreadsheet, request: Request, rest: str) -> dict[str, Any]:
        method, body = request.method, request.json if isinstance(request.json, dict) else {}
        if method == "GET" and rest == "":
            return self._metadata(spreadsheet)
        if method == "POST" and rest == ":batchUpdate":
            return self._batch_update(spreadsheet, body)
        if method == "GET" and rest == "/values:batchGet":
            ranges = request.query_lists.get("ranges", [])
            return {
                "spreadsheetId": spreadsheet.spreadsheet_id,
                "valueRanges": [self._get(spreadsheet, a1, request.query) for a1 in ranges],
            }
        if method == "POST" and rest == "/values:batchUpdate":
            return self._values_batch_update(spreadsheet, body)
        if method == "POST" and rest == "/values:batchClear":
            cleared = [self._clear(spreadsheet, a1) for a1 in body.get("ranges", [])]
            return {"spreadsheetId": spreadsheet.spreadsheet_id, "clearedRanges": cleared}
        if rest.startswith("/values/"):
            a1 = rest.removeprefix("/values/")
            if method == "GET":
                return self._get(spreadsheet, a1, request.query)
            if method == "PUT":
                option = _value_input_option(request.query.get("valueInputOption"))
                return self._update(spreadsheet, a1, body, option)
            if method == "POST" and a1.endswith(":append"):
                option = _value_input_option(request.query.get("valueInputOption"))
                return self._append(spreadsheet, a1.removesuffix(":append"), body, option, request.query)
            if method == "POST" and a1.endswith(":clear"):
                cleared = self._clear(spreadsheet, a1.removesuffix(":clear"))
                return {"spreadsheetId": spreadsheet.spreadsheet_id, "clearedRange": cleared}
        raise SheetsError(404, f"The requested URL {request.method} {request.path} was not found.")

    # --- metadata and structure ------------------------------------------------------
    def _metadata(self, spreadsheet: _Spreadsheet) -> dict[str, Any]:
        return {
            "spreadsheetId": spreadsheet.spreadsheet_id,
            "properties": {
                "title": spreadsheet.title,
                "locale": "en_US",
                "autoRecalc": "ON_CHANGE",
                "timeZone": "Asia/Hong_Kong",
            },
            "sheets": [{"properties": sheet.properties(index)} for index, sheet in enumerate(spreadsheet.sheets)],
            "spreadsheetUrl": f"{self.url}/spreadsheets/d/{spreadsheet.spreadsheet_id}/edit",
        }

    def _batch_update(self, spreadsheet: _Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
        # The API applies all requests or none: work on a copy and keep it only if all succeed.
        draft = copy.deepcopy(spreadsheet)
        replies = [self._apply(draft, request) for request in body.get("requests", [])]
        spreadsheet.title, spreadsheet.sheets = draft.title, draft.sheets
        return {"spreadsheetId": spreadsheet.spreadsheet_id, "replies": replies}

    def _apply(self, spreadsheet: _Spreadsheet, request: dict[str, Any]) -> dict[str, Any]:
        kind, spec = next(iter(request.items()))
        if kind == "addSheet":
            properties = spec.get("properties", {})
            title = properties.get("title") or f"Sheet{len(spreadsheet.sheets) + 1}"
            if spreadsheet.find(title=title) is not None:
                raise SheetsError(
                    400,
                    f'Invalid requests[0].addSheet: A sheet with the name "{title}" already exists. '
                    "Please enter another name.",
                )
            grid = properties.get("gridProperties", {})
            sheet = _Sheet(
                properties.get("sheetId", next(self._sheet_ids)),
                title,
                grid.get("rowCount", 1000),
                grid.get("columnCount", 26),
            )
            index = properties.get("index", len(spreadsheet.sheets))
            spreadsheet.sheets.insert(index, sheet)
            return {"addSheet": {"properties": sheet.properties(spreadsheet.sheets.index(sheet))}}
        if kind == "deleteSheet":
            spreadsheet.sheets.remove(_sheet_by_id(spreadsheet, spec.get("sheetId")))
        elif kind in ("deleteDimension", "insertDimension"):
            _change_dimension(_sheet_by_id(spreadsheet, spec["range"].get("sheetId")), spec["range"], kind)
        elif kind == "appendDimension":
            sheet = _sheet_by_id(spreadsheet, spec.get("sheetId"))
            if spec.get("dimension") == "COLUMNS":
                sheet.column_count += int(spec["length"])
            else:
                sheet.row_count += int(spec["length"])
        elif kind == "updateSheetProperties":
            properties = spec.get("properties", {})
            sheet = _sheet_by_id(spreadsheet, properties.get("sheetId"))
            sheet.title = properties.get("title", sheet.title)
            grid = properties.get("gridProperties", {})
            sheet.row_count = grid.get("rowCount", sheet.row_count)
            sheet.column_count = grid.get("columnCount", sheet.column_count)
            sheet.rows = [line[: sheet.column_count] for line in sheet.rows[: sheet.row_count]]
        elif kind == "updateSpreadsheetProperties":
            spreadsheet.title = spec.get("properties", {}).get("title", spreadsheet.title)
        return {}

    # --- values --------------------------------------------------------------------
    def _range(self, spreadsheet: _Spreadsheet, a1: str) -> _Range:
        title, cells = _split_a1(a1)
        if title is None:
            # A bare name is a sheet when one has that title, else cells on the first sheet.
            title, cells = (cells, "") if spreadsheet.find(title=cells) else (spreadsheet.sheets[0].title, cells)
        sheet = spreadsheet.find(title=title)
        if sheet is None:
            raise SheetsError(400, f"Unable to parse range: {a1}")
        if not cells:
            return _Range(sheet, 1, 1, sheet.row_count, sheet.column_count)
        start, _, end = cells.partition(":")
        start_match, end_match = CELL_RE.match(start), CELL_RE.match(end or start)
        if start_match is None or end_match is None or not (start or end):
            raise SheetsError(400, f"Unable to parse range: {a1}")
        left = column_number(start_match[1]) if start_match[1] else 1
        top = int(start_match[2]) if start_match[2] else 1
        right = column_number(end_match[1]) if end_match[1] else sheet.column_count
        bottom = int(end_match[2]) if end_match[2] else sheet.row_count
        return _Range(sheet, top, left, bottom, right)

    def _get(self, spreadsheet: _Spreadsheet, a1: str, query: dict[str, str]) -> dict[str, Any]:
        area = self._range(spreadsheet, a1)
        rows = [
            [area.sheet.cell(row, col) for col in range(area.left, area.right + 1)]
            for row in range(area.top, min(area.bottom, max(len(area.sheet.rows), area.top - 1)) + 1)
        ]
        rows = _trimmed(rows)
        dimension = query.get("majorDimension") or "ROWS"
        if dimension == "COLUMNS":
            width = max((len(line) for line in rows), default=0)
            rows = _trimmed([[line[col] if col < len(line) else "" for line in rows] for col in range(width)])
        answer: dict[str, Any] = {"range": area.a1(), "majorDimension": dimension}
        if rows:
            answer["values"] = rows
        return answer

    def _write(self, area: _Range, values: list[list[Any]], option: str, *, grow: bool) -> dict[str, Any]:
        height = len(values)
        width = max((len(line) for line in values), default=0)
        if height == 0:
            return {"updatedRange": area.a1()}
        bottom, right = area.top + height - 1, area.left + width - 1
        single_cell = area.top == area.bottom and area.left == area.right  # a single cell anchors any size
        if not single_cell and (area.bottom < bottom or area.right < right):
            raise SheetsError(400, f"Requested writing within range [{area.a1()}], but tried writing to row [{bottom}]")
        sheet = area.sheet
        if not grow and (bottom > sheet.row_count or right > sheet.column_count):
            raise SheetsError(
                400,
                f"Range ({area.a1()}) exceeds grid limits. Max rows: {sheet.row_count}, "
                f"max columns: {sheet.column_count}",
            )
        sheet.row_count, sheet.column_count = max(sheet.row_count, bottom), max(sheet.column_count, right)
        updated = 0
        for row_offset, line in enumerate(values):
            for col_offset, raw in enumerate(line):
                value = _cell_value(raw, option == "USER_ENTERED")
                if value is not None:
                    sheet.set(area.top + row_offset, area.left + col_offset, value)
                    updated += 1
        written = _Range(sheet, area.top, area.left, bottom, right)
        return {
            "updatedRange": written.a1(),
            "updatedRows": height,
            "updatedColumns": width,
            "updatedCells": updated,
        }

    def _update(self, spreadsheet: _Spreadsheet, a1: str, body: dict[str, Any], option: str) -> dict[str, Any]:
        area = self._range(spreadsheet, a1)
        values = _rows(body)
        return {"spreadsheetId": spreadsheet.spreadsheet_id, **self._write(area, values, option, grow=False)}

    def _append(
        self, spreadsheet: _Spreadsheet, a1: str, body: dict[str, Any], option: str, query: dict[str, str]
    ) -> dict[str, Any]:
        area = self._range(spreadsheet, a1)
        sheet = area.sheet
        last = sheet.last_filled_row()
        values = _rows(body)
        start = max(last + 1, area.top)
        if query.get("insertDataOption") == "INSERT_ROWS":
            sheet.row_count += len(values)
        target = _Range(
            sheet, start, area.left, start + len(values) - 1, area.left + max(map(len, values), default=1) - 1
        )
        updates = self._write(target, values, option, grow=True)
        answer: dict[str, Any] = {
            "spreadsheetId": spreadsheet.spreadsheet_id,
            "updates": {"spreadsheetId": spreadsheet.spreadsheet_id, **updates},
        }
        if last:
            answer["tableRange"] = _Range(sheet, 1, 1, last, max(len(line) for line in sheet.rows[:last]) or 1).a1()
        return answer

    def _clear(self, spreadsheet: _Spreadsheet, a1: str) -> str:
        area = self._range(spreadsheet, a1)
        for row in range(area.top, min(area.bottom, len(area.sheet.rows)) + 1):
            line = area.sheet.rows[row - 1]
            for col in range(area.left, min(area.right, len(line)) + 1):
                line[col - 1] = ""
        return area.a1()

    def _values_batch_update(self, spreadsheet: _Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
        option = _value_input_option(body.get("valueInputOption"))
        responses = [
            {
                "spreadsheetId": spreadsheet.spreadsheet_id,
                **self._write(self._range(spreadsheet, item["range"]), _rows(item), option, grow=False),
            }
            for item in body.get("data", [])
        ]
        return {
            "spreadsheetId": spreadsheet.spreadsheet_id,
            "totalUpdatedRows": sum(r.get("updatedRows", 0) for r in responses),
            "totalUpdatedColumns": sum(r.get("updatedColumns", 0) for r in responses),
            "totalUpdatedCells": sum(r.get("updatedCells", 0) for r in responses),
            "totalUpdatedSheets": len({r["updatedRange"].rsplit("!", 1)[0] for r in responses}),
            "responses": responses,
        }


def _value_input_option(option: str | None) -> str:
    if option not in ("RAW", "USER_ENTERED"):
        raise SheetsError(400, "Invalid valueInputOption: must be RAW or USER_ENTERED.")
    return option


def _rows(body: dict[str, Any]) -> list[list[Any]]:
    values = body.get("values") or []
    if body.get("majorDimension") == "COLUMNS":
        height = max((len(column) for column in values), default=0)
        values = [[column[row] if row < len(column) else None for column in values] for row in range(height)]
    return values


def _trimmed(rows: list[list[str]]) -> list[list[str]]:
    rows = [line[: max((i for i, v in enumerate(line, 1) if v != ""), default=0)] for line in rows]
    while rows and not rows[-1]:
        rows.pop()
    return rows


def _split_a1(a1: str) -> tuple[str | None, str]:
    """`'My sheet'!A1:B2` → ("My sheet", "A1:B2"); `A1:B2` → (None, "A1:B2")."""
    if a1.startswith("'"):
        title, index = [], 1
        while index < len(a1):
            char = a1[index]
            if char == "'" and a1[index + 1 : index + 2] == "'":
                title.append("'")
                index += 2
            elif char == "'":
                break
            else:
                title.append(char)
                index += 1
        rest = a1[index + 1 :]
        return "".join(title), rest.removeprefix("!")
    if "!" in a1:
        title, _, cells = a1.partition("!")
        return title, cells
    return None, a1


def _sheet_by_id(spreadsheet: _Spreadsheet, sheet_id: Any) -> _Sheet:
    sheet = spreadsheet.find(sheet_id=int(sheet_id or 0))
    if sheet is None:
        raise SheetsError(400, f"No grid with id: {sheet_id}")
    return sheet


def _change_dimension(sheet: _Sheet, span: dict[str, Any], kind: str) -> None:
    start, end = int(span.get("startIndex", 0)), int(span["endIndex"])
    count = end - start
    rows = span.get("dimension", "ROWS") == "ROWS"
    if kind == "deleteDimension":
        if count <= 0 or end > (sheet.row_count if rows else sheet.column_count):
            raise SheetsError(400, "Invalid requests[0].deleteDimension: range is outside the grid.")
        if rows:
            del sheet.rows[start:end]
            sheet.row_count -= count
        else:
            for line in sheet.rows:
                del line[start:end]
            sheet.column_count -= count
    elif rows:
        sheet.rows[start:start] = [[] for _ in range(count)] if start < len(sheet.rows) else []
        sheet.row_count += count
    else:
        for line in sheet.rows:
            if start < len(line):
                line[start:start] = [""] * count
        sheet.column_count += count
