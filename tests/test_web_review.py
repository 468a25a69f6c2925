"""The review screen for a whole document: every field on one form, the ones to review first;
one save per document, checked against the rules the run applies before anything is written."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from digitize.config import load_config
from digitize.web.app import create_app
from digitize.web.site import Site
from tests.conftest import Env
from tests.desk import Desk, prepare_desk


@pytest.fixture(scope="module")
def desk(cli_env: Env, tmp_path_factory: pytest.TempPathFactory) -> Desk:
    return prepare_desk(cli_env, tmp_path_factory.mktemp("review"))


def _client(desk: Desk) -> tuple[TestClient, Site]:
    site = Site(load_config(desk.config), [desk.out], 200)
    return TestClient(create_app(site, None), base_url="http://127.0.0.1",
                      follow_redirects=False), site


def test_one_screen_holds_every_field_the_ones_to_review_first(desk: Desk) -> None:
    client, _site = _client(desk)
    queue = client.get("/review").text
    links = re.findall(r'href="(/review/0/[^"]+/\d+)"', queue)
    assert links, queue
    doc = desk.record["documents"][int(links[0].rsplit("/", 1)[1])]
    page = client.get(links[0]).text
    names = re.findall(r'name="f:(\w+)"', page)
    flagged = list(dict.fromkeys(n.split(":", 1)[0] for n in doc["review"]))
    assert names[:len(flagged)] == flagged  # the ones to review first, marked
    assert page.count('class="field to-review') == len(flagged)
    assert set(names) >= {k for k in doc["metadata"] if k in ("subject", "issuer", "number")}
    assert page.count('id="page"') == 1 and 'src="/static/review.js"' in page


def test_an_invalid_correction_is_refused_in_the_form_and_nothing_is_written(
        desk: Desk) -> None:
    client, site = _client(desk)
    rid = desk.record["id"]
    n = next(i for i, d in enumerate(desk.record["documents"]) if d["doc_kind"] == "van_ban")
    url = f"/review/0/{rid}/{n}"
    token = client.get(url).text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    overrides = desk.out / ".overrides" / f"{rid}.toml"
    before = overrides.read_bytes() if overrides.exists() else None
    res = client.post(url, data={"csrf": token, "f:symbol": "QĐ-" + "X" * 60})
    assert res.status_code == 400
    said = res.text.split('id="problem-symbol">', 1)[1].split("</small>", 1)[0]
    assert "50" in said and "Ký hiệu" in said, said
    assert "QĐ-" + "X" * 60 in res.text  # the clerk's value is kept in the form to correct
    assert (overrides.read_bytes() if overrides.exists() else None) == before
    assert not site.jobs.jobs  # and nothing runs again
    res = client.post(url, data={"csrf": token, "f:issued_date": "31/02/2026"})
    assert res.status_code == 400 and 'id="problem-issued_date"' in res.text
    assert (overrides.read_bytes() if overrides.exists() else None) == before
