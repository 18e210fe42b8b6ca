"""Exercises of lessons 01-03: each solution passes, and the known cheats fail.

The checks are called directly with objects built as the lessons build them.
"""

from __future__ import annotations

import pytest

from pkilab import (
    CertificateAuthority,
    build_csr,
    derive_key,
    generate_key,
    same_public_key,
    verify_chain,
)
from pkilab.exercises import l01, l02, l03

# ---- lesson 01 -----------------------------------------------------------------------------

def test_key384_solution_and_wrong_kinds():
    key = generate_key("ec384")
    assert l01.problem_key384(key) is None
    assert "None" in l01.problem_key384(None)
    assert "P-384" in l01.problem_key384(generate_key("ec"))
    assert "public key" in l01.problem_key384(key.public_key())
    assert not l01.check_key384("ec384")


def test_owner_solution_passes_and_owner_is_key_fails():
    certificate, candidates = l01.mystery()
    solution = next(k for k in candidates if same_public_key(k, certificate.public_key()))
    assert l01.problem_owner(solution, certificate, candidates) is None
    assert l01.check_owner(solution, certificate, candidates)
    wrong = next(k for k in candidates if k is not solution)
    assert "not the one inside" in l01.problem_owner(wrong, certificate, candidates)
    # The cheat that passed before: the lesson's own key, not one of the candidates.
    lesson_key = derive_key("ec", "lesson-01 my first key")
    assert "candidates" in l01.problem_owner(lesson_key, certificate, candidates)
    assert not l01.check_owner(lesson_key, certificate, candidates)


def test_owner_answer_is_not_the_first_candidate_by_accident():
    certificate, candidates = l01.mystery()
    assert l01.problem_owner(candidates[0], certificate, candidates) is not None


def test_self_signed_solution_and_cheats():
    key384 = generate_key("ec384")
    solution = CertificateAuthority.create_root("/CN=me", key=key384).certificate
    assert l01.problem_self_signed(solution, key384) is None
    other = CertificateAuthority.create_root("/CN=me", key_kind="ec384").certificate
    assert "another public key" in l01.problem_self_signed(other, key384)
    wrong_name = CertificateAuthority.create_root("/CN=root", key=key384).certificate
    assert "'me'" in l01.problem_self_signed(wrong_name, key384)
    assert "exercise 1" in l01.problem_self_signed(solution, None)
    ca = CertificateAuthority.create_root("/CN=me", key=key384)
    assert ".certificate" in l01.problem_self_signed(ca, key384)


# ---- lesson 02 -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def lesson02():
    root = CertificateAuthority.create_root("/C=CN/O=alibaba/CN=root",
                                            key=derive_key("ec", "lesson-02 root"),
                                            seed="lesson-02")
    shop_key = derive_key("ec", "lesson-02 shop")
    csr = build_csr(shop_key, "/O=shop/CN=shop.example", names=["shop.example"])
    return root, shop_key, csr


def test_shop_csr_solution_and_cheats(lesson02):
    _root, shop_key, csr = lesson02
    assert l02.problem_shop_csr(csr, shop_key) is None
    other_key = build_csr(generate_key("ec"), "/O=shop/CN=shop.example", names=["shop.example"])
    assert "another public key" in l02.problem_shop_csr(other_key, shop_key)
    no_san = build_csr(shop_key, "/O=shop/CN=shop.example")
    assert "names" in l02.problem_shop_csr(no_san, shop_key)
    wrong_subject = build_csr(shop_key, "/CN=shop.example", names=["shop.example"])
    assert "subject" in l02.problem_shop_csr(wrong_subject, shop_key)


def test_shop_cert_must_carry_the_csr_key(lesson02):
    root, _shop_key, csr = lesson02
    solution = root.sign_csr(csr, kind="server").certificate
    assert l02.problem_shop_cert(solution, csr, root) is None
    # The cheat that passed before: a certificate for the host, issued without the CSR.
    cheat = root.issue_server(["shop.example"]).certificate
    assert "shop_csr" in l02.problem_shop_cert(cheat, csr, root)
    assert not l02.check_shop_cert(cheat, csr, root)
    other_root = CertificateAuthority.create_root("/CN=other")
    assert "root did not sign" in l02.problem_shop_cert(
        other_root.sign_csr(csr, kind="server").certificate, csr, root)
    as_client = root.sign_csr(csr, kind="client").certificate
    assert "does not verify" in l02.problem_shop_cert(as_client, csr, root)
    assert ".certificate" in l02.problem_shop_cert(root.sign_csr(csr, kind="server"), csr, root)


# ---- lesson 03 -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def lesson03():
    root = CertificateAuthority.create_root("/C=CN/O=alibaba/CN=Root CA", seed="lesson-03")
    intermediate1 = root.issue_intermediate("/C=CN/O=alibaba/CN=Intermediate CA 1",
                                            path_length=1)
    intermediate2 = intermediate1.issue_intermediate("/C=CN/O=alibaba/CN=Intermediate CA 2",
                                                     path_length=0)
    server = intermediate2.issue_server(["localhost", "127.0.0.1"])
    return root, intermediate1, intermediate2, server


