"""Small pure functions that turn complaints, statistics and reload results into plain text."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from telegram.constants import MessageLimit

from db import deadlines
from db.complaints import CITIZEN_KINDS, NOTE, REPLY, VIEW, Complaint
from db.outbox import DeliveryStats
from db.questions import QuestionStats
from db.workbench import DUE_SOON_DAYS, Digest
from display import due_text, kst_text, telegram_length
from handlers.arguments import parse_receipt
from knowledge.base import KnowledgeBase, KnowledgeDiff, Problem
from knowledge.model import KIND_LABELS

PREVIEW_CHARS = 40
MAX_PROBLEMS_SHOWN = 15
MAX_IDS_SHOWN = 5
# Telegram refuses a message over 4,096 characters (UTF-16 code units). Complaint texts can be
# longer than that, so views show their start; the CSV export (/export) keeps every character.
MAX_MESSAGE_CHARS = MessageLimit.MAX_TEXT_LENGTH
CONTENT_SHOWN_CHARS = 2500
NOTE_SHOWN_CHARS = 500  # one reply or note in a history list
DEPARTMENT_SHOWN_CHARS = 60
MAX_EVENTS_SHOWN = 20
STAFF_ALERT_PREFIX = "[새 민원] "
# Outbox kinds (handlers.jobs.STAFF_POST and db.complaints' notices) as /stats names them.
NOTIFICATION_KINDS = {
    "staff": "직원방 새 민원 알림",
    "status": "민원인 상태 알림",
    "reply": "민원인 답변 알림",
    "survey": "민원인 만족도 조사",
    "ack": "민원인 자동 접수 안내",
    "relay": "상담원 연결 메시지",
    "relay_post": "직원방 상담원 연결 요청",
    "login": "웹 콘솔 로그인 코드",
}


def clip(text: str, limit: int) -> str:
    """``text`` if it has at most ``limit`` characters, else its start and how long it was."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… (전체 {len(text):,}자 중 앞부분)"


def fit(text: str) -> str:
    """``text`` cut to what Telegram accepts in one message, marked with … when cut."""
    if telegram_length(text) <= MAX_MESSAGE_CHARS:
        return text
    units = text.encode("utf-16-le")
    return units[: (MAX_MESSAGE_CHARS - 1) * 2].decode("utf-16-le", errors="ignore") + "…"


