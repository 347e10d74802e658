import pytest
from tests.accounts.factories import *
from sladesk.accounts.door import request_check

pytestmark = pytest.mark.django_db

def test_smoke(catalogue):
    org = make_org("Acme Corporation", domains=["acme.example"], plan="premier")
    c1 = make_contact(org, "maria.garcia")
    env = make_env(org, "prod", version="9.5.2")
    make_env(org, "staging", production=False)
    d = request_check(channel="email", at=NOW, requester_email="maria.garcia@acme.example", environment=env.pk)
    print(d)
    assert d.allowed
    d = request_check(channel="email", at=NOW, requester_email="joe@gmail.com")
    print(d.reasons)
    pro = make_org("Northwind", plan="professional")
    c = make_contact(pro)
    d = request_check(channel="email", at=NOW, requester_email=c.email)
    print(d.reasons)
    agent = make_agent("senior_support_engineer")
    print(agent, list(agent.teams.all()))
