"""Loading, validating and diffing the knowledge base.

``load_contents(directory)`` parses every document the manifest lists, applies
``curated.yaml`` and validates the result; nlp builds the search index over it
(``nlp.retrieval.load_knowledge_base``), so this package never imports nlp. The resulting
``KnowledgeBase`` is immutable, so a running bot can build a new one and swap a single
reference — questions in flight keep using the one they started with.
"""

from __future__ import annotations

import hashlib
import importlib
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from knowledge.model import (
    DEPARTMENT,
    FAQ,
    KINDS,
    TEAM,
    DocumentInfo,
    Entry,
    ParseError,
    Region,
    Source,
    make_id,
    region_code,
)
from knowledge.parsers.text import compact
from knowledge.readers import READERS, Reader, ReadError, Reading

MANIFEST = "manifest.yaml"
CURATED = "curated.yaml"
REGIONS_FILE = "regions.yaml"
DEFAULT_DIR = Path(__file__).resolve().parent / "sources"
_MANIFEST_KEYS = {"file", "parser", "region", "document", "year", "sha256"}
_CONTACT_KEYS = {"region", "department", "phone", "address", "hours", "note"}
_REGION_KEYS = {"name", "code", "short", "spellings", "phone", "note"}
_PHONE_FIELDS = ("전화", "전화번호", "연락처")
# What a department or team does, as the documents state it: a contact directory's 담당업무
# (knowledge.readers.sheet) and a work plan's 주요업무.
DUTY_FIELDS = ("담당업무", "주요업무")
# Share of a complaint's noun weight that one unit's duties must contain. On the table in
# tests/test_responder.py (a contact directory with road, parking, cleaning, passport and tax
# teams beside the bundled documents) the right unit covered 0.33–1.0 (포트홀 of 포트홀, 때문,
# 타이어) and a wrong one at most 0.12 (지원 in 성장지원 against a 5-noun complaint); 0.3 keeps
# one naming noun of three.
DUTY_MIN_COVERAGE = 0.3
# A unit outside the citizen's chosen region counts at this share, as answers do
# (nlp.index.PREFERRED_REGION_FACTOR).
DUTY_OTHER_REGION_FACTOR = 0.85
_TAUGHT_KEYS = {"id", "questions", "by", "at", "entry", "answer", "region", "department"}
TAUGHT_DOCUMENT = "관리자가 가르친 답"  # the source shown under a taught answer
# Readings remembered by (document, sha256): entries are immutable, so sharing them is safe. A
# knowledge directory holds tens of generic documents; 256 readings of a few hundred entries
# each stay within a few megabytes.
READINGS_KEPT = 256
_READINGS: OrderedDict[tuple[DocumentInfo, str], Reading] = OrderedDict()
_READINGS_LOCK = threading.Lock()
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # without libyaml: pure Python


@dataclass(frozen=True)
class Problem:
    """One validation error, pointing at a file and line an admin can open."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class KnowledgeError(Exception):
    """The knowledge directory cannot be loaded; ``problems`` says where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


@dataclass(frozen=True)
class Contact:
    """Contact details an admin supplied for one department (documents rarely give them)."""

    region: str
    department: str
    phone: str | None = None
    address: str | None = None
    hours: str | None = None
    note: str | None = None

    def lines(self) -> list[str]:
        """Non-empty details as display lines; nothing is shown that nobody supplied."""
        labels = (
            ("전화", self.phone),
            ("주소", self.address),
            ("운영시간", self.hours),
            ("안내", self.note),
        )
        return [f"{label}: {value}" for label, value in labels if value]


@dataclass(frozen=True)
class Taught:
    """What an admin taught from unanswered questions (``/unanswered``), with who and when:
    the questions become aliases of ``entry``, or with ``answer`` one FAQ entry of ``region``."""

    id: str
    questions: tuple[str, ...]
    by: str
    at: str  # ISO time in UTC, compared with the question log's asked_at
    entry: str | None = None
    answer: str | None = None
    region: str | None = None
    department: str | None = None
    line: int = 1  # where it stands in curated.yaml

    def entry_id(self, regions: Iterable[Region]) -> str | None:
        """The entry that answers with what was taught (None for an undeclared region)."""
        if self.entry:
            return self.entry
        code = next((r.code for r in regions if r.name == self.region), None)
        return make_id(code, FAQ, f"taught#{self.id}") if code else None


