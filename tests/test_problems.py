"""The one table of problem codes: every code once, its words complete, everything derived."""

from __future__ import annotations

import re
import ssl
import string
from typing import get_args

import pytest

from pkilab import problems
from pkilab.cli.doctor_cmd import count_findings
from pkilab.doctor import explain
from pkilab.tls import explain as tls_explain
from pkilab.trace import _REFUSALS

SNAKE = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")


def test_every_code_is_snake_case_and_in_the_literal_once():
    codes = get_args(problems.Code)
    assert len(codes) == len(set(codes)) == len(problems.CODES)
    assert all(SNAKE.fullmatch(code) for code in codes)
    keyed = {key.split("/")[0] for key in problems.PROBLEMS}
    assert keyed == problems.CODES  # every code has words, and no words lack a code


@pytest.mark.parametrize("key", sorted(problems.PROBLEMS))
def test_every_entry_is_three_complete_templates(key):
    entry = problems.PROBLEMS[key]
    for text in (entry.what, entry.why, entry.fix):
        assert text and not text.endswith(".")  # callers add the full stop
        list(string.Formatter().parse(text))  # a broken brace would raise here
    code, _, variant = key.partition("/")
    what, why, fix = problems.words(code, variant)
    assert "{" not in what + why + fix  # unknown facts show as '?', never as a template


def test_words_fill_in_facts_and_fall_back_to_the_main_wording():
    what, _, _ = problems.words("missing_intermediate", issuer="Intermediate CA 2")
    assert what == "the intermediate 'Intermediate CA 2' is missing"
    assert problems.entry("expired", "no_such_variant") is problems.PROBLEMS["expired"]
    with pytest.raises(KeyError):
        problems.entry("no_such_code")
    found = problems.problem("wrong_order", 0, found="a", wanted="b")
    assert (found.code, found.position, found.severity) == ("wrong_order", 0, "warning")
    assert found.as_dict()["severity"] == "warning"


def test_trace_refusals_come_from_the_table():
    assert _REFUSALS is problems.REFUSALS
    assert {"unknown_ca", "missing_intermediate", "hostname_mismatch", "certificate_required",
            "client_certificate_rejected", "closed_after_handshake"} <= _REFUSALS
    assert "connection_refused" not in _REFUSALS


def test_the_tls_explainer_speaks_in_table_codes():
    for verify_code, kind in tls_explain._VERIFY_KINDS.items():
        assert kind in problems.CODES, verify_code
    required = ssl.SSLError(1, "alert")
    required.reason = "TLSV13_ALERT_CERTIFICATE_REQUIRED"
    err = tls_explain.explain_failure(required, cert_given=False)
    assert (err.kind, err.code) == ("certificate_required", "certificate_required")
    assert err.what == problems.words("certificate_required")[0]
    rejected = ssl.SSLError(1, "alert")
    rejected.reason = "TLSV1_ALERT_UNKNOWN_CA"
    err = tls_explain.explain_failure(rejected, cert_given=True)
    assert err.kind == "client_certificate_rejected" and "unknown CA" in err.why
    sent_root = ssl.SSLCertVerificationError(1, "verify failed")
    sent_root.verify_code = 19
    sent_root.verify_message = "self-signed certificate in certificate chain"
    err = tls_explain.explain_failure(sent_root)
    assert err.kind == "unknown_ca" and "(error 19)" in err.why
    refused = tls_explain.explain_os_error(ConnectionRefusedError(), stage="connect",
                                           address="127.0.0.1:1")
    assert refused.kind == "connection_refused" and "127.0.0.1:1" in refused.what


def test_doctor_wording():
    assert [count_findings(n) for n in (0, 1, 2)] == ["no findings", "1 finding", "2 findings"]
    # a real root made by openssl req -x509 gets this finding too, not only the seed's
    assert "seed's root gets" not in explain("pkix.ca_certificate_no_ku_extension")
    assert "every root made that way" in explain("pkix.ca_certificate_no_ku_extension")
