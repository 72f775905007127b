"""The endpoints file: a mistake is reported with the file's line and the field, before anything is sent."""

from __future__ import annotations

from pathlib import Path

import pytest

from arrears.fakes.webhooks import new_secret
from arrears.providers.webhooks import EndpointsError, load_endpoints

GOOD = new_secret()


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "endpoints.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_valid_file_gives_one_endpoint_each(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        f"- name: erp\n  url: https://erp.example.com/hook\n  secrets: [{GOOD}]\n"
        "  events: [payment.applied]\n"
        f"- name: bi\n  url: https://bi.example.com/hook\n  secrets: [{GOOD}, {new_secret()}]\n",
    )
    erp, bi = load_endpoints(path)
    assert erp.accepts("payment.applied") and not erp.accepts("message.sent")
    assert bi.accepts("message.sent") and len(bi.secrets) == 2


@pytest.mark.parametrize(
    ("text", "where"),
    [
        (f"- name: erp\n  url: ftp://x\n  secrets: [{GOOD}]\n", ":2: [0].url: url"),
        (f"- name: Erp Main\n  url: https://x.example\n  secrets: [{GOOD}]\n", ":1: [0].name: name"),
        ("- name: erp\n  url: https://x.example\n  secrets: [not-a-secret]\n", ":3: [0].secrets.[0]:"),
        ("- name: erp\n  url: https://x.example\n  secrets: []\n", ":3: [0].secrets: "),
        (
            f"- name: erp\n  url: https://x.example\n  secrets: [{GOOD}]\n  events: [payment.made]\n",
            ":4: [0].events.[0]: unknown event type 'payment.made'",
        ),
        (
            f"- name: erp\n  url: https://a.example\n  secrets: [{GOOD}]\n"
            f"- name: erp\n  url: https://b.example\n  secrets: [{GOOD}]\n",
            ":4: [1].name: endpoint name 'erp' is used twice",
        ),
        (f"- name: erp\n  uri: https://x.example\n  secrets: [{GOOD}]\n", ":2: [0].uri: unknown field"),
        ("name: erp\n", ":1: expected a list of endpoints"),
    ],
)
def test_a_mistake_names_the_line_and_field(tmp_path: Path, text: str, where: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(EndpointsError) as caught:
        load_endpoints(path)
    assert str(caught.value).startswith(str(path))
    assert where in str(caught.value)


def test_a_missing_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(EndpointsError, match="cannot read"):
        load_endpoints(tmp_path / "nowhere.yaml")
