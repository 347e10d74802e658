"""``/api/notifications``: my in-app list and marking read; nobody else's."""

from __future__ import annotations

import pytest

from sladesk.notifications.models import Notification
from sladesk.notifications.services import notification_enqueue, notifications_deliver_due
from tests.accounts.factories import NOW, make_agent, make_token
from tests.api.conftest import Api, error


@pytest.fixture
def api_as(client):
    def make(user, *scopes):
        return Api(client, make_token(user, *(scopes or ("read", "write"))))

    return make


def deliver(user, n, *, prefix="n"):
    for i in range(n):
        notification_enqueue(
            channel="in_app",
            kind="sla.warning",
            dedupe_key=f"{prefix}{user.pk}:{i}",
            payload={"text": f"warning {i}", "ticket_id": i},
            now=NOW,
            recipient=user,
        )
    notifications_deliver_due(now=NOW)


@pytest.mark.django_db
class TestNotificationsApi:
    def test_list_mine_newest_first_with_unread_count(self, api_as):
        ada, bob = make_agent(name="Ada"), make_agent(name="Bob")
        deliver(ada.user, 3)
        deliver(bob.user, 2)
        body = api_as(ada.user).get("/notifications").json()
        assert [n["payload"]["text"] for n in body["items"]] == [
            "warning 2",
            "warning 1",
            "warning 0",
        ]
        assert body["unread"] == 3 and body["next_cursor"] is None
        assert {n["kind"] for n in body["items"]} == {"sla.warning"}

    def test_cursor_pages(self, api_as):
        ada = make_agent(name="Ada")
        deliver(ada.user, 5)
        api = api_as(ada.user)
        first = api.get("/notifications", limit=2).json()
        second = api.get("/notifications", limit=2, cursor=first["next_cursor"]).json()
        third = api.get("/notifications", limit=2, cursor=second["next_cursor"]).json()
        ids = [n["id"] for page in (first, second, third) for n in page["items"]]
        assert len(ids) == len(set(ids)) == 5 and third["next_cursor"] is None
        assert error(api.get("/notifications", limit=0), 422) == "invalid_input"
        assert error(api.get("/notifications", cursor="nonsense"), 422) == "invalid_cursor"

    def test_mark_read_some_or_all_and_never_others(self, api_as):
        ada, bob = make_agent(name="Ada"), make_agent(name="Bob")
        deliver(ada.user, 3)
        deliver(bob.user, 1)
        api = api_as(ada.user)
        ids = [n["id"] for n in api.get("/notifications").json()["items"]]
        bobs = Notification.objects.get(recipient=bob.user).pk
        answer = api.post("/notifications/read", {"ids": [ids[0], bobs]}).json()
        assert answer == {"marked": 1, "unread": 2}
        assert Notification.objects.get(pk=bobs).read_at is None
        unread = api.get("/notifications", unread="true").json()
        assert [n["id"] for n in unread["items"]] == ids[1:]
        assert api.post("/notifications/read", {}).json() == {"marked": 2, "unread": 0}

    def test_scopes_and_authentication(self, api_as, client):
        ada = make_agent(name="Ada")
        reader = api_as(ada.user, "read")
        assert reader.get("/notifications").status_code == 200
        assert error(reader.post("/notifications/read", {}), 403) == "scope_missing"
        assert error(Api(client, None).get("/notifications"), 401) == "unauthenticated"

    def test_pending_and_dead_are_not_listed(self, api_as):
        ada = make_agent(name="Ada")
        notification_enqueue(
            channel="in_app",
            kind="sla.breach",
            dedupe_key="later",
            payload={},
            now=NOW,
            recipient=ada.user,
        )
        assert api_as(ada.user).get("/notifications").json()["items"] == []
