"""`python -m bot report <name>`: what every report command does alike — an empty range, the dates it
refuses — run over each of `bot.reports.cli.REPORTS`, so a new report is covered as soon as it is
listed. What a report finds and prints is tested in its own tests/test_report_<name>.py."""

from __future__ import annotations

import csv

import pytest

from bot.__main__ import main
from bot.reports.cli import REPORTS
from bot.reports.command import ReportCommand

each_report = pytest.mark.parametrize("command", REPORTS, ids=[command.name for command in REPORTS])


@each_report
def test_an_empty_store_says_so_and_succeeds(command: ReportCommand, database_url, capsys):
    assert main(["report", command.name]) == 0
    assert capsys.readouterr().out == f"{command.nothing} in this range (all dates)\n"


@each_report
@pytest.mark.parametrize(
    ("dates", "span"),
    [
        (["--from", "2026-01-01", "--to", "2026-01-31"], "from 2026-01-01 to 2026-01-31 (UTC)"),
        (["--from", "2026-01-01"], "from 2026-01-01 (UTC)"),
        (["--to", "2026-01-31"], "up to 2026-01-31 (UTC)"),
    ],
    ids=["from-to", "from", "to"],
)
def test_an_empty_range_writes_a_csv_of_just_the_headers(
    command: ReportCommand, dates, span, database_url, tmp_path, capsys
):
    export = tmp_path / "vacio.csv"
    assert main(["report", command.name, *dates, "--csv", str(export)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"{command.nothing} in this range ({span})",
        f"wrote {export}",
    ]
    with open(export, encoding="utf-8", newline="") as handle:
        assert list(csv.reader(handle)) == [list(command.csv_headers)]


@pytest.mark.parametrize(
    ("name", "nothing"),
    [
        ("agents", "no cases"),
        ("bottlenecks", "no cases"),
        ("csat", "no surveys"),
        ("sla", "no cases"),
        ("teams", "no cases"),
        ("volume", "no cases"),
    ],
)
def test_each_report_says_what_it_did_not_find(name, nothing):
    assert {command.name: command.nothing for command in REPORTS}[name] == nothing


@each_report
def test_from_after_to_is_refused_with_exit_code_2(command: ReportCommand, database_url, capsys):
    assert main(["report", command.name, "--from", "2026-02-01", "--to", "2026-01-01"]) == 2
    refused = capsys.readouterr()
    assert "error: --from 2026-02-01 is after --to 2026-01-01" in refused.err
    assert refused.out == ""


@each_report
@pytest.mark.parametrize(
    "dates",
    [["--from", "31/01/2026"], ["--to", "31/01/2026"], ["--from", "2026-02-30"], ["--to", "2026-13-01"]],
    ids=["from-day-first", "to-day-first", "no-such-day", "no-such-month"],
)
def test_an_invalid_date_is_an_argparse_error(command: ReportCommand, dates, database_url, capsys):
    with pytest.raises(SystemExit) as refused:
        main(["report", command.name, *dates])
    assert refused.value.code == 2
    assert f"invalid date '{dates[1]}': use YYYY-MM-DD" in capsys.readouterr().err


def test_a_report_must_be_named(database_url, capsys):
    with pytest.raises(SystemExit) as refused:
        main(["report"])
    assert refused.value.code == 2
    assert "the following arguments are required: report" in capsys.readouterr().err