def test_order_solution_and_fullchain_cheat(lesson03):
    root, intermediate1, intermediate2, server = lesson03
    puzzle = l03.jumbled(intermediate1, intermediate2)
    solution = [puzzle[1], puzzle[2], puzzle[0]]
    assert l03.problem_order(solution, puzzle, root.certificate) is None
    # The cheat that passed before: the lesson's own server chain.
    assert "jumbled" in l03.problem_order(server.fullchain, puzzle, root.certificate)
    assert not l03.check_order(server.fullchain, puzzle, root.certificate)
    assert "comes first" in l03.problem_order(puzzle, puzzle, root.certificate)
    swapped = [puzzle[1], puzzle[0], puzzle[2]]
    assert "did not sign" in l03.problem_order(swapped, puzzle, root.certificate)


def test_api_solution_and_root_issued_cheat(lesson03):
    root, _intermediate1, intermediate2, _server = lesson03
    solution = intermediate2.issue_server(["api.localhost"])
    assert l03.problem_api(solution, intermediate2, root.certificate) is None
    # The cheat that passed before: issued by the root, which verifies too.
    cheat = root.issue_server(["api.localhost"])
    assert "not by intermediate2" in l03.problem_api(cheat, intermediate2, root.certificate)
    assert not l03.check_api(cheat, intermediate2, root.certificate)
    wrong_host = intermediate2.issue_server(["web.localhost"])
    assert "api.localhost" in l03.problem_api(wrong_host, intermediate2, root.certificate)
    assert "whole issued" in l03.problem_api(solution.certificate, intermediate2,
                                             root.certificate)


def test_diagnosis_is_found_by_verifying(lesson03):
    root, intermediate1, intermediate2, _server = lesson03
    puzzle = l03.mystery(intermediate1, intermediate2)
    code = verify_chain(puzzle, root.certificate, host=l03.MYSTERY_HOST).problem.code
    assert l03.problem_diagnosis(code, puzzle, root.certificate) is None
    # The old exercise's answer (and its cheat's value) is not this puzzle's problem.
    assert l03.problem_diagnosis("wrong_host", puzzle, root.certificate) is not None
    assert not l03.check_diagnosis("wrong_host", puzzle, root.certificate)
    assert "word" in l03.problem_diagnosis(puzzle, puzzle, root.certificate)
    # The puzzle is a list of certificates: there is no report to copy a code from.
    assert not hasattr(puzzle, "problem")


def test_repair_solution_and_cheats(lesson03):
    root, intermediate1, intermediate2, server = lesson03
    puzzle = l03.mystery(intermediate1, intermediate2)
    solution = [puzzle[0], intermediate2.certificate, intermediate1.certificate]
    assert l03.problem_repair(solution, puzzle, root.certificate) is None
    assert "mystery[0]" in l03.problem_repair(server.fullchain, puzzle, root.certificate)
    assert l03.problem_repair(puzzle, puzzle, root.certificate) is not None
    assert "root out" in l03.problem_repair([*solution, root.certificate], puzzle,
                                            root.certificate)


# ---- lesson 03, section 5: name constraints ------------------------------------------------

def test_shop_ca_solution_and_cheats():
    from pkilab import build_certificate_set

    solution = build_certificate_set(seed="lesson-03 shop", permitted_dns=["shop.example"],
                                     server_names=["shop.example"])
    assert l03.problem_shop_ca(solution) is None
    assert l03.check_shop_ca(solution)
    # made today, not at the lesson's date: checked at its own dates
    assert l03.problem_shop_ca(build_certificate_set(
        permitted_dns=["shop.example", "localhost"], server_names=["localhost"])) is None
    assert "None" in l03.problem_shop_ca(None)
    assert "whole set" in l03.problem_shop_ca(solution.intermediate1)
    # The cheat: a set without constraints, whose CA vouches for bank.example too.
    unconstrained = build_certificate_set(seed="lesson-03 shop", server_names=["shop.example"])
    assert "no name constraints" in l03.problem_shop_ca(unconstrained)
    assert not l03.check_shop_ca(unconstrained)
    too_wide = build_certificate_set(permitted_dns=["example"], server_names=["shop.example"])
    assert "permit more" in l03.problem_shop_ca(too_wide)
    below_only = build_certificate_set(permitted_dns=[".shop.example"],
                                       server_names=["www.shop.example"])
    assert "leading dot" in l03.problem_shop_ca(below_only)
    # the lesson's own constrained set (lab.example) does not vouch for shop.example
    lab = build_certificate_set(seed="lesson-03 constrained", permitted_dns=["lab.example"],
                                server_names=["www.lab.example"])
    assert "shop.example" in l03.problem_shop_ca(lab)
    # constraints only on intermediate2 (made by hand): intermediate1 has none
    root = CertificateAuthority.create_root("/CN=r")
    intermediate1 = root.issue_intermediate("/CN=i1", path_length=1)
    intermediate2 = intermediate1.issue_intermediate("/CN=i2", permitted_dns=["shop.example"])
    from pkilab import CertificateSet

    by_hand = CertificateSet(root, intermediate1, intermediate2,
                             intermediate2.issue_server(["shop.example"]))
    assert "intermediate1" in l03.problem_shop_ca(by_hand)
