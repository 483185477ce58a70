"""``salesos import``: refusals as one line on stderr, the summary, the rejected rows file, exit codes."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from typer.testing import CliRunner

from salesos.cli import app
from tests.imports.helpers import PNG, org_slug, xlsx

MIXED = (
    b"Company,Email,Phone\n"
    b"Good Co,good@good.example,+1 212 555 0100\n"
    b",nobody@x.example,\n"  # no company: rejected
    b"Bad Mail,not-an-email,'+1 415 555 0132\n"  # rejected; the phone was escaped by a spreadsheet
    b",,\n"  # empty: skipped
)


def _import(path: Path, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, ["import", str(path), *args])


def _rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty or has no header row."),
        (PNG, "This is not a CSV file (it looks like binary data). Export the sheet as CSV and upload that."),
        (xlsx(), "This is an Excel workbook, not a CSV file: in Excel, choose File → Save As → “CSV UTF-8”, "
                  "and upload that file."),
        (b"Email\nann@x.example\n", "Can't map the columns automatically: Map a column to Company name."),
    ],
    ids=["empty", "png", "xlsx", "no-company"],
)  # fmt: skip
def test_a_file_that_cant_be_imported_is_one_line_on_stderr(world, tmp_path, content, message):
    path = tmp_path / "leads.csv"
    path.write_bytes(content)
    result = _import(path, "--org", org_slug(world.alice.org_id))
    assert result.exit_code == 1
    # Exit, not the domain error escaping as a traceback.
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.stderr == message + "\n" and result.stdout == ""


def test_the_other_refusals_are_one_line_on_stderr_too(world, tmp_path):
    path = tmp_path / "leads.csv"
    path.write_bytes(MIXED)
    slug = org_slug(world.alice.org_id)
    for args, message in (
        (["--org", "no-such-org"], "No organisation with slug 'no-such-org'."),
        (["--org", slug, "--owner", "bob"], "--owner takes a member's email."),
        (
            ["--org", slug, "--pipeline", "Nope"],
            "No pipeline is called 'Nope' (the pipelines: Sales, Acme Alpha Renewals).",
        ),
    ):
        result = _import(path, *args)
        assert (result.exit_code, result.stderr.count("\n")) == (1, 1), result.output
        assert result.stderr.strip() == message and isinstance(result.exception, SystemExit)


def test_the_summary_counts_skipped_rows_and_the_rejected_rows_go_next_to_the_file(world, tmp_path):
    path = tmp_path / "leads.csv"
    path.write_bytes(MIXED)
    result = _import(path, "--org", org_slug(world.alice.org_id))
    assert result.exit_code == 0, result.output
    summary = " ".join(result.stdout.split())
    assert "1 created, 0 merged, 2 rejected, 1 skipped (empty) of 4 rows." in summary
    rejects = tmp_path / "leads.rejected.csv"
    assert f"The rejected rows, each with the reason, are in {rejects}." in summary
    rows = _rows(rejects)
    assert rows[0] == ["row", "reason", "Company", "Email", "Phone"]
    assert [(r[0], r[1].split(":")[0]) for r in rows[1:]] == [("2", "Company name"), ("3", "Email")]
    # Fixed there, the file imports as it is (the phone's apostrophe is the spreadsheet escape).
    rows[2][3] = "bad@mail.example"
    with rejects.open("w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows(rows[:1] + rows[2:])
    again = _import(rejects, "--org", org_slug(world.alice.org_id))
    assert again.exit_code == 0 and "1 created, 0 merged, 0 rejected" in " ".join(again.stdout.split())
    assert not (tmp_path / "leads.rejected.rejected.csv").exists()  # nothing rejected, nothing written


def test_rejects_option_chooses_the_file(world, tmp_path):
    path = tmp_path / "leads.csv"
    path.write_bytes(MIXED)
    chosen = tmp_path / "out" / "bad.csv"
    chosen.parent.mkdir()
    result = _import(path, "--org", org_slug(world.alice.org_id), "--rejects", str(chosen))
    assert result.exit_code == 0, result.output
    assert len(_rows(chosen)) == 3 and not (tmp_path / "leads.rejected.csv").exists()
    help_text = " ".join(CliRunner().invoke(app, ["import", "--help"]).output.split())
    assert "--rejects" in help_text and "leads.rejected.csv" in help_text


def test_no_row_got_in_is_a_failure(world, tmp_path):
    path = tmp_path / "leads.csv"
    path.write_bytes(b"Company,Email\n,a@x.example\nBad,not-an-email\n,,\n")
    result = _import(path, "--org", org_slug(world.alice.org_id))
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert result.stderr == "No row of leads.csv was imported: all 2 non-empty rows were rejected.\n"
    assert len(_rows(tmp_path / "leads.rejected.csv")) == 3
    # A file of nothing but empty rows is no failure: nothing was refused.
    path.write_bytes(b"Company,Email\n,\n")
    assert _import(path, "--org", org_slug(world.alice.org_id)).exit_code == 0
