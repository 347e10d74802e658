"""The tickets REST API: contracts, roles, foreign ids, pagination and query counts."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sladesk.accounts.actor import Actor
from sladesk.accounts.services import api_token_create
from sladesk.tickets.services import ticket_note, ticket_reply
from tests.accounts.factories import make_contact
from tests.tickets.conftest import open_ticket

pytestmark = pytest.mark.django_db


def token(who, scopes=("read", "write")):
    _, secret = api_token_create(user=who.user, actor=Actor.cli(), scopes=scopes)
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


class Api:
    def __init__(self, client, who=None, scopes=("read", "write")):
        self.client = client
        self.headers = token(who, scopes) if who is not None else {}

    def get(self, path, **params):
        return self.client.get(f"/api{path}", params, **self.headers)

    def post(self, path, body=None):
        return self.client.post(
            f"/api{path}", json.dumps(body or {}), content_type="application/json", **self.headers
        )

    def upload(self, path, name, data, **fields):
        return self.client.post(
            f"/api{path}", {"file": SimpleUploadedFile(name, data), **fields}, **self.headers
        )


def error(response):
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    return body["error"]["code"]


NEW = {
    "subject": "Search is slow",
    "description": "Significant performance degradation: search takes 30 s for every user.",
    "severity": "L2",
    "category": "performance",
}


class TestCreate:
    def test_contact_opens_ticket(self, client, world):
        response = Api(client, world.gus).post(
            "/tickets", {**NEW, "environment_id": world.globex_prod.pk}
        )
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["plan"] == "enterprise" and body["requester"]["email"] == world.gus.email
        assert body["clocks"][0]["kind"] == "first_response"
        assert body["suggested_severity"] is None  # triage suggestions are for agents
        assert body["channel"] == "api"

    def test_agent_opens_for_contact(self, client, world):
        response = Api(client, world.engineer).post(
            "/tickets", {**NEW, "requester_email": world.gus.email}
        )
        assert response.status_code == 201
        assert response.json()["suggested_severity"] == "L2"

    def test_contact_cannot_open_for_someone_else(self, client, world):
        response = Api(client, world.gus).post(
            "/tickets", {**NEW, "requester_email": "boss@globex.example"}
        )
        assert response.status_code == 422 and error(response) == "requester_not_self"

    def test_door_refusal_has_its_code(self, client, world):
        response = Api(client, world.peter).post(
            "/tickets", {**NEW, "environment_id": world.globex_prod.pk}
        )
        assert response.status_code == 403
        assert error(response) == "environment_other_organisation"

    def test_door_refusal_hides_agent_flags_from_contacts(self, client, world):
        response = Api(client, world.maria).post("/tickets", {**NEW, "environment_id": 999999})
        assert response.status_code == 403 and error(response) == "unknown_environment"
        body = response.json()["error"]
        assert "flags" not in body["details"]
        assert [r["code"] for r in body["details"]["reasons"]] == ["unknown_environment"]
        assert "senior support" not in json.dumps(body)

    def test_door_refusal_keeps_agent_flags_for_agents(self, client, world):
        response = Api(client, world.engineer).post(
            "/tickets", {**NEW, "requester_email": world.maria.email, "environment_id": 999999}
        )
        assert response.status_code == 403 and error(response) == "unknown_environment"
        flags = [f["code"] for f in response.json()["error"]["details"]["flags"]]
        assert "senior_routing" in flags

    def test_invalid_input_shape(self, client, world):
        response = Api(client, world.gus).post("/tickets", {"subject": "x"})
        assert response.status_code == 422 and error(response) == "invalid_input"

    def test_unknown_field_is_refused(self, client, world):
        response = Api(client, world.gus).post("/tickets", {**NEW, "organisation_id": 1})
        assert response.status_code == 422 and error(response) == "invalid_input"
        body = response.json()["error"]
        assert "organisation_id" in body["message"]
        assert any(f["loc"][-1] == "organisation_id" for f in body["details"]["fields"])

    def test_every_validation_error_is_listed(self, client, world):
        response = Api(client, world.gus).post(
            "/tickets", {"subject": "x", "severity": "L2", "category": "performance", "bogus": 1}
        )
        assert response.status_code == 422 and error(response) == "invalid_input"
        body = response.json()["error"]
        locs = {f["loc"][-1] for f in body["details"]["fields"]}
        assert {"description", "bogus"} <= locs
        assert body["message"].startswith(".".join(body["details"]["fields"][0]["loc"][1:]) + ":")

    def test_domain_validation(self, client, world):
        response = Api(client, world.gus).post("/tickets", {**NEW, "severity": "L9"})
        assert response.status_code == 422 and error(response) == "unknown_severity"


class TestList:
    def test_contacts_see_only_their_organisation(self, client, world):
        mine = open_ticket(world.gus)
        open_ticket(world.maria, environment=world.acme_prod)
        ids = [t["id"] for t in Api(client, world.gus).get("/tickets").json()["items"]]
        assert ids == [mine.pk]
        foreign = (
            Api(client, world.gus).get("/tickets", organisation=world.premier.pk).json()["items"]
        )
        assert foreign == []

    def test_agents_filter_and_sort(self, client, world):
        a = open_ticket(world.gus, severity="L4")
        b = open_ticket(world.maria, severity="L1", environment=world.acme_prod)
        c = open_ticket(world.gus, severity="L2")
        api = Api(client, world.engineer)
        assert [t["id"] for t in api.get("/tickets", sort="due").json()["items"]] == [
            b.pk,
            c.pk,
            a.pk,
        ]
        assert [t["id"] for t in api.get("/tickets", sort="severity").json()["items"]] == [
            b.pk,
            c.pk,
            a.pk,
        ]
        assert [t["id"] for t in api.get("/tickets", sort="-severity").json()["items"]] == [
            a.pk,
            c.pk,
            b.pk,
        ]
        assert [t["id"] for t in api.get("/tickets", team="senior").json()["items"]] == [b.pk]
        assert {t["id"] for t in api.get("/tickets", plan="enterprise").json()["items"]} == {
            a.pk,
            c.pk,
        }
        assert {
            t["id"] for t in api.get("/tickets", organisation=world.premier.pk).json()["items"]
        } == {b.pk}
        assert {
            t["id"] for t in api.get("/tickets", assignee=world.engineer.pk).json()["items"]
        } == {a.pk, c.pk}
        assert {t["id"] for t in api.get("/tickets", severity=["L1", "L4"]).json()["items"]} == {
            a.pk,
            b.pk,
        }
        assert {t["id"] for t in api.get("/tickets", status="new").json()["items"]} == {
            a.pk,
            b.pk,
            c.pk,
        }
        assert api.get("/tickets", assignee="none").json()["items"] == []

    def test_breached_filter(self, client, world):
        late = open_ticket(
            world.maria,
            severity="L1",
            environment=world.acme_prod,
            now=dt.datetime.now(dt.UTC) - dt.timedelta(hours=2),
        )
        fresh = open_ticket(
            world.maria, severity="L1", environment=world.acme_prod, now=dt.datetime.now(dt.UTC)
        )
        api = Api(client, world.senior)
        assert [t["id"] for t in api.get("/tickets", breached="true").json()["items"]] == [late.pk]
        assert [t["id"] for t in api.get("/tickets", breached="false").json()["items"]] == [
            fresh.pk
        ]
        assert api.get(f"/tickets/{late.pk}").json()["breached"] is True

    def test_cursor_walks_every_ticket_once(self, client, world):
        made = [
            open_ticket(world.gus, severity=s) for s in ("L4", "L2", "L3", "L1", "L2", "L4", "L3")
        ]
        api = Api(client, world.engineer)
        for sort in (
            "due",
            "-due",
            "severity",
            "-opened",
            "id",
            "team",
            "-assignee",
            "organisation",
            "plan",
            "-status",
        ):
            seen, cursor = [], None
            while True:
                params = {"sort": sort, "limit": 2, **({"cursor": cursor} if cursor else {})}
                page = api.get("/tickets", **params).json()
                seen += [t["id"] for t in page["items"]]
                cursor = page["next_cursor"]
                if cursor is None:
                    break
            assert sorted(seen) == sorted(t.pk for t in made) and len(seen) == len(made), sort

    @pytest.mark.parametrize(
        ("parameter", "value", "allowed"),
        [("status", "bogus", "waiting_on_customer"), ("severity", "L9", "L1")],
    )
    def test_unknown_filter_values_are_refused(self, client, world, parameter, value, allowed):
        open_ticket(world.gus)
        response = Api(client, world.engineer).get("/tickets", **{parameter: value})
        assert response.status_code == 422 and error(response) == "invalid_input"
        body = response.json()["error"]
        assert parameter in body["message"] and value in body["message"]
        assert allowed in body["message"]
        assert body["details"]["parameter"] == parameter
        assert body["details"]["unknown"] == [value]
        assert allowed in body["details"]["allowed"]

    def test_known_filter_values_still_filter(self, client, world):
        mine = open_ticket(world.gus, severity="L2")
        api = Api(client, world.engineer)
        ids = [t["id"] for t in api.get("/tickets", severity="L2", status="new").json()["items"]]
        assert ids == [mine.pk]

    def test_bad_cursor_sort_and_limit(self, client, world):
        api = Api(client, world.engineer)
        assert error(api.get("/tickets", cursor="nonsense")) == "invalid_cursor"
        assert error(api.get("/tickets", sort="colour")) == "invalid_sort"
        assert error(api.get("/tickets", limit=0)) == "invalid_input"

    def test_fixed_number_of_queries_whatever_the_page_size(self, client, world):
        for i in range(12):
            contact, env = (world.gus, world.globex_prod) if i % 2 else (world.maria, None)
            ticket = open_ticket(contact, environment=env)
            ticket_reply(ticket=ticket, body="hi", actor=world.actor(world.engineer))
        api = Api(client, world.engineer)
        api.get("/tickets", limit=1)  # the token's last use is recorded once a minute
        counts = []
        for limit in (2, 5, 12):
            with CaptureQueriesContext(connection) as queries:
                response = api.get("/tickets", limit=limit, team="support")
            assert response.status_code == 200
            counts.append(len(queries))
        assert counts[0] == counts[1] == counts[2], counts
        # The token (with its user and agent), the tickets page, their environments, clocks.
        assert counts[0] == 4

    def test_page_size_does_not_change_the_count(self, client, world, django_assert_num_queries):
        for _ in range(8):
            open_ticket(world.gus, environment=world.globex_prod)
        api = Api(client, world.engineer)
        api.get("/tickets", limit=1)
        for limit in (1, 8, 50):
            with django_assert_num_queries(4):
                api.get("/tickets", limit=limit, sort="due", open="true")


class TestConversation:
    def test_contacts_never_see_internal_notes(self, client, world):
        ticket = open_ticket(world.gus)
        ticket_note(ticket=ticket, body="SECRET note", actor=world.actor(world.engineer))
        ticket_reply(ticket=ticket, body="public answer", actor=world.actor(world.engineer))
        contact_view = Api(client, world.gus).get(f"/tickets/{ticket.pk}/messages").json()
        assert [m["visibility"] for m in contact_view] == ["public", "public"]
        assert "SECRET" not in json.dumps(contact_view)
        agent_view = Api(client, world.engineer).get(f"/tickets/{ticket.pk}/messages").json()
        assert [m["visibility"] for m in agent_view] == ["public", "internal", "public"]
        # Nor in the ticket itself, nor the attachments list.
        assert "SECRET" not in Api(client, world.gus).get(f"/tickets/{ticket.pk}").content.decode()

    def test_reply_and_note(self, client, world):
        ticket = open_ticket(world.gus)
        agent = Api(client, world.engineer)
        assert (
            agent.post(
                f"/tickets/{ticket.pk}/messages", {"body": "note", "internal": True}
            ).status_code
            == 201
        )
        assert agent.post(f"/tickets/{ticket.pk}/messages", {"body": "reply"}).status_code == 201
        contact = Api(client, world.gus)
        assert contact.post(f"/tickets/{ticket.pk}/messages", {"body": "thanks"}).status_code == 201
        response = contact.post(f"/tickets/{ticket.pk}/messages", {"body": "x", "internal": True})
        assert response.status_code == 403 and error(response) == "not_an_agent"

    def test_attachments_upload_download_and_internal(self, client, world, settings):
        ticket = open_ticket(world.gus)
        contact, agent = Api(client, world.gus), Api(client, world.engineer)
        response = contact.upload(
            f"/tickets/{ticket.pk}/attachments", "support-packet.zip", b"PK\x03\x04rest"
        )
        assert response.status_code == 201, response.content
        public = response.json()
        assert public["content_type"] == "application/zip" and len(public["sha256"]) == 64
        internal = agent.upload(
            f"/tickets/{ticket.pk}/attachments", "dump", b"\x7fELF", internal="true"
        ).json()
        assert internal["internal"] is True
        assert [a["id"] for a in contact.get(f"/tickets/{ticket.pk}/attachments").json()] == [
            public["id"]
        ]
        download = contact.get(f"/tickets/{ticket.pk}/attachments/{public['id']}")
        assert (
            download.status_code == 200
            and b"".join(download.streaming_content) == b"PK\x03\x04rest"
        )
        assert download["Content-Type"] == "application/zip"
        assert contact.get(f"/tickets/{ticket.pk}/attachments/{internal['id']}").status_code == 404
        assert agent.get(f"/tickets/{ticket.pk}/attachments/{internal['id']}").status_code == 200
        response = contact.upload(f"/tickets/{ticket.pk}/attachments", "x", b"x", internal="true")
        assert response.status_code == 403
        settings.SLADESK_MAX_ATTACHMENT_BYTES = 10
        response = contact.upload(f"/tickets/{ticket.pk}/attachments", "big.log", b"x" * 11)
        assert response.status_code == 413 and error(response) == "attachment_too_large"


class TestChanges:
    def test_clocks_with_explanations(self, client, world):
        ticket = open_ticket(world.gus, severity="L4", environment=world.globex_prod)
        clocks = Api(client, world.gus).get(f"/tickets/{ticket.pk}/clocks").json()
        first = clocks[0]
        assert first["kind"] == "first_response" and first["target"] == "next business day 17:00"
        assert sum(s["seconds"] for s in first["counted"]) == first["target_seconds"]
        assert any("windows counted" in line for line in first["text"])

    def test_severity_status_assignee(self, client, world):
        ticket = open_ticket(world.gus, severity="L3")
        agent = Api(client, world.engineer)
        response = agent.post(
            f"/tickets/{ticket.pk}/severity", {"severity": "L1", "reason": "outage"}
        )
        assert response.status_code == 200 and response.json()["severity"] == "L1"
        assert (
            error(agent.post(f"/tickets/{ticket.pk}/severity", {"severity": "L2", "reason": ""}))
            == "reason_required"
        )
        response = agent.post(f"/tickets/{ticket.pk}/status", {"status": "waiting_on_customer"})
        assert response.json()["status"] == "waiting_on_customer"
        response = agent.post(f"/tickets/{ticket.pk}/status", {"status": "closed"})
        assert response.status_code == 409 and error(response) == "invalid_transition"
        response = agent.post(f"/tickets/{ticket.pk}/assignee", {"agent_id": None})
        assert response.status_code == 200 and response.json()["assignee"] is None
        response = agent.post(
            f"/tickets/{ticket.pk}/assignee", {"agent_id": world.senior.pk, "team": "senior"}
        )
        assert response.json()["team"] == "senior"
        events = agent.get(f"/tickets/{ticket.pk}/events").json()
        severity = next(e for e in events if e["kind"] == "severity_set")
        assert severity["data"]["rule"] == "reapply_from_start"


def endpoints(ticket_id, attachment_id):
    """Every endpoint of the router: (method, path, body)."""
    t = ticket_id
    return [
        ("get", f"/tickets/{t}", None),
        ("get", f"/tickets/{t}/messages", None),
        ("post", f"/tickets/{t}/messages", {"body": "hi"}),
        ("get", f"/tickets/{t}/attachments", None),
        ("upload", f"/tickets/{t}/attachments", None),
        ("get", f"/tickets/{t}/attachments/{attachment_id}", None),
        ("get", f"/tickets/{t}/clocks", None),
        ("post", f"/tickets/{t}/severity", {"severity": "L1", "reason": "x"}),
        ("post", f"/tickets/{t}/status", {"status": "waiting_on_engineering"}),
        ("post", f"/tickets/{t}/assignee", {"agent_id": None}),
        ("get", f"/tickets/{t}/events", None),
    ]


def call(api, method, path, body):
    if method == "upload":
        return api.upload(path, "a.txt", b"hello")
    return api.get(path) if method == "get" else api.post(path, body)


AGENT_ONLY = {"severity", "status", "assignee", "events"}


class TestEveryEndpointByRole:
    def test_foreign_ids_are_not_found_for_contacts(self, client, world):
        theirs = open_ticket(world.maria, environment=world.acme_prod)
        attachment = ticket_reply(ticket=theirs, body="x", actor=world.actor(world.maria))
        import io

        from sladesk.tickets.services import Upload, attachment_add

        att = attachment_add(
            ticket=theirs, upload=Upload(io.BytesIO(b"x"), "x.txt"), actor=world.actor(world.maria)
        )
        api = Api(client, world.gus)
        for method, path, body in endpoints(theirs.pk, att.pk):
            response = call(api, method, path, body)
            assert response.status_code == 404, (method, path, response.content)
            assert error(response) == "not_found"
        assert attachment.pk

    def test_missing_ids_are_not_found_for_agents(self, client, world):
        api = Api(client, world.engineer)
        for method, path, body in endpoints(999999, 999999):
            response = call(api, method, path, body)
            assert response.status_code == 404, (method, path)

    def test_contacts_on_own_ticket(self, client, world):
        mine = open_ticket(world.gus)
        colleague = make_contact(world.enterprise, "gina")
        import io

        from sladesk.tickets.services import Upload, attachment_add

        att = attachment_add(
            ticket=mine, upload=Upload(io.BytesIO(b"x"), "x.txt"), actor=world.actor(world.gus)
        )
        api = Api(client, colleague)
        for method, path, body in endpoints(mine.pk, att.pk):
            response = call(api, method, path, body)
            kind = path.split("/")[3] if path.count("/") >= 3 else ""
            if kind == "status":  # contacts may only mark solved (tested below)
                assert response.status_code == 403, path
                assert error(response) == "contacts_may_only_solve", path
            elif kind in AGENT_ONLY:
                assert response.status_code == 403 and error(response) == "not_an_agent", path
            else:
                assert response.status_code in (200, 201), (method, path, response.content)

    @pytest.mark.parametrize(
        "role", ["support_engineer", "senior_support_engineer", "support_manager", "administrator"]
    )
    def test_agents_everywhere(self, client, world, role):
        from tests.accounts.factories import make_agent

        who = make_agent(role, teams=["support"])
        ticket = open_ticket(world.gus)
        import io

        from sladesk.tickets.services import Upload, attachment_add

        att = attachment_add(
            ticket=ticket, upload=Upload(io.BytesIO(b"x"), "x.txt"), actor=world.actor(world.gus)
        )
        api = Api(client, who)
        for method, path, body in endpoints(ticket.pk, att.pk):
            response = call(api, method, path, body)
            assert response.status_code in (200, 201), (role, method, path, response.content)

    def test_unauthenticated_everywhere(self, client, world):
        ticket = open_ticket(world.gus)
        api = Api(client)
        for method, path, body in [
            *endpoints(ticket.pk, 1),
            ("get", "/tickets", None),
            ("post", "/tickets", NEW),
        ]:
            response = call(api, method, path, body)
            assert response.status_code == 401 and error(response) == "unauthenticated", path

    def test_read_only_token_cannot_write(self, client, world):
        ticket = open_ticket(world.gus)
        api = Api(client, world.engineer, scopes=("read",))
        for method, path, body in [*endpoints(ticket.pk, 1), ("post", "/tickets", NEW)]:
            if method == "get":
                continue
            response = call(api, method, path, body)
            assert response.status_code == 403 and error(response) == "scope_missing", path


class TestShapes:
    def test_flags_for_agents_only_are_hidden_from_contacts(self, client, world):
        ticket = open_ticket(
            world.gus, description="Our Bitnami image fails to start since this morning."
        )
        contact = {
            f["code"] for f in Api(client, world.gus).get(f"/tickets/{ticket.pk}").json()["flags"]
        }
        agent = {
            f["code"]
            for f in Api(client, world.engineer).get(f"/tickets/{ticket.pk}").json()["flags"]
        }
        assert "third_party" in contact and "environment_unknown" not in contact
        assert {"third_party", "environment_unknown"} <= agent

    def test_openapi_documents_the_router(self, client, world):
        schema = client.get("/api/openapi.json").json()
        assert "/api/tickets/{ticket_id}/clocks" in schema["paths"]
        assert "ErrorOut" in json.dumps(schema["paths"]["/api/tickets"])


class TestApiRefusals:
    def test_unknown_message_agent_team_and_assignee_filter(self, client, world):
        ticket = open_ticket(world.gus)
        agent = Api(client, world.engineer)
        response = agent.upload(
            f"/tickets/{ticket.pk}/attachments", "a.txt", b"x", message_id="999999"
        )
        assert response.status_code == 404 and error(response) == "not_found"
        response = agent.post(f"/tickets/{ticket.pk}/assignee", {"agent_id": 999999})
        assert (
            response.status_code == 404 and response.json()["error"]["details"]["type"] == "agent"
        )
        response = agent.post(f"/tickets/{ticket.pk}/assignee", {"agent_id": None, "team": "nope"})
        assert response.status_code == 404 and response.json()["error"]["details"]["type"] == "team"
        assert error(agent.get("/tickets", assignee="bob")) == "invalid_input"

    def test_contact_cannot_attach_to_internal_note(self, client, world):
        ticket = open_ticket(world.gus)
        note = ticket_note(ticket=ticket, body="n", actor=world.actor(world.engineer))
        response = Api(client, world.gus).upload(
            f"/tickets/{ticket.pk}/attachments", "a.txt", b"x", message_id=str(note.pk)
        )
        assert response.status_code == 404

    def test_assignee_me(self, client, world):
        mine = open_ticket(world.gus)
        open_ticket(world.maria, environment=world.acme_prod)
        ids = [
            t["id"]
            for t in Api(client, world.engineer).get("/tickets", assignee="me").json()["items"]
        ]
        assert ids == [mine.pk]


def test_a_misspelt_list_filter_is_refused_not_ignored(client, world):
    response = Api(client, world.engineer).get("/tickets", staus="open")
    assert response.status_code == 422 and error(response) == "invalid_input"
    assert response.json()["error"]["details"]["unknown"] == ["staus"]
    assert "status" in response.json()["error"]["details"]["known"]


def test_a_contact_marks_their_ticket_solved_through_the_api(client, world):
    ticket = open_ticket(world.gus)
    response = Api(client, world.gus).post(f"/tickets/{ticket.pk}/status", {"status": "solved"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "solved"
    again = Api(client, world.gus).post(f"/tickets/{ticket.pk}/status", {"status": "open"})
    assert again.status_code == 403 and error(again) == "contacts_may_only_solve"


def test_an_oversized_upload_is_skipped_while_it_arrives_and_refused_by_name(
    client, world, settings
):
    """The upload handler drops the file as soon as it passes the limit (nothing stored)."""
    settings.SLADESK_MAX_ATTACHMENT_BYTES = 100_000
    ticket = open_ticket(world.gus)
    api = Api(client, world.gus)
    response = api.upload(f"/tickets/{ticket.pk}/attachments", "heap.dump", b"\0" * 3_000_000)
    assert response.status_code == 413 and error(response) == "attachment_too_large"
    body = response.json()["error"]
    assert "heap.dump" in body["message"] and "100,000-byte limit" in body["message"]
    assert body["details"] == {"files": ["heap.dump"], "limit_bytes": 100_000}
    assert ticket.attachments.count() == 0
    small = api.upload(f"/tickets/{ticket.pk}/attachments", "server.log", b"ok\n" * 1000)
    assert small.status_code == 201
