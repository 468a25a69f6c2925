"""The review screen for a whole document: every field on one form, the ones to review first;
one save per document, checked against the rules the run applies before anything is written."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from digitize.config import load_config
from digitize.web.site import Site
from tests.desk import Desk, desk_client, desk_site, site_client
from tests.webclient import csrf_of


def test_one_screen_holds_every_field_the_ones_to_review_first(desk: Desk) -> None:
    client = desk_client(desk)
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
    site = desk_site(desk)
    client = site_client(site)
    rid = desk.record["id"]
    n = next(i for i, d in enumerate(desk.record["documents"]) if d["doc_kind"] == "van_ban")
    url = f"/review/0/{rid}/{n}"
    token = csrf_of(client.get, url)
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


def test_the_queue_is_filtered_by_desk_day_and_field(desk: Desk, tmp_path: Path) -> None:
    """The queue across dossiers narrowed by a small form (desk, day, field), in Vietnamese;
    the filter goes with the clerk from the queue to each document and back."""
    out = tmp_path / "out"
    shutil.copytree(desk.out, out)
    record = out / desk.record["id"] / "dossier.json"
    data = json.loads(record.read_text(encoding="utf-8"))
    data["desk"] = "Một cửa xã"
    record.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    client = site_client(Site(load_config(desk.config), [out], 200))

    def queue(**params: str) -> tuple[list[int], str]:
        page = client.get("/review", params=params)
        assert page.status_code == 200
        return [int(n) for n in re.findall(r'href="/review/0/[^"?]+/(\d+)', page.text)], \
            page.text

    every, page = queue()
    assert every and 'id="queue-filter"' in page
    form = page.split('id="queue-filter"', 1)[1].split("</form>", 1)[0]
    assert '<option value="Một cửa xã"' in form and "Bộ phận" in form and "Ngày" in form
    assert 'value="number">Số của văn bản</option>' in form  # fields by their names
    day = data["finished"][:10]
    assert queue(desk="Một cửa xã", day=day)[0] == every
    assert queue(desk="Bộ phận khác")[0] == []
    assert queue(day="2000-01-01")[0] == []
    assert queue(day="không phải ngày")[0] == every  # no day, no filter
    numbered = [i for i, d in enumerate(data["documents"]) if d["status"] == "needs_review"
                and "number" in (r.split(":", 1)[0] for r in d["review"])]
    only, page = queue(field="number")
    assert only == numbered and len(only) < len(every)
    assert f"trong {len(every)} tài liệu" in page
    # The filter goes along: the document's "next" and its way back to the queue keep it.
    link = re.findall(r'href="(/review/0/[^"]+)"', page)[0].replace("&amp;", "&")
    assert link.endswith("?field=number")
    doc = client.get(link).text
    assert 'href="/review?field=number"' in doc
