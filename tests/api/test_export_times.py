"""The lead export writes times exactly as the JSON answers do (UTC, ``Z``): one instant, one spelling.

(Beside the API's other format checks; the export's own tests are in tests/leads/test_export.py.)
"""

from __future__ import annotations

import csv
import io

API = "/api/v1"


def test_export_times_read_as_the_json_answers_write_them(client, world):
    created = client.post(
        f"{API}/leads",
        json={"company": {"name": "Timed Co"}, "next_follow_up_at": "2027-01-01T10:00:00.123456+05:00"},
        headers=world.alice.headers,
    )
    assert created.status_code == 201, created.text
    lead = created.json()
    exported = client.get(f"{API}/leads/export.csv?q=timed co", headers=world.alice.headers)
    (row,) = csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig")))
    assert row["next_follow_up_at"] == lead["next_follow_up_at"] == "2027-01-01T05:00:00.123456Z"
    assert row["created_at"] == lead["created_at"] and row["created_at"].endswith("Z")
