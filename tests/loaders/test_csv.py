"""loaders._csv: headed CSV rows with their line numbers, and a title line above the header."""

from pathlib import Path

import pytest

from loaders._csv import Row, read_rows
from ownergraph.errors import UnreadableFileError
from ownergraph.model import Reject, SourceFile


def _title(fields: list[str]) -> bool:
    return fields[:1] == ["Last Updated"]


def _rows(tmp_path: Path, text: str, **options: object) -> list[Row | Reject]:
    path = tmp_path / "list.csv"
    path.write_text(text, encoding="utf-8")
    return list(read_rows(SourceFile(path, "test"), **options))  # type: ignore[arg-type]


def test_a_title_line_above_the_header_is_skipped_and_lines_stay_physical(tmp_path: Path) -> None:
    text = "Last Updated,19/05/2024\r\nName,Group ID\r\nIvan,15001\r\nAl,15002\r\n"
    rows = _rows(tmp_path, text, required=("Group ID",), title=_title)
    assert [(row.line, row.get("Name"), row.get("Group ID")) for row in rows
            if isinstance(row, Row)] == [(3, "Ivan", "15001"), (4, "Al", "15002")]  # fmt: skip


def test_without_a_title_line_the_first_row_is_the_header(tmp_path: Path) -> None:
    rows = _rows(tmp_path, "Name,Group ID\r\nIvan,15001\r\n", title=_title)
    assert [(row.line, row.get("Name")) for row in rows if isinstance(row, Row)] == [(2, "Ivan")]


def test_without_the_option_a_title_line_is_taken_for_the_header(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFileError, match="lacks required column"):
        _rows(tmp_path, "Last Updated,19/05/2024\r\nName,Group ID\r\n", required=("Group ID",))


def test_a_file_with_only_a_title_line_has_no_header(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFileError, match="no header row"):
        _rows(tmp_path, "Last Updated,19/05/2024\r\n", title=_title)
