import io
import json

from django.core.management import call_command


def run(text):
    out = io.StringIO()
    call_command("pii_scan", stdin=io.StringIO(text), stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_it_writes_one_json_object_per_line():
    assert run("田中花子さん ０９０−１２３４−５６７８\n\nお母さんと保健師さん\n") == [
        {
            "masked": "〔氏名〕さん 〔電話番号〕",
            "findings": [
                {"type": "person_name", "start": 0, "end": 4, "text": "田中花子"},
                {"type": "phone", "start": 7, "end": 20, "text": "０９０−１２３４−５６７８"},
            ],
        },
        {"masked": "", "findings": []},
        {"masked": "お母さんと保健師さん", "findings": []},
    ]


def test_it_reads_a_last_line_without_newline_and_windows_line_ends():
    assert run("a@example.jp\r\n〒123-4567") == [
        {
            "masked": "〔メール〕",
            "findings": [{"type": "email", "start": 0, "end": 12, "text": "a@example.jp"}],
        },
        {
            "masked": "〔郵便番号〕",
            "findings": [{"type": "postal_code", "start": 0, "end": 9, "text": "〒123-4567"}],
        },
    ]


def test_it_writes_japanese_as_is():
    out = io.StringIO()
    call_command("pii_scan", stdin=io.StringIO("田中さん\n"), stdout=out)
    assert "〔氏名〕" in out.getvalue()
