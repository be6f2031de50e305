import json
from chalice.test import Client
from tests.factories import case_body, staff_token

def test_smoke(aws):
    from app import app
    with Client(app) as client:
        r = client.http.post("/cases", body=json.dumps(case_body()), headers={"Authorization": f"Bearer {staff_token('dispatcher')}", "Content-Type": "application/json"})
        print(r.status_code, r.body.decode()[:2000])
        assert r.status_code == 201
        created = json.loads(r.body)
        r = client.http.get(f"/cases/{created['caseId']}", headers={"Authorization": f"Bearer {created['parties'][0]['token']}"})
        print(r.status_code, r.body.decode()[:3000])
