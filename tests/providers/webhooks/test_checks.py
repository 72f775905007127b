"""`arrears providers check` for webhook endpoints: read-only (nothing is POSTed), and plain about what is
wrong: a host that does not resolve, a port nobody listens on."""

from __future__ import annotations

import socket
from pathlib import Path

from arrears.fakes import webhooks as fake_webhooks
from arrears.providers.webhooks import WebhooksConfig, offer
from arrears.providers.webhooks.checks import endpoint_check
from arrears.providers.webhooks.config import Endpoint


def test_a_listening_endpoint_passes_and_receives_nothing(tmp_path: Path) -> None:
    running = fake_webhooks.start(config_dir=tmp_path, name="erp")
    try:
        endpoints = Path(running.env["ARREARS_WEBHOOK_ENDPOINTS"])
        (check,) = offer(WebhooksConfig(endpoints)).checks
        result = check()
        assert result.ok and result.provider == "webhook:erp" and "plain http" in result.detail
        assert running.deliveries == [] and running.rejected == 0
    finally:
        running.stop()


def test_an_unresolvable_host_and_a_closed_port_fail_with_a_fix() -> None:
    unknown = Endpoint("erp", "https://no-such-host.invalid/hook", (b"k" * 32,), None)
    result = endpoint_check(unknown, timeout=2.0)()
    assert not result.ok and "does not resolve" in result.detail and result.fix

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    closed = Endpoint("erp", f"http://127.0.0.1:{port}/hook", (b"k" * 32,), None)
    result = endpoint_check(closed, timeout=2.0)()
    assert not result.ok and "cannot connect" in result.detail
