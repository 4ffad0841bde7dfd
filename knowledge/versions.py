"""Numbered published versions of a knowledge directory, so an admin can roll back.

A version is the manifest, regions and curated data as they were published, plus every listed
file stored once by its sha256 under ``.versions/files/``. Publishing records the directory
as it was before the first change (version 1) and after each change; a rollback restores an
older version's files and records the result as a new version, so history only grows.
"""

from __future__ import annotations

import hashlib
import secrets
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import yaml

from knowledge.base import (
    CURATED,
    MANIFEST,
    REGIONS_FILE,
    KnowledgeError,
    load_contents,
    load_yaml,
)
from knowledge.library import FileReport, LibraryError, add_files

VERSIONS = ".versions"
TAUGHT_COMMENT = (
    "# taught: what admins taught from unanswered questions (/unanswered), with who (by) and\n"
    "#   when (at): questions that became aliases of an entry, or a short answer (an FAQ entry).\n"
)
_STATE_FILES = (MANIFEST, REGIONS_FILE, CURATED)


@dataclass(frozen=True)
class Version:
    """One published state: its number, when, by whom and what changed."""

    number: int
    published_at: str
    by: str
    note: str


def publish_files(
    directory: Path,
    files: Sequence[Path],
    region: str,
    *,
    by: str,
    document: str | None = None,
    year: int | None = None,
) -> tuple[int, list[FileReport]]:
    """``kb add`` the files and record the result as a new version; LibraryError when refused."""
    if not list_versions(directory):
        _record(directory, by, "처음 상태")
    reports = add_files(directory, files, region, document=document, year=year)
    names = ", ".join(path.name for path in files)
    return _record(directory, by, f"추가: {names}"), reports


def publish_taught(directory: Path, item: dict, *, by: str, note: str) -> int:
    """Add one taught item (``knowledge.base.Taught`` fields; id, by and at are filled in) to
    ``curated.yaml``, validate the whole directory and record a new version; LibraryError
    (nothing changed) when it would not load."""
    if not list_versions(directory):
        _record(directory, by, "처음 상태")
    path = directory / CURATED
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    now = datetime.now(UTC)
    item = {
        "id": now.strftime("%Y%m%d%H%M%S") + secrets.token_hex(2),
        **{k: v for k, v in item.items() if v},
        "by": by,
        "at": now.isoformat(timespec="seconds"),
    }
    path.write_text(_with_taught(old, item), encoding="utf-8")
    try:
        load_contents(directory)
    except KnowledgeError as exc:
        path.write_text(old, encoding="utf-8")
        raise LibraryError("\n".join(str(p) for p in exc.problems)) from None
    return _record(directory, by, note)


def _with_taught(text: str, item: dict) -> str:
    """``curated.yaml`` with ``item`` appended to its ``taught`` list, comments kept; the
    list is written last in the file (rewritten without comments only if it is elsewhere)."""
    data = load_yaml(text) if text.strip() else {}
    data = data if isinstance(data, dict) else {}
    taught = data.get("taught") or []
    dumped = yaml.safe_dump([item], allow_unicode=True, sort_keys=False, width=1000)
    block = "".join(f"  {line}\n" for line in dumped.splitlines())
    body = text if text.endswith("\n") or not text else text + "\n"
    if "taught" not in data:
        candidate = f"{body}\n{TAUGHT_COMMENT}taught:\n{block}"
    else:
        candidate = body + block
    parsed = load_yaml(candidate)
    if isinstance(parsed, dict) and parsed.get("taught") == [*taught, item]:
        return candidate
    data["taught"] = [*taught, item]
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)


def list_versions(directory: Path) -> list[Version]:
    """Published versions, oldest first."""
    root = directory / VERSIONS
    found = []
    for path in sorted(root.glob("v*/version.yaml"), key=lambda p: int(p.parent.name[1:])):
        data = load_yaml(path.read_text(encoding="utf-8"))
        found.append(
            Version(int(path.parent.name[1:]), data["published_at"], str(data["by"]), data["note"])
        )
    return found


def rollback(directory: Path, number: int, *, by: str) -> int:
    """Brings version ``number`` back and records it as the newest; LibraryError if there is
    no such version or it would not load."""
    source = directory / VERSIONS / f"v{number}"
    if not (source / "version.yaml").exists():
        raise LibraryError(f"버전 {number}이(가) 없습니다. /kb_versions 로 목록을 확인하세요")
    saved = {
        name: (directory / name).read_bytes()
        for name in _STATE_FILES
        if (directory / name).exists()
    }
    listed = load_yaml((source / "version.yaml").read_text(encoding="utf-8"))["files"]
    current = _listed_files(directory)
    for name in _STATE_FILES:
        (directory / name).unlink(missing_ok=True)
        if (source / name).exists():
            shutil.copyfile(source / name, directory / name)
    for name, digest in listed.items():
        shutil.copyfile(directory / VERSIONS / "files" / digest, directory / name)
    try:
        load_contents(directory)
    except KnowledgeError as exc:
        for name in _STATE_FILES:
            (directory / name).unlink(missing_ok=True)
        for name, raw in saved.items():
            (directory / name).write_bytes(raw)
        raise LibraryError("\n".join(str(p) for p in exc.problems)) from None
    for name in current.keys() - listed.keys():
        (directory / name).unlink(missing_ok=True)  # stored by hash: a later rollback restores it
    return _record(directory, by, f"버전 {number}(으)로 되돌림")


def _record(directory: Path, by: str, note: str) -> int:
    root = directory / VERSIONS
    files = _listed_files(directory)
    (root / "files").mkdir(parents=True, exist_ok=True)
    for name, digest in files.items():
        stored = root / "files" / digest
        if not stored.exists():
            shutil.copyfile(directory / name, stored)
    number = max((v.number for v in list_versions(directory)), default=0) + 1
    target = root / f"v{number}"
    target.mkdir()
    for name in _STATE_FILES:
        if (directory / name).exists():
            shutil.copyfile(directory / name, target / name)
    info = {
        "published_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "by": by,
        "note": note,
        "files": files,
    }
    (target / "version.yaml").write_text(
        yaml.safe_dump(info, allow_unicode=True), encoding="utf-8"
    )
    return number


def _listed_files(directory: Path) -> dict[str, str]:
    """The manifest's files → sha256 of their bytes now."""
    path = directory / MANIFEST
    items = load_yaml(path.read_text(encoding="utf-8")) if path.exists() else []
    return {
        item["file"]: hashlib.sha256((directory / item["file"]).read_bytes()).hexdigest()
        for item in items or []
        if isinstance(item, dict) and (directory / item["file"]).exists()
    }