@dataclass(frozen=True)
class Curated:
    """What admins add on top of the documents: synonyms, aliases, contacts."""

    synonyms: tuple[tuple[str, ...], ...] = ()
    aliases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    contacts: tuple[Contact, ...] = ()
    origins: Mapping[str, int] = field(default_factory=dict)  # alias id / department → line
    examples: tuple[str, ...] = ()  # example questions shown by /start and "not found" replies
    taught: tuple[Taught, ...] = ()  # answers taught from unanswered questions

    def contact_for(
        self, region: str, department: str | None, team: str | None = None
    ) -> Contact | None:
        """The contact for a team (if one is listed) or else its department, if any."""
        for name in (f"{department} {team}" if team else None, department, team):
            for contact in self.contacts:
                if name and contact.region == region and contact.department == name:
                    return contact
        return None


@dataclass(frozen=True)
class KnowledgeDiff:
    """What a reload changed, by entry id."""

    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[str, ...]

    def summary(self) -> str:
        return f"추가 {len(self.added)} · 삭제 {len(self.removed)} · 변경 {len(self.changed)}"


@dataclass(frozen=True, eq=False)
class KnowledgeBase:
    """Immutable set of entries plus the search index nlp built over them."""

    entries: tuple[Entry, ...]
    curated: Curated
    index: Any  # nlp.index.SearchIndex (nlp.retrieval builds it; knowledge never looks inside)
    directory: str = ""
    regions: tuple[Region, ...] = ()
    by_id: Mapping[str, Entry] = field(init=False)
    duties: tuple[tuple[Entry, str], ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_id", MappingProxyType({e.id: e for e in self.entries}))
        stated = (
            (e, compact(" ".join(e.fields.get(f, "") for f in DUTY_FIELDS)).lower())
            for e in self.entries
            if e.kind in (DEPARTMENT, TEAM)
        )
        object.__setattr__(self, "duties", tuple((e, text) for e, text in stated if text))

    def departments_by_duties(
        self,
        words: Iterable[tuple[str, float]],
        *,
        region: str | None = None,
        preferred_region: str | None = None,
        limit: int = 3,
    ) -> list[tuple[str, str]]:
        """(region, department) of the departments and teams whose stated duties hold the most
        of ``words`` (word, weight), best first, each covering at least DUTY_MIN_COVERAGE; a
        team routes to its department. ``region``: only that region's units."""
        words = [(word.lower(), weight) for word, weight in words if word]
        total = sum(weight for _, weight in words)
        if not total:
            return []
        ranked = []
        for entry, duties in self.duties:
            if region and entry.region != region:
                continue
            coverage = sum(weight for word, weight in words if word in duties) / total
            if preferred_region and not region and entry.region != preferred_region:
                coverage *= DUTY_OTHER_REGION_FACTOR
            if coverage >= DUTY_MIN_COVERAGE:
                ranked.append(
                    (-coverage, entry.id, (entry.region, entry.department or entry.title))
                )
        found: list[tuple[str, str]] = []
        for _, _, pair in sorted(ranked):
            if pair not in found:
                found.append(pair)
        return found[:limit]

    def get(self, entry_id: str) -> Entry | None:
        return self.by_id.get(entry_id)

    def region(self, name_or_code: str | None) -> Region | None:
        """The declared region with this name or code."""
        return next((r for r in self.regions if name_or_code in (r.name, r.code)), None)

    def counts(self) -> Counter:
        """Number of entries per (kind, region)."""
        return Counter((e.kind, e.region) for e in self.entries)

    def diff(self, newer: KnowledgeBase) -> KnowledgeDiff:
        """Entries added, removed and changed going from ``self`` to ``newer``."""
        old, new = self.by_id, newer.by_id
        return KnowledgeDiff(
            added=tuple(sorted(new.keys() - old.keys())),
            removed=tuple(sorted(old.keys() - new.keys())),
            changed=tuple(
                sorted(i for i in old.keys() & new.keys() if old[i].to_dict() != new[i].to_dict())
            ),
        )


def read_regions(directory: Path, named: Iterable[str] = ()) -> tuple[Region, ...]:
    """The regions ``regions.yaml`` declares; without the file, the regions the manifest names
    (with generated codes and no other spellings). KnowledgeError when malformed."""
    path = directory / REGIONS_FILE
    if not path.exists():
        return tuple(Region(name, region_code(name)) for name in dict.fromkeys(named))
    data = _read_yaml(path) or []
    lines = _line_finder(path)
    if not isinstance(data, list):
        raise KnowledgeError([Problem(REGIONS_FILE, 1, "지역 목록(list) 형식이어야 합니다")])
    regions, problems = [], []
    for item in data:
        if not isinstance(item, dict) or not item.get("name") or item.keys() - _REGION_KEYS:
            problems.append(
                Problem(
                    REGIONS_FILE,
                    lines(str(item.get("name", "")) if isinstance(item, dict) else ""),
                    "지역에는 name과 code, short, spellings, phone, note만 쓸 수 있습니다",
                )
            )
            continue
        name = str(item["name"]).strip()
        code = str(item.get("code") or region_code(name))
        if not code.isascii() or not code.isalnum():
            problems.append(
                Problem(REGIONS_FILE, lines(name), f"{name}: code는 영문·숫자여야 합니다")
            )
            continue
        spellings = item.get("spellings") or []
        if not isinstance(spellings, list):
            problems.append(
                Problem(REGIONS_FILE, lines(name), f"{name}: spellings는 목록이어야 합니다")
            )
            continue
        optional = {
            k: (str(item[k]).strip() or None) if item.get(k) is not None else None
            for k in ("short", "phone", "note")
        }
        words = tuple(str(w).strip() for w in spellings if str(w).strip())
        regions.append(Region(name, code, words, **optional))
    for key in ("name", "code"):
        seen = Counter(getattr(r, key) for r in regions)
        problems.extend(
            Problem(REGIONS_FILE, lines(value), f"지역 {key} {value}이(가) 두 번 있습니다")
            for value, n in seen.items()
            if n > 1
        )
    if problems:
        raise KnowledgeError(problems)
    return tuple(regions)


def read_manifest(directory: Path) -> list[DocumentInfo]:
    """The documents listed in ``manifest.yaml``; KnowledgeError if it is malformed."""
    path = directory / MANIFEST
    data = _read_yaml(path)
    if not isinstance(data, list) or not data:
        raise KnowledgeError([Problem(MANIFEST, 1, "목록(list) 형식이어야 합니다")])
    named = [item["region"] for item in data if isinstance(item, dict) and "region" in item]
    codes = {region.name: region.code for region in read_regions(directory, named)}
    docs, problems = [], []
    for number, item in enumerate(data, start=1):
        if (
            not isinstance(item, dict)
            or not {"file", "parser", "region", "document"} <= item.keys()
        ):
            problems.append(
                Problem(MANIFEST, number, "file, parser, region, document 항목이 필요합니다")
            )
            continue
        unknown = item.keys() - _MANIFEST_KEYS
        if unknown:
            problems.append(
                Problem(MANIFEST, number, f"알 수 없는 항목: {', '.join(sorted(unknown))}")
            )
        if item["region"] not in codes:
            problems.append(
                Problem(
                    MANIFEST,
                    number,
                    (f"알 수 없는 지역: {item['region']} — {REGIONS_FILE}에 지역을 추가하세요"),
                )
            )
            continue
        docs.append(
            DocumentInfo(
                str(item["file"]),
                str(item["parser"]),
                item["region"],
                str(item["document"]),
                item.get("year"),
                item.get("sha256"),
                codes[item["region"]],
            )
        )
    if problems:
        raise KnowledgeError(problems)
    return docs


def parse_documents(directory: Path) -> tuple[list[Entry], list[Problem]]:
    """Run every manifest document through its reader; collect problems instead of stopping."""
    entries: list[Entry] = []
    problems: list[Problem] = []
    manifest_line = _line_finder(directory / MANIFEST)
    for doc in read_manifest(directory):
        reader = READERS.get(doc.parser)
        if reader is None:
            try:
                reader = importlib.import_module(f"knowledge.parsers.{doc.parser}").parse
            except ImportError:
                problems.append(Problem(MANIFEST, 1, f"{doc.file}: 알 수 없는 파서 {doc.parser}"))
                continue
        try:
            raw = (directory / doc.file).read_bytes()
        except FileNotFoundError:
            problems.append(
                Problem(MANIFEST, manifest_line(doc.file), f"{doc.file}: 파일이 없습니다")
            )
            continue
        except OSError as exc:
            problems.append(Problem(doc.file, 1, f"읽을 수 없습니다: {exc}"))
            continue
        digest = hashlib.sha256(raw).hexdigest()
        if doc.sha256 and digest != doc.sha256:
            problems.append(
                Problem(
                    MANIFEST,
                    manifest_line(doc.file),
                    (
                        f"{doc.file}: 내용이 기록된 sha256과 다릅니다 — "
                        "잘렸거나 바뀐 파일입니다. 새 문서로 "
                        f"바꾼 것이라면 sha256을 {digest}(으)로 고치세요"
                    ),
                )
            )
        if doc.parser in READERS:
            try:
                entries.extend(read_document(raw, doc).entries)
            except ReadError as exc:
                problems.append(Problem(doc.file, exc.line, exc.reason))
            continue
        try:
            entries.extend(_remembered(raw, doc, _text_reader(reader)).entries)
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            problems.append(Problem(doc.file, line, "UTF-8 텍스트가 아닙니다"))
        except ParseError as exc:
            problems.append(Problem(exc.file, exc.line, exc.message))
    return merge_departments(entries), problems


def _text_reader(parse: Callable[[str, DocumentInfo], list[Entry]]) -> Reader:
    """A layout parser (``knowledge.parsers``) as a reader of UTF-8 bytes, without warnings."""
    return lambda raw, doc: Reading(parse(raw.decode("utf-8"), doc), [])


def read_document(raw: bytes, doc: DocumentInfo) -> Reading:
    """``doc``'s reader on ``raw``, remembered by the document and its sha256: an upload's
    preview validates the directory and builds the would-be knowledge base, and [반영] loads it
    again — a 30-page PDF is read once instead of four times (benchmarks/preview.py)."""
    return _remembered(raw, doc, READERS[doc.parser])


def _remembered(raw: bytes, doc: DocumentInfo, read: Reader) -> Reading:
    """``read(raw, doc)``, or what it gave for the same document and sha256 before (a layout
    parser's output depends on nothing else: its word lists are read at import). Failures are
    not remembered."""
    key = (doc, hashlib.sha256(raw).hexdigest())
    with _READINGS_LOCK:
        found = _READINGS.get(key)
        if found is not None:
            _READINGS.move_to_end(key)
            return Reading(list(found.entries), list(found.warnings))
    reading = read(raw, doc)  # outside the lock: reading takes seconds
    reading = Reading(list(reading.entries), list(reading.warnings))
    with _READINGS_LOCK:
        _READINGS[key] = reading
        while len(_READINGS) > READINGS_KEPT:
            _READINGS.popitem(last=False)
    return Reading(list(reading.entries), list(reading.warnings))


def clear_readings() -> None:
    """Forgets every remembered reading (benchmarks time a cold read)."""
    with _READINGS_LOCK:
        _READINGS.clear()


def merge_departments(entries: list[Entry]) -> list[Entry]:
    """One entry per department or team: many pages of a site repeat the same contact table,
    and a contact directory names departments a document already describes. The first entry
    (manifest order) stays; later ones only add the fields it lacks (a phone number)."""
    merged: dict[str, int] = {}
    out: list[Entry] = []
    for entry in entries:
        first = merged.get(entry.id)
        if first is None or entry.kind not in (DEPARTMENT, TEAM) or out[first].kind != entry.kind:
            merged.setdefault(entry.id, len(out))
            out.append(entry)
            continue
        extra = {k: v for k, v in entry.fields.items() if k not in out[first].fields}
        if extra:
            out[first] = replace(out[first], fields={**out[first].fields, **extra})
    return out


def read_curated(directory: Path) -> Curated:
    """Parse ``curated.yaml`` (optional); KnowledgeError with line numbers when malformed."""
    path = directory / CURATED
    if not path.exists():
        return Curated()
    data = _read_yaml(path) or {}
    problems: list[Problem] = []
    if not isinstance(data, dict):
        raise KnowledgeError(
            [Problem(CURATED, 1, "최상위는 synonyms/aliases/contacts 사전이어야 합니다")]
        )
    lines = _line_finder(path)
    synonyms, grouped = [], set()
    for group in data.get("synonyms") or []:
        words = tuple(str(w).strip() for w in group) if isinstance(group, list) else ()
        if len(words) < 2 or not all(words):
            problems.append(
                Problem(CURATED, lines(str(group)), "동의어 묶음에는 단어가 2개 이상 필요합니다")
            )
            continue
        # A word in two groups would silently take the last group's words only.
        keys = {compact(w) for w in words}
        for word in sorted(keys & grouped):
            problems.append(
                Problem(
                    CURATED,
                    lines(", ".join(words)),
                    f"'{word}'이(가) 동의어 묶음 두 곳에 있습니다: 한 묶음으로 합쳐 주세요",
                )
            )
        grouped |= keys
        synonyms.append(words)
    aliases, origins = {}, {}
    for entry_id, names in (data.get("aliases") or {}).items():
        if not isinstance(names, list) or not all(isinstance(n, str) and n.strip() for n in names):
            problems.append(
                Problem(
                    CURATED, lines(str(entry_id)), f"{entry_id}: 별칭은 문자열 목록이어야 합니다"
                )
            )
            continue
        aliases[str(entry_id)] = tuple(n.strip() for n in names)
        origins[str(entry_id)] = lines(str(entry_id))
    contacts = []
    for item in data.get("contacts") or []:
        if (
            not isinstance(item, dict)
            or not {"region", "department"} <= item.keys()
            or item.keys() - _CONTACT_KEYS
        ):
            problems.append(
                Problem(
                    CURATED,
                    lines(
                        str(item.get("department", "contacts"))
                        if isinstance(item, dict)
                        else "contacts"
                    ),
                    "연락처에는 region, department와 phone/address/hours/note만 쓸 수 있습니다",
                )
            )
            continue
        contacts.append(
            Contact(
                **{k: (str(v).strip() or None) if v is not None else None for k, v in item.items()}
            )
        )
        origins[str(item["department"])] = lines(f"department: {item['department']}")
    examples = data.get("examples") or []
    if not isinstance(examples, list) or not all(
        isinstance(q, str) and q.strip() for q in examples
    ):
        problems.append(
            Problem(CURATED, lines("examples"), "examples는 질문 문자열 목록이어야 합니다")
        )
        examples = []
    taught = _read_taught(data.get("taught") or [], lines, problems)
    for item in taught:
        if item.entry:
            aliases[item.entry] = tuple(
                dict.fromkeys(aliases.get(item.entry, ()) + item.questions)
            )
            origins.setdefault(item.entry, item.line)
    if problems:
        raise KnowledgeError(problems)
    return Curated(
        tuple(synonyms),
        MappingProxyType(aliases),
        tuple(contacts),
        MappingProxyType(origins),
        tuple(q.strip() for q in examples),
        tuple(taught),
    )


def _read_taught(data, lines, problems: list[Problem]) -> list[Taught]:
    """The ``taught`` list: each item has questions, by, at and either entry or answer+region."""
    if not isinstance(data, list):
        problems.append(Problem(CURATED, lines("taught"), "taught는 목록이어야 합니다"))
        return []
    found = []
    for item in data:
        where = _id_line(lines, item.get("id")) if isinstance(item, dict) else lines("taught")
        questions = item.get("questions") if isinstance(item, dict) else None
        if (
            not isinstance(item, dict)
            or item.keys() - _TAUGHT_KEYS
            or not {"id", "questions", "by", "at"} <= item.keys()
            or not isinstance(questions, list)
            or not questions
            or not all(isinstance(q, str) and q.strip() for q in questions)
            or bool(item.get("entry")) == bool(item.get("answer"))
            or (item.get("answer") and not item.get("region"))
            or not _is_time(item.get("at"))
        ):
            problems.append(
                Problem(
                    CURATED,
                    where,
                    "taught 항목에는 id, questions(질문 목록), by, at과 entry 하나 또는 "
                    "answer와 region(+ department)이 필요합니다",
                )
            )
            continue
        optional = {
            k: str(item[k]).strip() or None if item.get(k) is not None else None
            for k in ("entry", "answer", "region", "department")
        }
        found.append(
            Taught(
                str(item["id"]),
                tuple(q.strip() for q in questions),
                str(item["by"]),
                str(item["at"]),
                line=where,
                **optional,
            )
        )
    return found


def _is_time(value) -> bool:
    try:
        datetime.fromisoformat(str(value))
    except ValueError:
        return False
    return True


def _id_line(lines, ident) -> int:
    """The line of a taught item's ``id:``, written plain or quoted (an id of digits only is
    dumped as '202612061200001234'); 1 if neither is there (an item's line is never the first:
    ``taught:`` comes before it)."""
    plain, quoted = lines(f"id: {ident}"), lines(f"id: '{ident}'")
    return plain if plain > 1 else quoted


def taught_entries(curated: Curated, regions: Iterable[Region]) -> list[Entry]:
    """One FAQ entry per taught answer: titled by its first question, found by the others."""
    regions = tuple(regions)
    entries = []
    for item in curated.taught:
        if not item.answer:
            continue
        entries.append(
            Entry(
                id=item.entry_id(regions) or f"taught-{item.id}",
                kind=FAQ,
                region=item.region or "",
                title=item.questions[0],
                source=Source(CURATED, item.line, item.line, TAUGHT_DOCUMENT),
                body=item.answer,
                aliases=item.questions[1:],
                fields={"답변": item.answer},
                department=item.department,
            )
        )
    return entries


def validate(entries: Iterable[Entry], curated: Curated, regions: Iterable[str]) -> list[Problem]:
    """Duplicate ids, empty titles, missing region/source, curated keys that point nowhere."""
    regions = set(regions)
    problems: list[Problem] = []
    seen: dict[str, Entry] = {}
    departments = set()
    for entry in entries:
        where = (entry.source.file, entry.source.line_start)
        if entry.id in seen:
            problems.append(
                Problem(*where, f"중복 id {entry.id} ({seen[entry.id].title} / {entry.title})")
            )
        seen[entry.id] = entry
        if not entry.title.strip():
            problems.append(Problem(*where, f"{entry.id}: 제목이 비어 있습니다"))
        if entry.region not in regions:
            problems.append(
                Problem(
                    *where,
                    f"{entry.id}: 지역 '{entry.region}'은(는) {REGIONS_FILE}에 없는 지역입니다"
                    f" — {REGIONS_FILE}에 추가하세요",
                )
            )
        if entry.kind not in KINDS:
            problems.append(Problem(*where, f"{entry.id}: 알 수 없는 종류 {entry.kind}"))
        if not entry.source or not entry.source.file or entry.source.line_start < 1:
            problems.append(Problem(*where, f"{entry.id}: 출처가 없습니다"))
        if entry.department:
            departments.add((entry.region, entry.department))
        if entry.kind in (DEPARTMENT, TEAM):
            departments.add((entry.region, entry.title))
    for entry in seen.values():
        if entry.parent_id and entry.parent_id not in seen:
            problems.append(
                Problem(
                    entry.source.file,
                    entry.source.line_start,
                    f"{entry.id}: 상위 항목 {entry.parent_id}이(가) 없습니다",
                )
            )
    for entry_id in curated.aliases:
        if entry_id not in seen:
            problems.append(
                Problem(
                    CURATED,
                    curated.origins.get(entry_id, 1),
                    f"aliases: {entry_id}에 해당하는 항목이 없습니다",
                )
            )
    for contact in curated.contacts:
        if (contact.region, contact.department) not in departments:
            problems.append(
                Problem(
                    CURATED,
                    curated.origins.get(contact.department, 1),
                    f"contacts: {contact.region} {contact.department} 부서가 문서에 없습니다",
                )
            )
    return problems


def load_entries(directory: Path | str = DEFAULT_DIR) -> tuple[list[Entry], Curated]:
    """Parsed, curated and validated entries; KnowledgeError listing every problem found."""
    entries, curated, _ = load_contents(directory)
    return entries, curated


def load_contents(
    directory: Path | str = DEFAULT_DIR,
) -> tuple[list[Entry], Curated, tuple[Region, ...]]:
    """Entries, curated data (with the contacts read from contact directories) and regions."""
    directory = Path(directory)
    entries, problems = parse_documents(directory)
    regions = read_regions(directory, [e.region for e in entries])
    try:
        curated = read_curated(directory)
    except KnowledgeError as exc:
        problems.extend(exc.problems)
        curated = Curated()
    entries = entries + taught_entries(curated, regions)
    problems.extend(validate(entries, curated, (r.name for r in regions)))
    if problems:
        raise KnowledgeError(problems)
    entries = [_with_curated_aliases(e, curated) for e in entries]
    return entries, _with_document_contacts(curated, entries), regions


def declared_regions(
    entries: Iterable[Entry], regions: Iterable[Region] = ()
) -> tuple[Region, ...]:
    """``regions``, or without any declared, one per region name the entries use."""
    return tuple(regions) or tuple(
        Region(name, region_code(name)) for name in dict.fromkeys(e.region for e in entries)
    )


def _with_document_contacts(curated: Curated, entries: Iterable[Entry]) -> Curated:
    """Curated contacts plus the phone numbers that department and team entries carry
    (contact directories, tables with 전화번호); an admin's curated contact wins."""
    known = {(c.region, c.department) for c in curated.contacts}
    found = []
    for entry in entries:
        phone = next((entry.fields[k] for k in _PHONE_FIELDS if entry.fields.get(k)), None)
        if entry.kind not in (DEPARTMENT, TEAM) or not phone:
            continue
        name = (
            f"{entry.department} {entry.title}"
            if entry.kind == TEAM and entry.department
            else entry.title
        )
        if (entry.region, name) not in known:
            known.add((entry.region, name))
            found.append(Contact(entry.region, name, phone, entry.fields.get("위치")))
    return replace(curated, contacts=curated.contacts + tuple(found)) if found else curated


def _with_curated_aliases(entry: Entry, curated: Curated) -> Entry:
    extra = curated.aliases.get(entry.id, ())
    if not extra:
        return entry
    return replace(entry, aliases=tuple(dict.fromkeys(entry.aliases + extra)))


def load_yaml(text: str) -> Any:
    """``yaml.safe_load(text)``, parsed by libyaml where PyYAML has it (about a tenth of the
    CPU: reloading the knowledge base reads four YAML files); a text libyaml rejects is parsed
    again by PyYAML's own parser, so errors keep its messages and line marks."""
    try:
        return yaml.load(text, Loader=_YAML_LOADER)
    except yaml.YAMLError:
        return yaml.safe_load(text)


def _read_yaml(path: Path):
    try:
        return load_yaml(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KnowledgeError([Problem(path.name, 0, "파일이 없습니다")]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise KnowledgeError(
            [Problem(path.name, line, f"YAML 형식 오류: {getattr(exc, 'problem', exc)}")]
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise KnowledgeError([Problem(path.name, 0, f"읽을 수 없습니다: {exc}")]) from None


def _line_finder(path: Path):
    """Returns a function giving the first line of ``path`` that mentions a key (or 1)."""
    text_lines = path.read_text(encoding="utf-8").splitlines()

    def find(key: str) -> int:
        for number, line in enumerate(text_lines, start=1):
            if key and key in line:
                return number
        return 1

    return find
