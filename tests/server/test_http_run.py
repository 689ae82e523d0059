"""`opdesk server run` as an administrator starts it: refusals before serving (exit code 2,
one clear message, the database untouched) and a server over TLS with two worker processes."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
import uuid
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import create_engine, inspect, text

from opdesk.cli import main
from opdesk.server.migrate import VERSION_TABLE
from tests.pg import PgServer
from tests.server.live import opdesk_server, running_server


def refused(url: str, *options: str) -> str:
    done = opdesk_server("run", url, "--listen", "127.0.0.1:1", *options)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr and " / " in done.stderr, done.stderr
    return done.stderr


def test_an_uninitialised_database_is_refused_untouched(pg_fresh_url: str) -> None:
    assert "opdesk server init" in refused(pg_fresh_url)
    engine = create_engine(pg_fresh_url)
    try:
        assert inspect(engine).get_table_names() == []
    finally:
        engine.dispose()


def test_a_database_from_a_newer_opdesk_is_refused(pg_fresh_url: str) -> None:
    engine = create_engine(pg_fresh_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(f"CREATE TABLE {VERSION_TABLE} (version_num varchar(32) PRIMARY KEY)")
            )
            conn.execute(text(f"INSERT INTO {VERSION_TABLE} VALUES ('s9999')"))
        assert "s9999" in refused(pg_fresh_url)
        assert inspect(engine).get_table_names() == [VERSION_TABLE]
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    "options, said",
    [
        (["--listen", "localhost"], "--listen"),
        (["--listen", "127.0.0.1:99999"], "--listen"),
        (["--tls-cert", "cert.pem"], "--tls-key"),
        (["--tls-cert", "/no/cert.pem", "--tls-key", "/no/key.pem"], "/no/cert.pem"),
        (["--workers", "0"], "--workers"),
        (["--session-lifetime", "-5"], "--session-lifetime"),
    ],
)
def test_bad_options_are_refused(
    pg_url: str, options: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """In-process (the refusals come before anything is served): exit code 2, one message."""
    assert main(["server", "run", pg_url, "--listen", "127.0.0.1:1", *options]) == 2
    err = capsys.readouterr().err
    assert said in err and " / " in err and "Traceback" not in err


def self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1)).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(
            [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))  # fmt: skip
    return cert_file, key_file


def test_tls_and_two_workers(pg_server: PgServer, tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    options = ["--tls-cert", str(cert), "--tls-key", str(key), "--workers", "2"]
    with running_server(pg_server, tmp_path / "live", options) as live:
        assert live.url.startswith("https://")
        live.add_person("ivanova", "operator", "operator-password-1")
        trusted = ssl.create_default_context(cafile=str(cert))
        with httpx.Client(base_url=live.url, verify=trusted, timeout=30) as client:
            body = {"login": "ivanova", "password": "operator-password-1",
                    "client_id": str(uuid.uuid4()), "training": False}  # fmt: skip
            token = client.post("/v1/login", json=body).json()["token"]
            headers = {"Authorization": f"Bearer {token}"}
            # several requests: the two workers share nothing but the database
            for _ in range(6):
                assert client.get("/v1/pull", params={"cursor": 0}, headers=headers).is_success
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{live.url}/v1/health")  # not trusted without the certificate
        assert "Started parent process" in live.log() or live.log().count("Started server") >= 2
