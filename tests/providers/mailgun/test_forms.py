"""Mailgun's two body encodings read without a form library: urlencoded, and multipart/form-data with
attachments (a bounce's report parts among them) exactly as an HTTP client encodes them."""

from __future__ import annotations

import httpx
import pytest

from arrears.providers.mailgun.forms import FormError, read_form


def test_an_urlencoded_form_keeps_every_field() -> None:
    request = httpx.Request("POST", "http://x/", data={"body-plain": "Hi & bye\nDana", "stripped-text": ""})
    form = read_form(request.headers["content-type"], request.read())
    assert form.fields == {"body-plain": "Hi & bye\nDana", "stripped-text": ""} and form.files == []


def test_a_multipart_form_splits_fields_from_files() -> None:
    files = [
        ("attachment-1", ("report", b"Action: failed\nStatus: 5.1.1\n", "message/delivery-status")),
        ("attachment-2", ("invoice.pdf", b"%PDF-1.7 \x00\xff", "application/pdf")),
    ]
    request = httpx.Request(
        "POST", "http://x/", data={"subject": "Réponse", "attachment-count": "2"}, files=files
    )
    form = read_form(request.headers["content-type"], request.read())
    assert form.fields == {"subject": "Réponse", "attachment-count": "2"}
    assert [(f.name, f.content_type) for f in form.files] == [
        ("attachment-1", "message/delivery-status"),
        ("attachment-2", "application/pdf"),
    ]
    assert b"Status: 5.1.1" in form.files[0].content and form.files[1].content == b"%PDF-1.7 \x00\xff"


def test_anything_else_is_refused_naming_the_content_type() -> None:
    with pytest.raises(FormError, match="Content-Type"):
        read_form("application/json", b"{}")
