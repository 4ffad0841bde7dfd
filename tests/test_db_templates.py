"""Reply templates: placeholders checked when stored, filled from the complaint, and chosen by
the complaint's type and department."""

from __future__ import annotations

from datetime import datetime

import pytest

from db.database import KST
from db.office_calendar import set_statutory_period
from db.templates import (
    BadTemplate,
    TemplateChanged,
    TemplateNotFound,
    acknowledgement,
    add_template,
    delete_template,
    get_template,
    set_auto_ack,
    templates_for,
)
from display import filled_template, template_problem


@pytest.fixture
def make(file_complaint):
    def make(db, department="도로과"):
        return file_complaint(
            db,
            "가로등이 고장났어요",
            department=department,
            region="전주시",
            now=datetime(2025, 3, 4, 10, tzinfo=KST),
        )

    return make


def test_placeholders_are_filled_from_the_complaint(db, make):
    complaint = make(db)
    template_id = add_template(
        db,
        "접수 안내",
        "{접수번호} 민원은 {부서}에서 {처리기한}까지 처리합니다 ({유형}).",
        created_by=900,
    )
    assert filled_template(get_template(db, template_id), complaint) == (
        f"{complaint.receipt} 민원은 도로과에서 2025-03-12 18:00까지 처리합니다 (고충)."
    )


@pytest.mark.parametrize(
    "name, body, message",
    [
        ("", "내용", "모두 적어"),
        ("이름", "  ", "모두 적어"),
        ("이름", "{담당자}님이 처리합니다", "알 수 없는 자리표시자 {담당자}"),
        ("가" * 41, "내용", "까지입니다"),
    ],
)
def test_bad_templates_are_refused_with_the_reason(db, name, body, message):
    with pytest.raises(BadTemplate) as refused:
        add_template(db, name, body, created_by=900)
    assert message in template_problem(refused.value)
    assert db["reply_templates"].count == 0


def test_templates_fit_the_type_and_department(db, make):
    road, other = make(db), make(db, "환경과")
    general = add_template(db, "일반", "확인하겠습니다", created_by=900)
    roads = add_template(db, "도로", "보수하겠습니다", created_by=900, department="도로과")
    queries = add_template(db, "질의", "답변드립니다", created_by=900, complaint_type="질의")
    assert [t.id for t in templates_for(db, road)] == [roads, general]
    assert [t.id for t in templates_for(db, other)] == [general]
    assert {t.id for t in templates_for(db)} == {general, roads, queries}
    delete_template(db, roads)
    with pytest.raises(TemplateNotFound):
        delete_template(db, roads)


@pytest.mark.parametrize(
    ("marked", "chosen"),
    [
        ([], None),
        (["global"], "global"),
        (["global", "type"], "type"),
        (["global", "type", "department"], "department"),
        (["global", "type", "department", "both"], "both"),
        (["other department", "global"], "global"),
        (["other department"], None),
    ],
)
def test_the_most_specific_marked_template_acknowledges_a_new_complaint(db, marked, chosen, make):
    complaint = make(db)  # 도로과, suggested type 고충
    scopes = {
        "global": (None, None),
        "type": (complaint.complaint_type, None),
        "department": (None, "도로과"),
        "both": (complaint.complaint_type, "도로과"),
        "other department": (None, "복지과"),
        "unmarked": (None, None),
    }
    for name, (kind, department) in scopes.items():
        template_id = add_template(
            db,
            name,
            f"{name}: {{접수번호}} 접수",
            created_by=900,
            complaint_type=kind,
            department=department,
        )
        set_auto_ack(db, template_id, name in marked)
    chosen_template = acknowledgement(db, complaint)
    assert (chosen_template.name if chosen_template else None) == chosen


@pytest.mark.parametrize("change", ["marked", "replaced", "none"])
def test_a_template_is_removed_only_as_it_was_shown(db, change):
    """The removal an admin confirmed: refused if the template changed since it was shown."""
    first = add_template(db, "안내", "확인하겠습니다", created_by=900)
    shown = get_template(db, first)
    if change == "marked":
        set_auto_ack(db, first, True)
    elif change == "replaced":  # removed, and a newer template got the same id
        delete_template(db, first)
        assert add_template(db, "새 안내", "곧 답합니다", created_by=900) == first
    if change == "none":
        delete_template(db, first, shown=shown)
        assert db["reply_templates"].count == 0
    else:
        with pytest.raises(TemplateChanged):
            delete_template(db, first, shown=shown)
        assert db["reply_templates"].count == 1


def test_marking_an_unknown_template_fails(db):
    with pytest.raises(TemplateNotFound):
        set_auto_ack(db, 99, True)


@pytest.mark.parametrize(
    "complaint_type, department, problem",
    [
        ("고충", "도로과", None),
        ("법정:여권 발급", None, None),
        (None, " 도로  관리과 ", None),
        ("민원", None, "'민원'은(는) 민원 유형이 아닙니다"),
        ("법정:없는 민원", None, "'법정:없는 민원'은(는) 민원 유형이 아닙니다"),
        (None, "과" * 51, "부서 이름은 50자까지"),
    ],
)
def test_a_template_for_a_type_or_department_must_be_able_to_fit(
    db, complaint_type, department, problem
):
    """A type outside deadlines.TYPES and the 법정민원 table would never fit a complaint."""
    set_statutory_period(db, "여권 발급", 4, updated_by=900)
    fields = dict(created_by=900, complaint_type=complaint_type, department=department)
    if problem:
        with pytest.raises(BadTemplate) as refused:
            add_template(db, "안내", "내용", **fields)
        assert problem in template_problem(refused.value)
        assert templates_for(db) == []
        return
    add_template(db, "안내", "내용", **fields)
    [stored] = templates_for(db)
    assert (stored.complaint_type, stored.department) == (
        complaint_type,
        department and " ".join(department.split()),
    )
