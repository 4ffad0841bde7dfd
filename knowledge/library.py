"""What `python bot.py kb add/list/remove` does to a knowledge directory.

``add_files`` copies files in, records them in ``manifest.yaml`` (reader chosen by file type,
sha256), declares a new region in ``regions.yaml`` and validates the whole directory; when
anything is wrong the directory is put back exactly as it was. Each file's report says what
was read: entries by kind, a few titles and warnings.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import yaml

from knowledge.base import (
    MANIFEST,
    REGIONS_FILE,
    KnowledgeError,
    Problem,
    load_contents,
    load_yaml,
    merge_departments,
    read_document,
    read_regions,
)
from knowledge.model import (
    DEPARTMENT,
    KIND_LABELS,
    TEAM,
    DocumentInfo,
    Region,
    region_code,
)
from knowledge.readers import ReadError, reader_for

T = TypeVar("T")
SAMPLE_TITLES = 3  # titles shown per file so the admin sees what was read
# Suffixes of Korean region names: a citizen says 인천 for 인천광역시, 나주 for 나주시.
REGION_SUFFIXES = ("특별자치도", "특별자치시", "광역시", "특별시", "도", "시", "군", "구")
# A sheet's 지역 column may name any region; one that regions.yaml does not declare is refused.
UNKNOWN_REGION_TEXT = (
    "{line}의 지역 '{region}'은(는) regions.yaml에 없는 지역입니다. "
    "regions.yaml에 추가하거나 `kb add 파일 --region {region}`로 먼저 만드세요"
)


@dataclass
class FileReport:
    """What one file gave: counts per kind, sample titles, warnings, or why it was refused."""

    file: str
    reader: str = ""
    counts: Counter = field(default_factory=Counter)
    titles: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None

    def lines(self) -> list[str]:
        """The report as lines for a terminal or a chat message."""
        if self.error:
            return [f"{self.file}: 넣지 못했습니다 — {self.error}"]
        kinds = ", ".join(f"{KIND_LABELS.get(k, k)} {n}개" for k, n in self.counts.most_common())
        out = [f"{self.file} ({self.reader}): {kinds or '항목 없음'}"]
        out.extend(f"  · {title}" for title in self.titles)
        out.extend(f"  ! {warning}" for warning in self.warnings)
        return out


class LibraryError(Exception):
    """The change was refused; the knowledge directory is unchanged."""


def add_files(
    directory: Path,
    files: Sequence[Path],
    region: str,
    *,
    document: str | None = None,
    year: int | None = None,
) -> list[FileReport]:
    """Copy ``files`` into ``directory`` and record them; LibraryError (nothing changed) when a
    file cannot be read or the knowledge base would not load afterwards."""
    directory.mkdir(parents=True, exist_ok=True)
    manifest, regions_text = _read_text(directory / MANIFEST), _read_text(directory / REGIONS_FILE)
    items = _manifest_items(directory)
    regions = list(read_regions(directory, [i["region"] for i in items if "region" in i]))
    if not any(r.name == region for r in regions):
        regions.append(new_region(region))
    code = next(r.code for r in regions if r.name == region)
    names = {r.name for r in regions}
    reports, copies, new_items = [], [], []
    for path in files:
        report = FileReport(path.name)
        reports.append(report)
        try:
            report.reader = reader_for(path)
            raw = path.read_bytes()
        except ReadError as exc:
            report.error = exc.reason
            continue
        except OSError as exc:
            report.error = f"파일을 열 수 없습니다 ({exc.strerror or exc})"
            continue
        item = {
            "file": path.name,
            "parser": report.reader,
            "region": region,
            "document": document or path.stem,
            "year": year,
            "sha256": hashlib.sha256(raw).hexdigest(),
        }
        doc = DocumentInfo(
            path.name, report.reader, region, item["document"], year, item["sha256"], code
        )
        try:
            reading = read_document(raw, doc)
        except ReadError as exc:
            report.error = exc.reason
            continue
        entries = merge_departments(reading.entries)
        report.counts = Counter(e.kind for e in entries)
        # Sections and FAQ first: they show best whether the file was read as meant.
        samples = sorted(entries, key=lambda e: e.kind in (DEPARTMENT, TEAM))
        report.titles = [e.title for e in samples[:SAMPLE_TITLES]]
        report.warnings = reading.warnings
        if not reading.entries:
            report.error = "읽은 항목이 없습니다"
            continue
        unknown = next((e for e in entries if e.region not in names), None)
        if unknown is not None:
            report.error = UNKNOWN_REGION_TEXT.format(
                line=f"{unknown.source.line_start}{unknown.source.unit}", region=unknown.region
            )
            continue
        new_items.append({k: v for k, v in item.items() if v is not None})
        copies.append((path, directory / path.name))
    if any(r.error for r in reports):
        raise LibraryError("\n".join(line for r in reports for line in r.lines()))
    replaced = {item["file"] for item in new_items}
    backups = {target: target.read_bytes() for _, target in copies if target.exists()}
    try:
        for source, target in copies:
            if source.resolve() != target.resolve():
                shutil.copyfile(source, target)
        _write_manifest(
            directory, [i for i in items if i.get("file") not in replaced] + new_items, manifest
        )
        _write_regions(directory, regions)
        load_contents(directory)
    except KnowledgeError as exc:
        _restore(directory, manifest, regions_text, copies, backups)
        raise LibraryError("\n".join(str(p) for p in exc.problems)) from None
    return reports


def remove_file(directory: Path, file: str) -> None:
    """Drop ``file`` from the manifest and the directory; LibraryError (nothing changed) when
    it is not listed or the rest would not load without it (a curated alias points into it)."""
    manifest = _read_text(directory / MANIFEST)
    items = _manifest_items(directory)
    name = Path(file).name
    if not any(item.get("file") == name for item in items):
        raise LibraryError(f"{name}: 목록(manifest.yaml)에 없는 파일입니다")
    path = directory / name
    backup = path.read_bytes() if path.exists() else None
    _write_manifest(directory, [i for i in items if i.get("file") != name], manifest)
    try:
        if [i for i in items if i.get("file") != name]:
            load_contents(directory)
    except KnowledgeError as exc:
        (directory / MANIFEST).write_text(manifest or "", encoding="utf-8")
        raise LibraryError("\n".join(str(p) for p in exc.problems)) from None
    if backup is not None:
        path.unlink()


def list_files(directory: Path) -> list[tuple[dict, Counter]]:
    """Each manifest item with its entry counts per kind."""
    entries, _, _ = load_contents(directory)
    counts: dict[str, Counter] = {}
    for entry in entries:
        counts.setdefault(entry.source.file, Counter())[entry.kind] += 1
    return [(item, counts.get(item["file"], Counter())) for item in _manifest_items(directory)]


def new_region(name: str) -> Region:
    """A region an admin names for the first time, spelled also without its suffix."""
    stem = next(
        (name[: -len(s)] for s in REGION_SUFFIXES if name.endswith(s) and len(name) - len(s) >= 2),
        None,
    )
    return Region(name, region_code(name), (stem,) if stem else (), short=stem)


def _manifest_items(directory: Path) -> list[dict]:
    path = directory / MANIFEST
    if not path.exists():
        return []
    try:
        data = load_yaml(path.read_text(encoding="utf-8")) or []
    except yaml.YAMLError as exc:
        raise KnowledgeError([Problem(MANIFEST, 1, f"YAML 형식 오류: {exc}")]) from None
    return [item for item in data if isinstance(item, dict)] if isinstance(data, list) else []


def _write_manifest(directory: Path, items: Iterable[dict], old_text: str | None) -> None:
    """The manifest with its leading comment kept and one block per document."""
    comment = (
        "".join(line + "\n" for line in (old_text or "").splitlines() if line.startswith("#"))
        if old_text
        else ""
    )
    body = yaml.safe_dump(list(items), allow_unicode=True, sort_keys=False) if items else "[]\n"
    (directory / MANIFEST).write_text(comment + body, encoding="utf-8")


def _write_regions(directory: Path, regions: Sequence[Region]) -> None:
    path = directory / REGIONS_FILE
    old = _read_text(path)
    comment = "".join(line + "\n" for line in (old or "").splitlines() if line.startswith("#"))
    data = [
        {
            k: v
            for k, v in (
                ("name", r.name),
                ("code", r.code),
                ("short", r.short),
                ("spellings", list(r.spellings)),
                ("phone", r.phone),
                ("note", r.note),
            )
            if v
        }
        for r in regions
    ]
    path.write_text(
        comment
        + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=None),
        encoding="utf-8",
    )


def _restore(
    directory: Path,
    manifest: str | None,
    regions: str | None,
    copies: Sequence[tuple[Path, Path]],
    backups: dict[Path, bytes],
) -> None:
    for name, text in ((MANIFEST, manifest), (REGIONS_FILE, regions)):
        if text is None:
            (directory / name).unlink(missing_ok=True)
        else:
            (directory / name).write_text(text, encoding="utf-8")
    for source, target in copies:
        if target in backups:
            target.write_bytes(backups[target])
        elif source.resolve() != target.resolve():
            target.unlink(missing_ok=True)


def _read_text(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.exists() else None


def preview_file(
    directory: Path,
    name: str,
    data: bytes,
    region: str,
    inspect: Callable[[Path], T] | None = None,
) -> tuple[list[FileReport], T | None]:
    """What ``add_files`` would report for one uploaded file, tried on a copy of ``directory``
    (the real one is not touched), and what ``inspect`` makes of that copy (the bot builds the
    knowledge base it would get); LibraryError with the reason when the file would be refused."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "kb"
        shutil.copytree(directory, copy, ignore=shutil.ignore_patterns(".*"))
        upload = Path(tmp) / Path(name).name
        upload.write_bytes(data)
        reports = add_files(copy, [upload], region)
        return reports, inspect(copy) if inspect else None
