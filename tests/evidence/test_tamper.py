"""One changed byte anywhere in a package fails both `watchkeeper verify` and the README's
openssl and sha256sum commands, each run as a real process."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.clips import need_tool
from tests.evidence.conftest import Recorded, export
from watchkeeper.evidence.manifest import MANIFEST, manifest_bytes, package_files
from watchkeeper.evidence.recipient import VERIFY_COMMANDS
from watchkeeper.evidence.signing import SigningKey
from watchkeeper.evidence.verify import verify_package
from watchkeeper.system import System

pytestmark = pytest.mark.media
WATCHKEEPER = str(Path(sys.executable).parent / "watchkeeper")


def cli_verify(*args: Path | str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [WATCHKEEPER, "verify", *map(str, args)], capture_output=True, text=True, check=False
    )


def readme_verify(package: Path) -> subprocess.CompletedProcess[str]:
    """The commands exactly as README.txt gives them, stopping at the first failure."""
    readme = (package / "README.txt").read_text()
    assert VERIFY_COMMANDS in readme
    return subprocess.run(
        ["sh", "-ec", VERIFY_COMMANDS], cwd=package, capture_output=True, text=True, check=False
    )


def test_every_file_is_covered(
    system: System, recorded: Recorded, key: SigningKey, tmp_path: Path
) -> None:
    need_tool("openssl")
    need_tool("sha256sum")
    pkg = export(system, key, tmp_path / "out", recorded.t0 + 1_000_000, recorded.t0 + 4_000_000)
    ok = cli_verify(pkg.path)
    assert ok.returncode == 0, ok.stderr
    assert "verified" in ok.stdout
    good = readme_verify(pkg.path)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Signature Verified Successfully" in good.stdout
    pem = tmp_path / "trusted.pem"
    pem.write_bytes(key.public_pem())
    assert cli_verify(pkg.path, "--key", str(pem)).returncode == 0

    files = package_files(pkg.path)
    assert {"manifest.sig", "public_key.pem", "SHA256SUMS", "README.txt", "index.html"} < set(files)
    assert any(f.startswith("master/") for f in files)
    assert any(f.startswith("working/") for f in files)
    copies = []
    for name in files:
        copy = tmp_path / "t" / name.replace("/", "_")
        shutil.copytree(pkg.path, copy)
        data = bytearray((copy / name).read_bytes())
        data[len(data) // 2] ^= 0x01
        (copy / name).write_bytes(bytes(data))
        copies.append(copy)
        assert readme_verify(copy).returncode != 0, f"openssl/sha256sum passed a changed {name}"
    every = cli_verify(*copies)  # one process checks every copy and reports each
    assert every.returncode == 1
    for copy in copies:
        assert f"{copy.name}: NOT verified" in every.stderr, copy.name
    assert "verified, signature good" not in every.stdout


def test_added_file_and_foreign_key_are_refused(
    system: System, recorded: Recorded, key: SigningKey, tmp_path: Path
) -> None:
    pkg = export(system, key, tmp_path / "out", recorded.t0 + 1_000_000, recorded.t0 + 3_000_000)
    (pkg.path / "master" / "extra.mp4").write_bytes(b"not recorded here")
    bad = cli_verify(pkg.path)
    assert bad.returncode == 1 and "extra.mp4: in the package but not in the manifest" in bad.stderr
    (pkg.path / "master" / "extra.mp4").unlink()

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    other = (
        Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    (tmp_path / "other.pem").write_bytes(other)
    wrong = cli_verify(pkg.path, "--key", str(tmp_path / "other.pem"))
    assert wrong.returncode == 1 and "not the trusted key" in wrong.stderr
    assert (pkg.path / MANIFEST).exists()


def test_cli_export_then_verify(
    system: System, recorded: Recorded, key: SigningKey, tmp_path: Path
) -> None:
    """`watchkeeper export` as a process on the same data folder, then `verify --key`."""
    data = system.settings.data_dir
    out = tmp_path / "cli"
    run = subprocess.run(
        [WATCHKEEPER, "--data-dir", str(data), "--mode", "development", "export", "TC-001",
         "--from", "2026-07-01T11:00:01", "--to", "2026-07-01T11:00:03", "--out", str(out),
         "--exhibit", "AB/2", "--operator", "jsmith"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    (package,) = out.iterdir()
    assert package.name == "TC-001_20260701T100001Z_AB-2"
    pem = tmp_path / "k.pem"
    pem.write_bytes(key.public_pem())
    assert cli_verify(package, "--key", str(pem)).returncode == 0
    empty = subprocess.run(
        [WATCHKEEPER, "--data-dir", str(data), "--mode", "development", "export", "TC-001",
         "--from", "2026-07-01T11:00:08", "--to", "2026-07-01T11:00:12", "--out", str(out)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert empty.returncode == 1 and "nothing recorded on TC-001" in empty.stderr


def test_a_format_this_verifier_does_not_know_is_refused(
    system: System, recorded: Recorded, key: SigningKey, tmp_path: Path
) -> None:
    pkg = export(system, key, tmp_path / "out", recorded.t0 + 1_000_000, recorded.t0 + 3_000_000)
    manifest = json.loads((pkg.path / MANIFEST).read_bytes())
    manifest["format"] = "watchkeeper-evidence/3"
    body = manifest_bytes(manifest)
    (pkg.path / MANIFEST).write_bytes(body)
    (pkg.path / "manifest.sig").write_bytes(key.sign(body))  # validly signed, unknown format
    report = verify_package(pkg.path)
    assert report.problems == [
        "unknown package format 'watchkeeper-evidence/3' (this verifier reads "
        "watchkeeper-evidence/1, watchkeeper-evidence/2)"
    ]
