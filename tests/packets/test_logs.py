"""Log reading: both timestamp layouts, plain text, bursts, line numbers, bounded memory."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from sladesk.packets.logs import LogReader, normalise_message, parse_log_time
from tests.packets import factory


def read(text: str, *, chunk: int = 0, **kwargs):
    reader = LogReader("mattermost.log", **kwargs)
    data = text.encode()
    if chunk:
        # whole lines per block, as StreamScrubber hands them on
        lines = data.splitlines(keepends=True)
        for i in range(0, len(lines), chunk):
            reader.feed(b"".join(lines[i : i + chunk]))
    else:
        reader.feed(data)
    return reader.close()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "2024-04-01 04:18:32.410 +09:00",
            dt.datetime(2024, 3, 31, 19, 18, 32, 410000, tzinfo=dt.UTC),
        ),
        ("2026-05-20 13:58:05.118 Z", dt.datetime(2026, 5, 20, 13, 58, 5, 118000, tzinfo=dt.UTC)),
        ("2025-01-15T14:32:01.123Z", dt.datetime(2025, 1, 15, 14, 32, 1, 123000, tzinfo=dt.UTC)),
        (
            "2020-04-12T23:41:46.351171+10:00",
            dt.datetime(2020, 4, 12, 13, 41, 46, 351171, tzinfo=dt.UTC),
        ),
    ],
)
def test_both_timestamp_layouts(text, expected):
    assert parse_log_time(text) == expected


def test_unparseable_timestamp_is_none():
    assert parse_log_time("yesterday") is None


def test_json_log_levels_and_bursts():
    summary = read(factory.log_text(errors=7))
    assert summary.format == "json"
    assert summary.lines == 18
    assert summary.levels["error"] == 9
    assert summary.levels["warn"] == 2
    assert summary.levels["debug"] == 4
    burst = summary.bursts[0]
    assert burst.message == "Failed to ping DB"
    assert burst.count == 7
    assert burst.first_line == 11
    assert burst.last_line == 17
    assert burst.first_time == "2026-05-20T14:01:00.902000+00:00"
    assert burst.last_time == "2026-05-20T14:01:06.902000+00:00"
    assert "connection refused" in burst.example


def test_blocks_give_the_same_answer_as_one_read():
    text = factory.log_text(errors=25)
    assert read(text) == read(text, chunk=3)


def test_messages_are_grouped_after_normalising_ids_and_numbers():
    assert normalise_message(
        "user 8fqk9rti13fmpxdd5934a3xsxh failed after 3 tries from 10.0.0.1:443"
    ) == ("user <id> failed after <n> tries from <ip>")


def test_group_count_is_bounded():
    lines = "".join(
        json.dumps(
            {
                "timestamp": "2026-05-20 13:00:00.000 Z",
                "level": "error",
                "msg": f"distinct message {chr(65 + i % 26)}{chr(65 + i // 26)}",
            }
        )
        + "\n"
        for i in range(300)
    )
    summary = read(lines, max_groups=10)
    assert len(summary.bursts) == 10
    assert summary.groups_dropped == 290


def test_plain_text_log():
    summary = read(factory.plain_log_text())
    assert summary.format == "plain"
    assert summary.levels == {"error": 2, "info": 1, "warn": 1}
    burst = summary.bursts[0]
    assert (burst.message, burst.count, burst.first_line, burst.last_line) == (
        "Failed to ping DB",
        2,
        1,
        4,
    )
    assert burst.first_time == "2020-04-12T13:41:46.351171+00:00"
    assert "connection refused" in burst.example


def test_lines_that_are_not_json_are_counted():
    summary = read('{"timestamp":"2026-05-20 13:00:00.000 Z","level":"info","msg":"a"}\nnot json\n')
    assert summary.unparsed_lines == 1
