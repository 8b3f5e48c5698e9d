"""loaders._jsonstream: items of a top-level JSON array or of JSON lines, one at a time."""

import io
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loaders import _jsonstream
from loaders._jsonstream import JsonItem, JsonText, array_items, read_json_items
from ownergraph.errors import UnreadableFileError
from ownergraph.model import Reject, SourceFile


def _read(tmp_path: Path, text: str, name: str = "items.json") -> list[JsonItem | Reject]:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return list(read_json_items(SourceFile(path, "test")))


def _values(records: list[JsonItem | Reject]) -> list[object]:
    return [record.value for record in records if isinstance(record, JsonItem)]


def test_array_items_carry_the_line_they_start_on_and_their_json_path(tmp_path: Path) -> None:
    text = '[\n  {"a": 1},\n  {"b": [1, 2],\n   "c": "x"},\n  {"d": null}\n]\n'
    records = _read(tmp_path, text)
    assert [(r.value, r.line, r.location) for r in records if isinstance(r, JsonItem)] == [
        ({"a": 1}, 2, "$[0]"),
        ({"b": [1, 2], "c": "x"}, 3, "$[1]"),
        ({"d": None}, 5, "$[2]"),
    ]


def test_an_empty_array_has_no_items(tmp_path: Path) -> None:
    assert _read(tmp_path, " [ ] ") == []


def test_json_lines_keep_line_numbers_across_blank_lines_and_crlf(tmp_path: Path) -> None:
    text = '{"a": 1}\r\n\r\n{"b": "line\u2028separator inside"}\r\n{"c": 3}'
    records = _read(tmp_path, text, "items.jsonl")
    assert [(r.value, r.line) for r in records if isinstance(r, JsonItem)] == [
        ({"a": 1}, 1),
        ({"b": "line\u2028separator inside"}, 3),
        ({"c": 3}, 4),
    ]


def test_items_split_across_buffer_refills_are_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_jsonstream, "_CHUNK", 5)
    items = [
        12345678,
        {"quote": 'a "b" [c]', "n": 1.5e3},
        "ü€😀, ]",
        [True, False],
        {"deep": [[[]]]},
    ]
    assert _values(_read(tmp_path, json.dumps(items))) == items
    lines = "\n".join(json.dumps(item) for item in items if isinstance(item, dict))
    assert _values(_read(tmp_path, lines, "items.jsonl")) == [items[1], items[4]]


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=5), children, max_size=4),
    max_leaves=12,
)  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(
    items=st.lists(st.dictionaries(st.text(max_size=5), _JSON, max_size=4), max_size=8),
    chunk=st.integers(min_value=1, max_value=40),
    indent=st.sampled_from([None, 0, 2]),
)
def test_any_array_reads_as_json_loads_reads_it(
    items: list[dict[str, object]], chunk: int, indent: int | None
) -> None:
    text = json.dumps(items, indent=indent)
    reader = JsonText(io.StringIO(text[chunk:]), Path("items.json"), text[:chunk])
    original = _jsonstream._CHUNK
    _jsonstream._CHUNK = chunk
    try:
        records = list(array_items(reader))
    finally:
        _jsonstream._CHUNK = original
    assert _values(records) == json.loads(text)


def test_memory_holds_about_one_item_not_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_jsonstream, "_CHUNK", 256)
    item = json.dumps({"name": "x" * 200, "values": list(range(20))})
    text = "[" + ",\n".join([item] * 2000) + "]"
    reader = JsonText(io.StringIO(text[256:]), Path("items.json"), text[:256])
    largest = 0
    count = 0
    for record in array_items(reader):
        assert isinstance(record, JsonItem)
        largest = max(largest, len(reader.buffer))
        count += 1
    assert count == 2000
    assert largest < 4 * len(item) + 512 < len(text) // 100


def test_a_malformed_item_is_rejected_with_its_place_and_the_next_ones_are_read(
    tmp_path: Path,
) -> None:
    text = '[\n{"a": 1},\n{"b": "[not] {closed", "c": },\n{"d": 4}\n]'
    records = _read(tmp_path, text)
    assert _values(records) == [{"a": 1}, {"d": 4}]
    reject = records[1]
    assert isinstance(reject, Reject)
    assert (reject.line, reject.location) == (3, "$[1]")
    assert "not JSON" in reject.reason
    assert reject.raw == '{"b": "[not] {closed", "c": }'


def test_a_missing_comma_is_reported_and_both_items_are_kept(tmp_path: Path) -> None:
    records = _read(tmp_path, '[{"a": 1}\n{"b": 2}]')
    assert _values(records) == [{"a": 1}, {"b": 2}]
    assert [r.reason for r in records if isinstance(r, Reject)] == [
        "expected ',' or ']' after $[0]"
    ]


def test_a_truncated_array_keeps_its_items_and_reports_the_missing_end(tmp_path: Path) -> None:
    records = _read(tmp_path, '[{"a": 1},\n{"b": 2},\n')
    assert _values(records) == [{"a": 1}, {"b": 2}]
    assert isinstance(records[-1], Reject)
    assert "ends inside the array" in records[-1].reason


def test_an_item_that_never_ends_stops_the_reading(tmp_path: Path) -> None:
    records = _read(tmp_path, '[{"a": 1},\n{"b": {"c": 2}\n')
    assert _values(records) == [{"a": 1}]
    reject = records[-1]
    assert isinstance(reject, Reject)
    assert (reject.line, reject.location) == (2, "$[1]")
    assert "unterminated" in reject.reason
    assert len(records) == 2


def test_content_after_the_array_is_reported(tmp_path: Path) -> None:
    records = _read(tmp_path, '[{"a": 1}]\n{"b": 2}\n')
    assert _values(records) == [{"a": 1}]
    assert isinstance(records[-1], Reject)
    assert (records[-1].reason, records[-1].line) == ("content after the end of the array", 2)


def test_a_bad_json_line_is_rejected_with_its_line_and_the_rest_is_read(tmp_path: Path) -> None:
    records = _read(tmp_path, '{"a": 1}\n{"b": \n{"c": 3}\n', "items.jsonl")
    assert _values(records) == [{"a": 1}, {"c": 3}]
    reject = records[1]
    assert isinstance(reject, Reject)
    assert (reject.line, reject.raw) == (2, '{"b": ')


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty file"),
        ("   \n", "empty file"),
        ("CompanyName,CompanyNumber\n", "not JSON"),
        ('{\n  "records": []\n}\n', "not a JSON lines file"),
    ],
)
def test_a_file_that_is_not_json_items_is_unreadable(
    tmp_path: Path, text: str, reason: str
) -> None:
    with pytest.raises(UnreadableFileError, match=reason):
        _read(tmp_path, text)


def test_json_text_walks_a_nested_document_one_value_at_a_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_jsonstream, "_CHUNK", 3)
    text = JsonText(io.StringIO('{"records":\n [12345, {"a": "b"}]}'), Path("doc.json"))
    text.expect("{")
    assert text.value() == "records"
    text.expect(":")
    records = list(array_items(text))
    assert [(r.value, r.line, r.location) for r in records if isinstance(r, JsonItem)] == [
        (12345, 2, "$[0]"),
        ({"a": "b"}, 2, "$[1]"),
    ]
    text.expect("}")
    assert text.peek() == ""


def test_a_truncated_value_is_a_file_error_for_strict_reading() -> None:
    text = JsonText(io.StringIO('{"a": [1, 2'), Path("doc.json"))
    with pytest.raises(UnreadableFileError, match="malformed JSON at line 1: the file ends"):
        text.value()
