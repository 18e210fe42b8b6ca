"""The lifecycle pictures: the timeline of a set, and revocation / name constraints in the
chain diagram. Layouts are data; the tests measure them."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from cryptography import x509

import pkilab
from pkilab.certset import build_certificate_set, write_certificate_set
from pkilab.viz import _style as st
from pkilab.viz import chain_layout, draw_timeline, timeline_layout
from pkilab.viz.timeline import BAR_W, BAR_X, timeline_entries

UTC = dt.timezone.utc
AT = dt.datetime(2026, 12, 1, tzinfo=UTC)


@pytest.fixture
def folder(tmp_path):
    cs = build_certificate_set(seed="timeline-tests")
    write_certificate_set(cs, tmp_path / "set")
    pkilab.revoke_certificate(tmp_path / "set", "client2", "keyCompromise",
                              at=dt.datetime(2026, 11, 20, tzinfo=UTC), days=3650)
    return tmp_path / "set"


def test_one_bar_per_certificate_and_the_revoked_one_is_marked(folder):
    scene = timeline_layout(folder, at=AT)
    bars = scene.of_kind("validity")
    assert [b.data["name"] for b in bars] == ["root", "intermediate1", "intermediate2",
                                              "server", "client", "client2"]
    [revoked] = scene.of_kind("revoked")
    assert revoked.data["name"] == "client2" and revoked.data["reason"] == "keyCompromise"
    client2 = next(b for b in bars if b.data["name"] == "client2")
    assert revoked.y == client2.y and revoked.x > client2.x
    assert revoked.x + revoked.w == pytest.approx(client2.x + client2.w)
    [label] = scene.of_kind("revocation")
    assert "2026-11-20" in label.text and "keyCompromise" in label.text


def test_the_today_line_sits_at_the_time_checked(folder):
    early, late = (timeline_layout(folder, at=AT + dt.timedelta(days=d)) for d in (0, 3000))
    from pkilab.viz._scene import Arrow

    x_early = next(a for a in early.of_kind("today") if isinstance(a, Arrow)).x0
    x_late = next(a for a in late.of_kind("today") if isinstance(a, Arrow)).x0
    assert BAR_X < x_early < x_late < BAR_X + BAR_W
    assert any(getattr(t, "text", "") == "checked at 2026-12-01"
               for t in early.of_kind("today"))


def test_a_renewal_gets_the_line_below_and_expiry_is_greyed(folder):
    cs = build_certificate_set(seed="timeline-tests")
    old = cs.intermediate2.issue_client("client", days=90,
                                        not_before=dt.datetime(2026, 9, 1, tzinfo=UTC))
    new = cs.intermediate2.renew(old.certificate, days=90,
                                 not_before=dt.datetime(2026, 11, 25, tzinfo=UTC))
    entries = [*timeline_entries(folder)[:4], ("client", new), ("client", old.certificate)]
    scene = timeline_layout(entries, crls=[], at=AT, until=dt.datetime(2027, 6, 1, tzinfo=UTC))
    client = [b for b in scene.of_kind("validity") if b.data["name"] == "client"]
    older, newer = sorted(client, key=lambda b: b.x)
    assert len(client) == 2 and newer.y == pytest.approx(older.y - 0.58)
    assert older.data["expired"] and older.fill == "#e4e4e4" and not newer.data["expired"]
    [renewed] = scene.of_kind("renewal")
    assert renewed.x >= newer.x - 0.01
    # the CAs go on past the axis: cut, and saying until when
    assert len(scene.of_kind("until")) == 4
    # notes on one row never overlap
    notes = sorted((t for t in scene.texts if t.kind in ("renewal", "expiry", "revocation")),
                   key=lambda t: t.x)
    for left, right in itertools.pairwise(notes):
        if left.y == right.y:
            assert left.x + st.text_width(left.text, left.size, bold=left.bold) <= right.x


def test_draw_timeline_writes_a_png(folder, tmp_path):
    draw_timeline(folder, at=AT, save=tmp_path / "t.png")
    assert (tmp_path / "t.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_chain_diagram_crosses_out_a_revoked_leaf(folder):
    from pkilab.load import load_certificate

    def cert(name):
        return load_certificate(folder / f"{name}.crt")

    crls = pkilab.load_crls(folder)
    chain = [cert("intermediate2"), cert("intermediate1")]
    revoked = pkilab.verify_chain(cert("client2"), cert("root"), chain, purpose="client",
                                  at=AT, crls=crls)
    scene = chain_layout(revoked)
    assert len(scene.of_kind("revoked-cross")) == 2
    [stamp] = scene.of_kind("revoked")
    assert "2026-11-20" in stamp.text and "keyCompromise" in stamp.text and stamp.box == "cert0"
    good = pkilab.verify_chain(cert("client"), cert("root"), chain, purpose="client", at=AT,
                               crls=crls)
    assert not chain_layout(good).of_kind("revoked-cross")


def test_name_constraints_are_written_under_the_ca_that_carries_them():
    from cryptography.hazmat.primitives import hashes

    from pkilab.ca import CertificateAuthority

    root = CertificateAuthority.create_root("/O=lab/CN=lab root", seed="nc")
    nc = x509.NameConstraints([x509.DNSName("lab.example")], None)
    builder = (x509.CertificateBuilder().subject_name(x509.Name.from_rfc4514_string(
        "CN=constrained")).issuer_name(root.certificate.subject)
        .public_key(root.private_key.public_key()).serial_number(7)
        .not_valid_before(AT - dt.timedelta(days=1)).not_valid_after(AT + dt.timedelta(days=9))
        .add_extension(x509.BasicConstraints(True, None), True).add_extension(nc, True))
    ca_cert = builder.sign(root.private_key, hashes.SHA256())
    report = pkilab.verify_chain(ca_cert, root.certificate, at=AT, purpose="client")
    [note] = chain_layout(report).of_kind("constraints")
    assert "lab.example" in note.text and note.text.startswith("name constraints")
