"""``ticket_diagnostics`` and ``facts_at_a_glance``: what the console, portal and API read."""

from __future__ import annotations

import pytest

from sladesk.packets.selectors import facts_at_a_glance, ticket_diagnostics
from tests.packets.diagnostics import PACKET_NAME, analysis_row, attach, cluster_packet
from tests.tickets.conftest import World, catalogue, open_ticket  # noqa: F401

pytestmark = pytest.mark.django_db

#: A file the attachment filter passes untouched (no analysis of its own).
NOTES = b"Steps: open the app, click send, wait.\n"


@pytest.fixture
def world(db, catalogue):  # noqa: F811
    return World()


def titles(analysis) -> list[str]:
    return [f.title for f in analysis.findings.all()]


class TestTicketDiagnostics:
    def test_findings_come_most_severe_first_then_in_the_checks_order(self, world):
        ticket = open_ticket(world.maria)
        analysis_row(
            ticket,
            findings=[
                ("low", "low one", []),
                ("critical", "critical one", []),
                ("medium", "medium one", []),
                ("critical", "critical two", []),
                ("info", "info one", []),
                ("high", "high one", []),
            ],
        )
        [analysis] = ticket_diagnostics(ticket, include_internal=True)
        assert titles(analysis) == [
            "critical one",
            "critical two",
            "high one",
            "medium one",
            "low one",
            "info one",
        ]

    def test_newest_first_and_only_this_tickets(self, world):
        ticket = open_ticket(world.maria)
        other = open_ticket(world.gus)
        older = analysis_row(ticket, name="old.json")
        newer = analysis_row(ticket, name="new.json")
        analysis_row(other, name="theirs.json")
        rows = list(ticket_diagnostics(ticket, include_internal=True))
        assert rows == [newer, older]

    @pytest.mark.parametrize("count", [1, 5])
    def test_agents_read_any_number_of_analyses_in_two_queries(
        self, world, count, django_assert_num_queries
    ):
        ticket = open_ticket(world.maria)
        for n in range(count):
            analysis_row(
                ticket,
                name=f"config-{n}.json",
                findings=[("high", f"h{n}", [("a:1", "x")]), ("low", f"l{n}", [])],
            )
        with django_assert_num_queries(2):
            rows = list(ticket_diagnostics(ticket, include_internal=True))
            for row in rows:
                assert len(titles(row)) == 2
        assert len(rows) == count

    @pytest.mark.parametrize("count", [1, 5])
    def test_contacts_read_any_number_of_analyses_in_one_query(
        self, world, media, count, django_assert_num_queries
    ):
        ticket = open_ticket(world.maria)
        for n in range(count):
            attachment = attach(ticket, world.maria, NOTES, f"notes-{n}.txt")
            analysis_row(ticket, name=f"config-{n}.json", attachment=attachment)
        with django_assert_num_queries(1):
            rows = list(ticket_diagnostics(ticket, include_internal=False))
            assert [r.redaction["total"] for r in rows] == [1] * count
        assert len(rows) == count

    def test_contacts_see_only_analyses_of_public_attachments_of_this_ticket(self, world, media):
        ticket = open_ticket(world.maria)
        public = attach(ticket, world.maria, cluster_packet(), PACKET_NAME)
        internal = attach(ticket, world.engineer, cluster_packet(), PACKET_NAME, internal=True)
        no_attachment = analysis_row(ticket, name="from-the-cli.json")
        elsewhere = attach(open_ticket(world.maria), world.maria, NOTES, "notes.txt")
        foreign = analysis_row(ticket, name="points-elsewhere.json", attachment=elsewhere)
        agents = {
            a.summary.get("attachment") for a in ticket_diagnostics(ticket, include_internal=True)
        }
        assert agents == {public.pk, internal.pk, None, elsewhere.pk}
        [shown] = ticket_diagnostics(ticket, include_internal=False)
        assert shown.summary["attachment"] == public.pk
        assert no_attachment != shown and foreign != shown


class TestFactsAtAGlance:
    def test_nodes_that_agree_are_one_value_and_nodes_that_differ_are_shown_apart(self):
        facts = [
            {
                "key": "database.type",
                "value": "postgres",
                "source": "n1/diagnostics.yaml:21",
                "node": "n1",
            },
            {
                "key": "server.version",
                "value": "11.7.9",
                "source": "n1/diagnostics.yaml:13",
                "node": "n1",
            },
            {
                "key": "database.type",
                "value": "postgres",
                "source": "n2/diagnostics.yaml:21",
                "node": "n2",
            },
            {
                "key": "server.version",
                "value": "11.6.1",
                "source": "n2/diagnostics.yaml:13",
                "node": "n2",
            },
            {"key": "config.unknown_thing", "value": 1, "source": "x:1", "node": ""},
        ]
        rows = {row.key: row for row in facts_at_a_glance(facts)}
        # in the glance order, unknown keys left to the full table
        assert list(rows) == ["server.version", "database.type"]
        assert rows["server.version"].label == "Server version"
        assert rows["server.version"].differs is True
        assert [(v.value, v.nodes, v.source) for v in rows["server.version"].values] == [
            ("11.7.9", ("n1",), "n1/diagnostics.yaml:13"),
            ("11.6.1", ("n2",), "n2/diagnostics.yaml:13"),
        ]
        assert rows["database.type"].differs is False
        assert rows["database.type"].values[0].nodes == ("n1", "n2")

    def test_a_packet_wide_fact_has_no_node(self):
        [row] = facts_at_a_glance(
            [{"key": "cluster.size", "value": 3, "source": "metadata.yaml:4", "node": ""}]
        )
        assert row.label == "Cluster nodes"
        assert row.values[0].value == 3 and row.values[0].nodes == ()
