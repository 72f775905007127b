"""`arrears serve`'s whole log output never holds a query string's secret or a link's token."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

SECRETS = ("arr_querykey0123456789", "tok0123456789secret", "PAYtoken0123456789", "UNSUBtoken0123456789")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def _wait_until_up(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, "arrears serve exited early"
        try:
            _get(f"{base}/openapi.json")
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("arrears serve did not start")


def test_served_requests_log_route_templates_not_query_strings_or_tokens(tmp_path: Path) -> None:
    port = _free_port()
    arrears = Path(sys.executable).with_name("arrears")
    env = {**os.environ, "ARREARS_LOG_JSON": "true", "ARREARS_LOG_LEVEL": "DEBUG"}
    server = subprocess.Popen(
        [str(arrears), "serve", "--port", str(port), "--database", f"sqlite:///{tmp_path / 'a.db'}"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, server)
        assert _get(f"{base}/v1/cases?api_key={SECRETS[0]}&token={SECRETS[1]}") == 401
        _get(f"{base}/pay/{SECRETS[2]}")
        _get(f"{base}/u/{SECRETS[3]}?key={SECRETS[0]}")
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0].decode()
    assert '"route": "/v1/cases"' in output and '"route": "/pay/{token}"' in output, output
    assert '"route": "/u/{token}"' in output, output
    for secret in SECRETS:
        assert secret not in output, output