def preview(text: str, limit: int = PREVIEW_CHARS) -> str:
    """First ``limit`` characters on one line."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def department_label(region: str | None, department: str | None) -> str:
    """'전주시 시민소통과', or '담당자가 지정 예정' when the citizen was unsure."""
    if not department:
        return f"{region} · 담당자가 지정 예정" if region else "담당자가 지정 예정"
    department = preview(department, DEPARTMENT_SHOWN_CHARS)
    return f"{region} {department}" if region else department


def draft_summary(draft: Mapping) -> str:
    """What the citizen is about to submit, for the final confirmation."""
    return fit(
        "\n".join(
            [
                "민원 접수 내용을 확인해 주세요.",
                *_draft_lines(draft),
                "맞으면 [접수하기]를 눌러 주세요.",
            ]
        )
    )


def receipt_text(complaint: Complaint, draft: Mapping) -> str:
    """The confirmation a citizen keeps: the receipt number, the legal due date, how to follow
    it and what was filed (the confirmation message becomes this, its buttons gone)."""
    return fit(
        "\n".join(
            [
                "민원이 접수되었습니다.",
                f"접수번호: {complaint.receipt}",
                f"처리기한: {due_text(complaint)}",
                f"처리 상황은 /status {complaint.receipt} 로 확인할 수 있고, "
                "상태가 바뀌거나 담당자가 답변하면 이 대화방으로 알려 드립니다.",
                "",
                "접수한 내용:",
                *_draft_lines(draft),
            ]
        )
    )


def _draft_lines(draft: Mapping) -> list[str]:
    photos = len(draft.get("attachments") or [])
    located = draft.get("latitude") is not None
    mode = "익명" if draft.get("anonymous") else "실명 (개인정보 수집·이용 동의)"
    return [
        f"· 내용: {clip(draft.get('content', ''), CONTENT_SHOWN_CHARS)}",
        f"· 사진: {photos}장" if photos else "· 사진: 없음",
        f"· 위치: {draft['latitude']:.5f}, {draft['longitude']:.5f}"
        if located
        else "· 위치: 없음",
        f"· 담당 부서: {department_label(draft.get('region'), draft.get('department'))}",
        f"· 접수 방식: {mode}",
        f"· 연락처: {draft.get('phone') or '없음'}",
    ]


def staff_alert(complaint: Complaint, similar: Sequence = ()) -> str:
    """A new complaint as posted to the staff chat (full phone number, so staff can call back),
    with similar open ones (db.duplicates.Similar) for staff to link."""
    lines = [f"{STAFF_ALERT_PREFIX}{complaint.receipt}", *_complaint_lines(complaint)]
    lines += [
        f"유사 민원 #{s.complaint.receipt} ({s.complaint.status}, "
        f"{preview(s.complaint.content, 30)}"
        + (f", {s.distance_m:.0f}m" if s.distance_m is not None else "")
        + ")"
        for s in similar
    ]
    if similar:
        lines.append(f"연결: /link {complaint.receipt} 접수번호")
    return fit("\n".join(lines))


def staff_alert_receipt(text: str) -> str | None:
    """The receipt number a ``staff_alert`` text starts with, or None for any other text."""
    first_line = text.split("\n", 1)[0]
    if not first_line.startswith(STAFF_ALERT_PREFIX):
        return None
    return parse_receipt(first_line.removeprefix(STAFF_ALERT_PREFIX))


def complaint_detail(complaint: Complaint, events: Sequence[Mapping]) -> str:
    """Everything staff may see about one complaint, history (with internal notes) last."""
    lines = [f"[민원 {complaint.receipt}] 상태: {complaint.status}", *_complaint_lines(complaint)]
    lines.extend(["", "처리 이력:", *history_lines(events)])
    return fit("\n".join(lines))


def status_text(complaint: Complaint, events: Sequence[Mapping]) -> str:
    """A complaint as its complainant sees it with /status."""
    return fit(
        "\n".join(
            [
                f"[민원 {complaint.receipt}]",
                f"상태: {complaint.status}",
                f"접수일시: {kst_text(complaint.created_at)}",
                f"담당 부서: {department_label(complaint.region, complaint.department)}",
                f"내용: {preview(complaint.content, 100)}",
                "",
                "처리 이력:",
                *history_lines(e for e in events if e["kind"] in CITIZEN_KINDS),
            ]
        )
    )


def history_lines(events: Iterable[Mapping]) -> list[str]:
    """One line per status change, reply, internal note or view, oldest first (the latest
    MAX_EVENTS_SHOWN); callers showing a citizen pass only CITIZEN_KINDS."""
    events = list(events)
    lines = (
        [f"· … 이전 기록 {len(events) - MAX_EVENTS_SHOWN}건"]
        if len(events) > MAX_EVENTS_SHOWN
        else []
    )
    for event in events[-MAX_EVENTS_SHOWN:]:
        when = kst_text(event["created_at"])
        text = clip(event["note"] or "", NOTE_SHOWN_CHARS)
        if event["kind"] == REPLY:
            lines.append(f"· {when} 담당자 답변: {text}")
        elif event["kind"] == NOTE:
            lines.append(f"· {when} 내부 메모 (직원 {event['actor_id']}): {text}")
        elif event["kind"] == VIEW:
            lines.append(f"· {when} 직원 {event['actor_id']} {text}")
        else:
            note = f" ({text})" if event["note"] and event["note"] != event["to_status"] else ""
            lines.append(f"· {when} {event['to_status']}{note}")
    return lines or ["· 없음"]


def complaint_line(complaint: Complaint) -> str:
    """One complaint in a list: receipt, status, date, department, preview."""
    return (
        f"{complaint.receipt} · {complaint.status} · {kst_text(complaint.created_at)[:10]} · "
        f"{department_label(complaint.region, complaint.department)}\n"
        f"   {preview(complaint.content)}"
    )


def stats_text(
    questions: QuestionStats,
    by_status: Mapping[str, int],
    by_department: Mapping[str, int],
    deliveries: DeliveryStats,
) -> str:
    """The /stats report for admins."""
    lines = [
        "[질문]",
        f"오늘 {questions.today}건 · 최근 7일 {questions.week}건 · "
        f"답변률 {questions.answered_rate:.0%}",
        "답하지 못한 질문 (최근 7일, 많은 순):",
        *([f"· {preview(q)} ({n}회)" for q, n in questions.top_unanswered] or ["· 없음"]),
        "",
        "[민원 상태별]",
        " · ".join(f"{status} {n}" for status, n in by_status.items()),
        "[민원 부서별]",
        *([f"· {dept} {n}" for dept, n in by_department.items()] or ["· 없음"]),
        "[알림 발송]",
        f"보내는 중 {deliveries.pending}건 · 보내지 못함 {deliveries.dead}건",
        *[
            f"· #{n.id} {NOTIFICATION_KINDS.get(n.kind, n.kind)} → 대화방 {n.chat_id}, "
            f"{kst_text(n.created_at)}: {preview(n.last_error or '', 80)}"
            for n in deliveries.latest_dead
        ],
    ]
    return "\n".join(lines)


def satisfaction_text(rows: Sequence[Mapping], *, limit: int = 12) -> str:
    """Satisfaction per month and department for /stats (latest first)."""
    lines = ["[만족도 (월·부서별 평균, 5점 만점)]"]
    lines += [
        f"· {r['month']} {r['department']} {r['average']:.1f}점 ({r['count']}명)"
        for r in rows[:limit]
    ] or ["· 아직 응답이 없습니다"]
    return "\n".join(lines)


def reload_text(kb: KnowledgeBase, diff: KnowledgeDiff) -> str:
    """Counts per kind and what a reload changed."""
    totals: dict[str, int] = {}
    for (kind, _region), n in kb.counts().items():
        totals[kind] = totals.get(kind, 0) + n
    by_size = sorted(totals.items(), key=lambda item: -item[1])
    counts = ", ".join(f"{KIND_LABELS.get(kind, kind)} {n}" for kind, n in by_size)
    lines = [
        f"지식베이스를 다시 불러왔습니다: 항목 {len(kb.entries)}개",
        counts,
        f"변경: {diff.summary()}",
    ]
    for label, ids in (("추가", diff.added), ("삭제", diff.removed), ("변경", diff.changed)):
        if ids:
            more = f" 외 {len(ids) - MAX_IDS_SHOWN}개" if len(ids) > MAX_IDS_SHOWN else ""
            lines.append(f"· {label}: {', '.join(ids[:MAX_IDS_SHOWN])}{more}")
    return "\n".join(lines)


def problems_text(problems: Sequence[Problem]) -> str:
    """Why a reload failed, one 'file:line: message' per problem."""
    shown = [f"· {p}" for p in problems[:MAX_PROBLEMS_SHOWN]]
    if len(problems) > MAX_PROBLEMS_SHOWN:
        shown.append(f"· … 외 {len(problems) - MAX_PROBLEMS_SHOWN}건")
    return fit(
        "\n".join(["지식베이스를 불러오지 못해 기존 자료를 그대로 씁니다. 고칠 곳:", *shown])
    )


def _complaint_lines(complaint: Complaint) -> list[str]:
    who = "익명" if complaint.anonymous else "실명 (개인정보 수집·이용 동의)"
    extras = []
    if complaint.attachments:
        extras.append(
            f"사진 {len(complaint.attachments)}장 (/view {complaint.receipt} 의 [첨부 보기])"
        )
    if complaint.latitude is not None and complaint.longitude is not None:
        extras.append(f"위치 {complaint.latitude:.5f}, {complaint.longitude:.5f}")
    return [
        f"접수일시: {kst_text(complaint.created_at)}",
        f"담당 부서: {department_label(complaint.region, complaint.department)}",
        f"처리기한: {due_text(complaint)}",
        f"민원인: {who}",
        f"연락처: {complaint.phone or '없음'}",
        *([" · ".join(extras)] if extras else []),
        "내용:",
        clip(complaint.content, CONTENT_SHOWN_CHARS),
    ]


def digest_text(digest: Digest, *, limit: int = 15) -> str:
    """The morning digest as one staff-chat message."""
    lines = ["[오늘의 처리기한]"]
    for title, items in (
        ("기한 지남", digest.overdue),
        ("오늘 마감", digest.today),
        (f"{DUE_SOON_DAYS}일 안에 마감", digest.soon),
    ):
        lines.append(f"■ {title} {len(items)}건")
        lines.extend(
            f"· {c.receipt} {kst_text(c.due_at)} {c.complaint_type or ''} "
            f"{c.department or '부서 미지정'}"
            for c in items[:limit]
        )
        if len(items) > limit:
            lines.append(f"· … 외 {len(items) - limit}건")
    lines.append("자세히: /view 접수번호 · 목록: /due")
    return "\n".join(lines)


def describe_kind_error(kind: str) -> str:
    """Why ``kind`` is not a complaint type, and which types there are."""
    return (
        f"'{kind}'은(는) 민원 유형이 아닙니다. {', '.join(deadlines.TYPES)} 또는 "
        f"법정:이름 (예: 법정:여권 발급) 중에서 고르세요."
    )
