#!/usr/bin/env python3
"""A short lifecycle with the client openapi-python-client generated from openapi/openapi.json.

usage: generated_client.py BASE_URL   (tokens in CLIENT_TOKEN_PLATFORM, _COMMERCIAL, _EVALUATOR
                                       (sub `eva`), _AUDITOR; the package `socval_client` on
                                       PYTHONPATH)

Tender, lot scheme, open, bids, close, evaluator, declaration, marks, run, award and its steps,
the OCDS export and the audit verification, each through the generated functions and models
alone: a field, parameter or response the document describes wrongly fails here.
"""
import datetime
import os
import sys

from socval_client import AuthenticatedClient
from socval_client.api.audit import verify_audit_chain
from socval_client.api.bids import submit_bid
from socval_client.api.evaluation import (assign_evaluator, award_lot, award_notice_published,
                                          award_summaries_sent, declare_conflicts, get_award,
                                          list_evaluations, put_mark, run_evaluation)
from socval_client.api.tenders import close_lot, create_tender, get_tender_ocds, open_lot, put_scheme
from socval_client.models import (AssignEvaluator, AwardInput, CreateBid, CreateTender, Declaration,
                                  MarkInput, NoticePublishedInput, OcdsReleasePackage, RunRequest, Scheme,
                                  SummariesSentInput)


def ok(response, status, what):
    if response.status_code != status:
        sys.exit(f"{what}: HTTP {response.status_code.value}, expected {status}: {response.content!r}")
    if response.parsed is None:
        sys.exit(f"{what}: the generated client could not read the answer: {response.content!r}")
    return response.parsed


def main(base):
    def client(role):
        return AuthenticatedClient(base_url=base, token=os.environ[f"CLIENT_TOKEN_{role}"])

    platform, commercial = client("PLATFORM"), client("COMMERCIAL")
    evaluator, auditor = client("EVALUATOR"), client("AUDITOR")

    tender = ok(create_tender.sync_detailed(client=platform, idempotency_key="client-1", body=CreateTender.from_dict({
        "title": "Facilities management", "buyer": "Department for Example",
        "authority_type": "central_government", "procurement_regime": "procurement_act_2023",
        "value": "1200000", "lots": [{"title": "North"}]})), 201, "create tender")
    tid, lid = tender.id, tender.lots[0].id
    ok(put_scheme.sync_detailed(tid, lid, client=platform, body=Scheme.from_dict({
        "authority_type": "central_government",
        "criteria": [
            {"id": "price", "type": "price", "weight": 60},
            {"id": "q1", "type": "quality", "weight": 30, "scale": {"min": 0, "max": 100}},
            {"id": "sv", "type": "social_value", "weight": 10, "outcome": "PPN002:1a",
             "method": "qualitative", "scale": {"min": 0, "max": 100}}]})), 200, "put scheme")
    ok(open_lot.sync_detailed(tid, lid, client=platform), 200, "open lot")
    bids = []
    for i, price in enumerate(["1000", "1200"]):
        bid = ok(submit_bid.sync_detailed(tid, lid, client=platform, body=CreateBid.from_dict({
            "supplier": {"name": f"Supplier {i}", "sme": i == 0, "vcse": False}, "price": price,
            "submitted_at": "2026-03-01T10:00:00Z"})), 201, "submit bid")
        bids.append(bid.id)
    ok(close_lot.sync_detailed(tid, lid, client=platform), 200, "close lot")
    ok(assign_evaluator.sync_detailed(tid, lid, client=commercial, body=AssignEvaluator.from_dict({"sub": "eva"})), 201, "assign evaluator")
    ok(declare_conflicts.sync_detailed(tid, lid, client=evaluator, body=Declaration.from_dict({"conflict": False, "details": "none"})), 201, "declare")
    for bid in bids:
        for criterion in ["q1", "sv"]:
            ok(put_mark.sync_detailed(tid, lid, bid, criterion, client=evaluator, body=MarkInput.from_dict(
                {"score": 50, "rationale": "evidence in section 3"})), 200, "mark")
    # The body is optional; the generated function sends its UNSET default as JSON, so pass one.
    run = ok(run_evaluation.sync_detailed(tid, lid, client=platform, body=RunRequest.from_dict({})), 201, "run")
    runs = ok(list_evaluations.sync_detailed(tid, lid, client=auditor, limit=1), 200, "list runs")
    assert [r.id for r in runs] == [run.id], runs
    award = ok(award_lot.sync_detailed(tid, lid, client=commercial, body=AwardInput.from_dict(
        {"evaluation_id": run.id, "note": "best value"})), 201, "award")
    assert award.next_step == "assessment_summaries_sent", award
    now = datetime.datetime.now(datetime.timezone.utc).isoformat()
    ok(award_summaries_sent.sync_detailed(tid, lid, client=commercial, body=SummariesSentInput.from_dict({"sent_at": now})), 201, "summaries sent")
    noticed = ok(award_notice_published.sync_detailed(tid, lid, client=commercial, body=NoticePublishedInput.from_dict({"published_at": now})), 201, "notice published")
    assert noticed.standstill.working_days == 8, noticed.standstill
    read = ok(get_award.sync_detailed(tid, lid, client=auditor), 200, "get award")
    assert read.standstill_ends == noticed.standstill.last_day.isoformat(), (read.standstill_ends, noticed.standstill)
    package = ok(get_tender_ocds.sync_detailed(tid, client=auditor), 200, "OCDS export")
    assert isinstance(package, OcdsReleasePackage) and package.version == "1.1", package
    uk6 = ok(get_tender_ocds.sync_detailed(tid, client=auditor, notice="UK6", lot=lid), 200, "UK6 release")
    assert uk6.releases[0].tag == ["award"], uk6.releases[0].tag
    verification = ok(verify_audit_chain.sync_detailed(client=auditor), 200, "audit verification")
    assert verification.valid, verification
    print(f"generated client: lifecycle passed (tender {tid}, run {run.id}, standstill to {noticed.standstill.last_day})")


if __name__ == "__main__":
    main(sys.argv[1])
