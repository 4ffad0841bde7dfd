"""Asked facts the entry lacks are named first, with where to ask (nlp.fields)."""

from __future__ import annotations

import pytest

from knowledge.base import KnowledgeBase
from knowledge.model import Entry, Source
from nlp import answer
from nlp.analyzer import Query
from nlp.fields import (
    FACTS,
    HOW_TO_APPLY,
    PHONE,
    RECRUITING,
    asked_facts,
    missing_facts,
    object_particle,
    records,
)
from nlp.reply import NOT_FOUND, SUGGEST, Hit
from nlp.responder import render_entry, respond


@pytest.mark.parametrize(
    "question, labels",
    [
        ("전자민원 모니터 모집 기간", ["모집·신청 기간"]),
        ("장학금 신청은 어떻게 하나요?", ["신청 방법"]),
        ("자원봉사팀 전화번호", ["전화번호"]),
        ("공론화위원회 홈페이지 주소", ["홈페이지"]),
        ("행복투어버스 운행 시간 알려줘", ["운행 시간"]),
        ("주민참여예산 사업 있어요?", []),  # 예산 is part of the name, not a question about money
        ("새마을지도자 자녀 장학금 대상이 누구예요", ["지원 대상"]),
        ("새마을지도자 자녀 장학금 조건", []),  # answered by 지원조건, asks no extra fact
        ("청년 일자리 사업 자격 요건", ["지원 대상"]),
        ("요양보호사 자격증 따면 지원금 있어요?", []),  # a certificate, not who may apply
        ("신청서류는 뭐 내야 돼?", ["구비서류"]),
        ("제출서류 뭐예요", ["구비서류"]),
        ("청년심포 프로젝트 지원금 얼마 줘요?", ["지원 금액"]),
        ("장학금 얼마나 받아요", ["지원 금액"]),
        ("홍보대사 예산 얼마예요", ["예산"]),  # the program's budget, not what a citizen gets
        ("다문화어울림축제 언제 열려요?", ["개최 일정"]),
        ("다문화가족 특성화사업 언제 해요?", []),  # a program's 사업기간 answers this one
        ("다문화 이주민 플러스센터 몇 시까지 해요?", ["운영 시간"]),
        ("공공형 실내놀이터 개장 시간", ["운영 시간"]),
        ("스마트공장 교육 몇 시간 받아요?", []),  # a duration, not a time of day
        ("반려동물 놀이터 정확히 어디에 생겨요?", ["장소"]),
        ("시정혁신 발전소 어디에 설치돼 있어요?", ["장소"]),
        ("굿모닝인천 구독 신청은 어디서 해요", ["신청 방법"]),  # where to apply is how
        ("공론화위원회 위원들 이름 다 알려줘", ["명단"]),
        ("규제개혁위원회 위원 명단 전체 알려줘", ["명단"]),
        ("인천시 홍보대사 누구누구예요?", ["명단"]),
        ("전북 홍보대사는 누구예요?", []),  # one person, named in the documents
        ("규제개혁위원회 위원장 누구예요", []),  # the chair: 위원장 answers it
        ("자원봉사자 보험 다치면 최대 얼마까지 보상돼요?", ["보상 내용"]),
        ("자원봉사자 보험 보장내용이 어떻게 돼요? 다치면 얼마 나와요", ["보상 내용"]),
        ("고향나들이 한 가족당 얼마 지원해줘요?", ["지원 금액"]),
        # a grant to a body is its budget: not a 지원 금액 the documents lack
        ("도 국제교류센터에 출연금 얼마 주는교", []),
        ("민간단체에 보조금 얼마나 줘요", []),
        ("스마트공장 배움터 교육비 얼마예요?", ["교육비"]),
        ("한바탕 국민체육센터 이용료 얼마예요", ["이용료"]),
        ("국비 도비 분담 비율이 어떻게 돼요", []),
        ("전북사랑도민증 발급 받으려면 어디로 가야 돼요?", ["신청 방법"]),
        ("전주 행복투어버스 예약 어떻게 해요", ["신청 방법"]),
        ("얼썬전북 구독 신청 어디서 해요", ["신청 방법"]),
        ("누가 신청할 수 있어요?", ["지원 대상"]),  # who may, not how
        ("자립지원금은 아무나 받아요? 어떻게 뽑아요", ["지원 대상"]),  # who is chosen, not how
        ("장학생 선발 기준이 뭐예요", ["지원 대상"]),
        ("새마을지도자 자녀 장학금 언제까지 내야 돼요?", ["모집·신청 기간"]),
        ("인천 주민자치박람회 언제 해요?", ["개최 일정"]),
        ("주민자치박람회 몇 번 열렸어요?", []),  # a count, not a date
        ("전북 국제교류센터 찾아가는 길", ["장소"]),
        ("전주 드론축구 체험 어디서 할 수 있어요?", ["장소"]),
        ("전북 국제교류센터 문의는 어디로 해요?", ["전화번호"]),
        ("고향사랑기부 얼마까지 할 수 있어요?", ["한도"]),
        ("전주 출생축하금 신청하면 언제 입금돼요?", ["지급 시기"]),
        ("전주 치매 조기검진 무료예요?", ["이용 요금"]),
        ("전주 치매 조기검진 비용 있어요?", ["이용 요금"]),  # what the citizen pays
        ("치매 조기검진 사업 예산 얼마예요?", ["예산"]),
        ("굿모닝인천 구독료 얼마예요", ["구독료"]),
        ("인천 홍보대사 임기 몇 년이에요?", ["임기"]),
        ("주차장 야간 개방 시간 알려주세요", ["운영 시간"]),  # 주차장 is the topic, not a fact
        ("전주 어린이병원비 지원 받으려면 뭐 준비해야 돼요", ["구비서류"]),
        ("인천시 카카오톡 채널 있어요?", []),  # whether it exists: the documents say
        ("외국인 아내가 피신할 수 있는 데 도에서 지원하나요", []),  # whether there is support
        ("쉼터에서 나와서 정착하라고 주는 돈 있어요?", []),  # support, not a fee
        ("비영리민간단체 지원 신청서 어디로 내요?", ["신청 방법"]),  # where a form is handed in
        ("공익활동 지원 신청서 양식 어디서 받아요", ["신청 방법"]),
        ("행복투어버스 다음번 운행 날짜 언제예요", ["날짜"]),
        ("시민제안 심사기간 며칠로 줄였어요?", []),  # a duration, not a day
        ("치매 무료 조기검진 어디 가서 받으면 돼요", ["장소"]),  # 무료 names the service
        ("직소민원실 몇층에 있어요?", ["장소"]),
        ("고향사랑기부 하면 세액공제 얼마 돼요", ["세액공제"]),  # a measure named, not a budget
        ("전주사랑상품권 할인율 몇프로에요", ["할인율"]),
        ("인천 새마을회 팩스번호 뭐예요", ["팩스"]),
        ("자원봉사 보험 보상금 얼마 받아요", ["보상 내용"]),
        ("에코시티 복합커뮤니티센터 언제 개관해요?", ["개관"]),
        ("고향사랑기부 답례품 리스트 있어요?", ["답례품"]),  # 리스트, 종류, 목록 ask for it
        ("답례품 종류 좀 알려줘", ["답례품"]),
        ("찾아가는 시청 다음 일정 알려주세요", ["날짜"]),  # the next day
        ("주민참여예산 추진 일정 어떻게 돼요", []),  # the plan's 추진일정 answers it
        ("청년 공유주택 연락할 번호 좀", ["전화번호"]),
        ("담당자분 성함이 어떻게 되세요", ["담당자 이름"]),
        ("혁신담당관실 과장님 이름이 뭐예요", ["담당자 이름"]),  # the head by the post's name
        ("다문화지원팀 팀장님 성함 알려주세요", ["담당자 이름"]),
        ("혁신 담당 부서장 이름이 뭐예요", ["담당자 이름"]),  # any unit's head
        ("장학금 언제부터 신청 받아요", ["모집·신청 기간"]),
        ("접수 시작 언제예요", ["모집·신청 기간"]),
        ("온라인으로 신청 돼요?", ["신청 방법"]),
        ("직접 방문해야 돼요?", ["신청 방법"]),
        ("나이 제한 있어요?", ["지원 대상"]),
        ("소득 기준 있어요?", ["지원 대상"]),
        ("플러스센터 상담 시간 알려주세요", ["운영 시간"]),
        ("플러스센터 주말에도 해요?", ["운영 시간"]),
        ("주민센터를 주말에도 열게 도와주는 사업", []),  # the topic, not its hours
        ("합격자 발표 언제예요", ["결과 발표일"]),
        ("선정 결과는 언제 나와요", ["결과 발표일"]),
        ("주민참여예산 평가 결과 나왔어요?", []),  # the results, which a report may give
        ("다른 장학금이랑 같이 받을 수 있어요?", ["중복 지원 여부"]),
        ("중복 지원 되나요", ["중복 지원 여부"]),
        ("청년이랑 어르신 같이 받을 수 있는 사업", []),  # who, not whether twice
        ("로또 1등 번호 뭐였어?", []),  # a number, not a telephone
        ("장학금 받으려면 무슨 서류 내요", ["구비서류"]),
        ("투어버스 어디에 신청하면 돼요", ["신청 방법"]),
        ("보험금 청구 어떻게 해요", ["신청 방법"]),
        ("정책 제안은 어떻게 내요", ["신청 방법"]),
        ("한바탕 국민체육센터 이용료 한달에 얼마예요", ["이용료"]),
        # a fact's noun followed by other words names the topic; nothing is asked of it
        ("인천 홈페이지 청원에 6천명 넘게 공감하면 토론 붙이는 위원회", []),
        ("도청 홈페이지 관리하고 페북 인스타에 소식 올리는 사업", []),
        ("고향에 기부하면 답례품 주는 제도 전북은 어땠어요", []),
        ("국제회의 끌어오려고 ICCA 회비 내는 건 무슨 사업", []),
        ("월세 싼 임대주택 오천호 공급한다던 시장 약속", []),
        ("병원비 많이 나오면 시에서 상한선 정해준다던데", []),
        ("실내 체육관 새로 짓는 거 땅 보상 얘기 나오던데", []),
        ("인천시에서 매달 내는 무료 잡지", []),
        ("국제교류센터 입장권 가격", ["가격"]),
        ("장학금 신청하는 곳", ["신청 방법"]),
        ("자매결연 참여 신청", ["신청 방법"]),  # the bare act closing the question
        ("청년 창업 지원", []),  # a program's name, not how to apply
        ("장학금 접수처가 어디요", ["신청 방법"]),
        ("도민증 발급 받는 곳", ["신청 방법"]),
        ("자립지원금 언제 나와요", ["지급 시기"]),
        ("장학금 언제 줘요", ["지급 시기"]),
        ("자원봉사센터 번호 알려줘", ["전화번호"]),
        ("민원 접수 번호 알려줘", []),  # a receipt's number, not a phone
        ("축제 입장료 있음?", ["입장료"]),
        ("축제 공짜예요?", ["이용 요금"]),
        ("장학금 담당 직원 이름", ["담당자 이름"]),
        ("모니터 몇 명 뽑아요", ["모집 인원"]),
        ("모니터 뽑는 거 언제까지", ["모집·신청 기간"]),
        ("도민증 만드는 법", ["신청 방법"]),
        ("센터 가는 법", ["장소"]),
        ("버스 타는 곳", ["장소"]),
        ("놀이터 언제 생겨요", ["완공·개관 시기"]),
        ("위원회들 이름 좀", []),  # the names of many committees, not their members
        ("서류 어디다 내", ["신청 방법"]),
        ("장학금 받을라믄 어떻게 해야 돼", ["신청 방법"]),
        ("보험 들라면 어디로", ["신청 방법"]),
        ("서포터즈 되려면", ["신청 방법"]),
        ("모니터 하고 싶은데 어떻게 해", ["신청 방법"]),
        ("장학금 받으려면 조건이 뭐예요", []),  # what it takes: 지원조건 answers
        ("서포터즈 지원은 언제부터", ["모집·신청 기간"]),
        ("이거 누구한테 물어봐야 돼", ["담당 부서"]),  # whom to ask, not who receives
        ("담당 선생님 이름", ["담당자 이름"]),
        ("사무실 어디야", ["장소"]),
        ("자매결연 맺은 지역 어디어디예요?", []),  # which ones, not where
        ("자립지원금 받으려면 어떻게 선정돼요?", ["지원 대상"]),  # what it takes, not how to apply
        ("데이케어 한달에 얼마 내요", ["이용 요금"]),
        ("그 사업 돈 얼마 들어?", ["예산"]),  # what it costs the city, not a fee
        ("배움터 교육비 내야 돼요?", ["교육비"]),
        ("위원은 어떻게 모집해요", ["신청 방법"]),
        ("이동 시청 이번엔 어디로 와요", ["장소"]),
        ("자매결연 담당하는 과가 어디예요", ["담당 부서"]),
        ("투어버스 운행 일정 어떻게 돼요", ["운행 일정"]),
        ("시민단체들 어디어디 있어요", []),  # which ones, not where
        ("센터 토요일도 해요?", ["운영 시간"]),
    ],
)
def test_the_asked_fact_is_recognised(question, labels):
    title = "주민참여예산" if "주민참여예산" in question else ""
    assert [f.label for f in asked_facts(question, title=title)] == labels


@pytest.mark.parametrize(
    "question, title, labels",
    [
        ("주민참여예산사업 알려줘", "주민참여예산", []),  # the cue lies inside the name
        # a cue reaching past a word of the name asks: the "… 운영" program's 운영시간
        ("플러스센터 운영시간", "다문화 이주민 플러스센터 운영", ["운영 시간"]),
    ],
)
def test_a_cue_asks_unless_it_lies_inside_the_entry_name(question, title, labels):
    assert [f.label for f in asked_facts(question, title=title)] == labels


@pytest.mark.parametrize(
    "question, sentence, where",
    [
        (
            "전자민원 모니터 모집 기간",
            "'전자민원 모니터 운영'의 모집·신청 기간이 나와 있지 않습니다.",
            "전라북도 정무기획과에 문의해 주세요.",
        ),
        (
            "전북 자원봉사팀 전화번호",
            "'자원봉사팀'의 전화번호가 나와 있지 않습니다.",
            "정무기획과",
        ),
        ("전북사랑도민증 어떻게 가입해요", "의 신청 방법이 나와 있지 않습니다.", "대외국제소통국"),
        ("새마을지도자 자녀 장학금 신청 방법", "의 신청 방법이 나와 있지 않습니다.", "정무기획과"),
        (
            "청년 공유주택 예산은?",
            "'청년 공유주택 건립 지원'의 예산이 나와 있지 않습니다.",
            "대표 민원실",
        ),
        (
            "인천 규제개혁위원회 전화번호",
            "'규제개혁위원회'의 전화번호가 나와 있지 않습니다.",
            "혁신담당관실",
        ),
        (
            "전북 다문화어울림축제 언제 열려요?",  # not the program's 사업기간 2021–2025
            "'결혼이민자 사회통합정책'의 개최 일정이 나와 있지 않습니다.",
            "국제협력과",
        ),
        (
            "전주 행복투어버스 운행 시간 알려줘",
            "의 운행 시간이 나와 있지 않습니다.",
            "대표 민원실",
        ),
        (
            "다문화 이주민 플러스센터 몇 시까지 해요?",
            "'다문화 이주민 플러스센터 운영'의 운영 시간이 나와 있지 않습니다.",
            "국제협력과",
        ),
        (
            "전주 반려동물 놀이터 정확히 어디에 생겨요?",
            "'반려동물 놀이터 조성'의 장소가 나와 있지 않습니다.",
            "전주시 대표 민원실",
        ),
        (
            "인천 공론화위원회 위원들 이름 다 알려줘",
            "'공론화위원회'의 명단이 나와 있지 않습니다.",
            "시민정책담당관실",
        ),
        (
            "자원봉사자 보험 다치면 최대 얼마까지 보상돼요?",
            "의 보상 내용이 나와 있지 않습니다.",
            "정무기획과",
        ),
        (  # 지원조건 names who is supported, not how much
            "다문화가족 고향나들이 한 가족당 얼마 지원해줘요?",
            "'다문화가족 정착지원(시군)'의 지원 금액이 나와 있지 않습니다.",
            "국제협력과",
        ),
        (  # the report mentions 답례품 without saying which
            "전북 고향사랑기부 답례품 뭐뭐 있어요?",
            "의 답례품이 나와 있지 않습니다.",
            "대외국제소통국",
        ),
        (
            "스마트공장 배움터 교육비 얼마예요?",
            "'스마트공장 배움터 구축 사업'의 교육비가 나와 있지 않습니다.",
            "전주시 대표 민원실",
        ),
        (  # a line names the programme's 공개모집, not where the form goes
            "인천 비영리민간단체 공익활동 지원 신청서 어디로 내요?",
            "의 신청 방법이 나와 있지 않습니다.",
            "공동체협치담당관실",
        ),
        (
            "새마을지도자 자녀 장학금 다른 장학금이랑 중복 지원 되나요",
            "'새마을지도자 자녀 장학금 지원'의 중복 지원 여부가 나와 있지 않습니다.",
            "정무기획과",
        ),
        (
            "새마을지도자 자녀 장학금 온라인으로 신청 돼요?",
            "'새마을지도자 자녀 장학금 지원'의 신청 방법이 나와 있지 않습니다.",
            "정무기획과",
        ),
        (
            "다문화 이주민 플러스센터 주말에도 해요?",
            "'다문화 이주민 플러스센터 운영'의 운영 시간이 나와 있지 않습니다.",
            "국제협력과",
        ),
        (  # "100% 도비사업" says who pays, not how much a monitor gets
            "전자민원 모니터 활동하면 한 건에 얼마 줘요",
            "'전자민원 모니터 운영'의 지원 금액이 나와 있지 않습니다.",
            "정무기획과",
        ),
        (
            "새마을지도자 자녀 장학금 받으려면 무슨 서류 내요",
            "'새마을지도자 자녀 장학금 지원'의 구비서류가 나와 있지 않습니다.",
            "정무기획과",
        ),
        (  # a budget row "'19년 4.6백만원" is not a day
            "인천 찾아가는 시청 다음 일정 알려주세요",
            "날짜가 나와 있지 않습니다.",
            "시민정책담당관실",
        ),
        (  # the record gives past trips' days, not the next one
            "전주 행복투어버스 다음번 운행 날짜 언제예요",
            "날짜가 나와 있지 않습니다.",
            "전주시 대표 민원실",
        ),
        (
            "전주사랑상품권 할인율 몇프로에요",
            "의 할인율이 나와 있지 않습니다.",
            "전주시 대표 민원실",
        ),
        (
            "고향사랑기부 하면 세액공제 얼마 돼요",
            "의 세액공제가 나와 있지 않습니다.",
            "대외국제소통국",
        ),
        (
            "전북 직소민원실 몇층에 있어요?",
            "'직소민원실 운영'의 장소가 나와 있지 않습니다.",
            "정무기획과",
        ),
    ],
)
def test_a_missing_fact_is_said_in_the_first_sentence(
    kb: KnowledgeBase, question, sentence, where
):
    first = respond(kb, question).text.splitlines()[0]
    assert first.startswith("이 자료에는 ") and sentence in first and where in first


def test_a_missing_fact_without_a_department_names_the_regions_own_contact(kb: KnowledgeBase):
    """A representative contact an admin put in regions.yaml replaces the 110 fallback."""
    import dataclasses

    regions = tuple(
        dataclasses.replace(r, phone="063-222-1000", note="전주시청 민원콜센터")
        if r.name == "전주시"
        else r
        for r in kb.regions
    )
    first = respond(
        dataclasses.replace(kb, regions=regions), "전주 행복투어버스 운행 시간 알려줘"
    ).text.splitlines()[0]
    assert "전주시 대표 전화(063-222-1000, 전주시청 민원콜센터)로 문의해 주세요." in first


def test_the_project_period_never_stands_in_for_the_recruitment_period(kb: KnowledgeBase):
    text = respond(kb, "전자민원 모니터 모집 기간").text
    assert "사업기간" not in text and "2021년01월01일" not in text


@pytest.mark.parametrize(
    "question, stand_in",
    [
        ("자원봉사자 보험 다치면 최대 얼마까지 보상돼요?", "'21예산 93백만원"),
        ("다문화가족 고향나들이 한 가족당 얼마 지원해줘요?", "'21예산 1,210백만원"),
        ("다문화 이주민 플러스센터 몇 시까지 해요?", "2021년01월01일"),
        ("인천시 홍보대사 누구누구예요?", "소관부서"),
    ],
)
def test_a_neighbouring_field_never_stands_in_for_the_missing_one(
    kb: KnowledgeBase, question, stand_in
):
    assert stand_in not in respond(kb, question).text


@pytest.mark.parametrize(
    "line, fact, stated",
    [
        ("다양한 답례품 체험과 이벤트로 기부 참여를 유도했다", "답례품", False),
        ("답례품: 지역 농특산물", "답례품", True),
        ("참가비 1만원", "참가비", True),
        ("국비 50%, 도비 20%, 시군비 30%", "지원 금액", False),  # who pays, not how much
        ("1인당 연 50만원 지원", "지원 금액", True),
        ("운영시간 09:00~18:00", "운영 시간", True),
        ("시범 운영 14개 시군", "운영 시간", False),
        ("어린이병원비국가보장추진연대(59개 단체 가입)", "보상 내용", False),
        ("상해 보상 최대 1,000만원", "보상 내용", True),
        ("군구 지역협치 활성화 사업 등 공모·지원: '20년 200백만원", "모집·신청 기간", False),
        ("청년예술인 작품 공모전 : '20. 10. 12. ~ 12. 18.", "모집·신청 기간", True),
        ("영문소식지 <Incheon Now> 발간", "홈페이지", False),  # a name, not an address
        ("누리집 www.incheon.go.kr", "홈페이지", True),
    ],
)
def test_a_fact_is_stated_by_a_value_not_by_a_mention(line, fact, stated):
    entry = Entry(
        "t-1",
        "program",
        "전라북도",
        "시험 사업",
        Source("t.txt", 1, 1, "시험"),
        fields={"내용": line},
    )
    asked = next(f for f in FACTS if f.label == fact)
    assert records(entry, asked) is stated


def test_did_you_mean_says_first_that_none_of_the_offers_states_the_asked_fact(
    kb: KnowledgeBase,
):
    reply = respond(kb, "인천 찾아가는 시청 다음에 어디서 해요?")
    first = reply.text.splitlines()[0]
    assert reply.band == SUGGEST
    assert first.startswith("이 자료에는 물으신 장소가 나와 있지 않습니다.")
    assert "인천광역시 대표 민원실" in first


@pytest.mark.parametrize(
    "question",
    [
        "인천 찾아가는 시청 다음에",  # no fact asked: the offers alone
        "주민참여예산 뭐더라 그거",  # 예산 is the offered entry's own name
    ],
)
def test_did_you_mean_without_an_unstated_fact_offers_only(kb: KnowledgeBase, question):
    reply = respond(kb, question)
    assert reply.band != SUGGEST or reply.text.startswith("정확히 일치하는 항목을 찾지")


@pytest.mark.parametrize(
    "question, fact",
    [
        ("인천광역시 새마을회 전화번호", "433-4054"),  # the document gives it
        ("규제개혁위원회 위원장 누구예요", "박준하"),
        ("한스타일 공간연출사업 예산 얼마예요", "360"),
    ],
)
def test_a_recorded_fact_is_answered_not_called_missing(kb: KnowledgeBase, question, fact):
    first = respond(kb, question).text.splitlines()[0]
    assert "나와 있지 않습니다" not in first and fact in first


@pytest.mark.parametrize(
    "question",
    [
        "인천 시민제안 심사기간 며칠로 줄었어요",  # 15일: a duration the entry states
        "인천 홈페이지 청원에 몇 명 공감하면 공론화 심의해요?",  # 홈페이지 names the topic
        "고향에 기부하면 답례품 주는 제도 전북은 올해 어땠어요?",
        "도청 홈페이지 관리하고 페북 인스타로 도정 알리는 사업",
        "인천 작은 시민단체인데 활동비 지원받을 수 있나요",
        "국제회의 끌어오려고 홍보 동영상 만들고 ICCA 회비 내는 건 무슨 사업",
    ],
)
def test_a_fact_that_is_not_asked_is_never_called_missing(kb: KnowledgeBase, question):
    assert "나와 있지 않습니다" not in respond(kb, question).text


@pytest.mark.parametrize(
    "word, particle",
    [("예산", "을"), ("신청 방법", "을"), ("담당 부서", "를"), ("전화번호", "를")],
)
def test_object_particle(word, particle):
    assert object_particle(word) == particle


def test_facts_shadow_the_broader_ones():
    assert asked_facts("신청 기간 언제예요") == (RECRUITING,)
    assert asked_facts("신청 방법 알려주세요") == (HOW_TO_APPLY,)
    assert asked_facts("담당자 전화번호") == (PHONE,)


@pytest.mark.parametrize(
    "question, row, other",
    [
        (
            "시민토론회 개최 예산 얼마",
            "예산 중 시민토론회 개최는 '19년 106백만원, '20년 146백만원입니다.",
            "시민정책자문단 운영: '19년 27백만원",
        ),
        (
            "인천 시민정책자문단 운영 예산",
            "예산 중 시민정책자문단 운영은 '19년 27백만원, '20년 31백만원입니다.",
            "시민토론회 개최: '19년 106백만원",
        ),
    ],
)
def test_only_the_budget_row_asked_for_answers(kb: KnowledgeBase, question, row, other):
    text = respond(kb, question).text
    assert row in text.splitlines()[0] and other not in text


@pytest.mark.parametrize(
    "question, lead",
    [
        ("인천 소통협력관 정원", "소통협력관의 정원은 67명입니다."),  # not its 소통협력관 field
        ("인천 혁신담당관실 정원 몇 명이에요", "혁신담당관실의 정원은 12명입니다."),  # nor 담당관
        ("인천 소통협력관 이름이 뭐예요", "소통협력관의 소통협력관은 신봉훈입니다."),  # the post
    ],
)
def test_a_field_named_like_the_entry_itself_is_not_asked_for(kb: KnowledgeBase, question, lead):
    assert respond(kb, question).text.splitlines()[0] == lead


@pytest.mark.parametrize(
    "question, lead",
    [
        ("국제협력과 현원 몇 명이야", "국제협력과의 현원은 17명입니다."),  # the staff there now
        ("국제협력과 정원 몇 명이야", "국제협력과의 정원은 19명입니다."),  # the posts
        ("국제협력과 몇 명이야", "국제협력과의 정원은 19명입니다."),
    ],
)
def test_current_staff_and_posts_are_told_apart(kb: KnowledgeBase, question, lead):
    assert respond(kb, question).text.splitlines()[0] == lead


@pytest.mark.parametrize(
    "question, first",
    [
        (
            "우주정거장 견학 신청 방법",
            "말씀하신 신청 방법은 제가 가진 자료(전라북도·전주시·인천광역시·나주시 공식 문서)에 "
            "나와 있지 않습니다.",
        ),
        ("남극 세종기지 월동대", "죄송합니다."),  # nothing asked: the plain "not found"
        # a budget nearly every entry records: its absence says nothing when none was found
        ("남극 세종기지 월동대 예산 얼마예요", "죄송합니다."),
    ],
)
def test_not_found_leads_with_the_asked_fact(kb: KnowledgeBase, question, first):
    reply = respond(kb, question)
    assert reply.band == NOT_FOUND and reply.text.startswith(first)


@pytest.mark.parametrize(
    "question, lacking",
    [
        ("야호시장 언제 열려요?", []),  # the record gives the day it was held
        ("야호시장 다음엔 언제 열려요?", ["개최 일정"]),  # not the next one
        ("야호시장 내년에는 언제 열려요?", ["개최 일정"]),
    ],
)
def test_a_past_date_does_not_answer_when_the_next_one_is(question, lacking):
    entry = Entry(
        "t-1",
        "pledge",
        "전주시",
        "벼룩시장 등 생활문화공간 확대",
        Source("t.txt", 1, 1, "시험"),
        fields={"시민소통실적": "• 2019 제1회 전주시 야호시장 개최 ('19. 10. 12)"},
    )
    facts = asked_facts(question)
    assert [f.label for f in missing_facts(entry, facts, text=question)] == lacking


@pytest.mark.parametrize(
    "question, first",
    [
        # the department in charge, not the 시행주체 (14개 시군) the 담당 cue also brings
        ("전북 새마을지도자 장학금은 어느 팀 담당이에요", "의 담당 부서는 전라북도 정무기획과"),
        # what a student receives, not the programme's budget
        ("전북 새마을지도자 자녀 장학금 대학생이면 얼마나 받아요?", "의 지원 금액은 고등학생"),
        ("인천광역시 새마을회 연락처 알려주세요", "새마을회의 연락처는 433-4054입니다."),
        # no field answers: the line holding the asked figure leads, not the card's title
        ("굿모닝인천 한 달에 몇 부나 찍어요", "월 3만7천부"),
        ("전주 장애인 일자리 사업 몇 명 참여했어요", "295명"),
        ("전주시 치매 조기검진 몇 건 했어요", "5,547건"),
    ],
)
def test_the_answer_leads_the_reply(kb: KnowledgeBase, question, first):
    text = respond(kb, question).text
    assert first in text.splitlines()[0]
    assert len(text) <= 600 and len(set(text.splitlines()[0:1]) & set(text.splitlines()[1:])) == 0


# One field listing several activities, each a line with the dashed lines that describe it.
ACTIVITIES = (
    "치매안심마을 치매 극복의 날 주간행사: '19. 9. 12. ~ '19. 9. 25.\n"
    "- 참여인원 : 기념식 100여명\n"
    "- 장 소 : 전주평화사회복지관 3층 강당\n"
    "치매 무료 조기검진사업 추진(5,547건) : ~ '20. 12.\n"
    "치매환자 인지재활 프로그램 운영(24회 66명) : '20. 10. ~ 12."
)


@pytest.mark.parametrize(
    "question, lacking",
    [
        ("치매 조기검진 장소", ["장소"]),  # the place listed is the event's
        ("치매 조기검진 받는 곳 위치 알려주세요", ["장소"]),
        ("인지재활 프로그램 몇 층에서 해요?", ["장소"]),
        ("치매 극복의 날 행사 장소", []),
        ("치매극복의날 주간행사 어디서 열려요?", []),
        ("치매 장소", []),  # names no one activity more than the others
    ],
)
def test_a_place_is_stated_only_by_the_asked_activitys_lines(question, lacking):
    entry = Entry(
        "t-1",
        "pledge",
        "전주시",
        "치매걱정 없는 도시, 데이케어 지원사업",
        Source("t.txt", 1, 1, "시험"),
        fields={"시민소통실적": ACTIVITIES},
    )
    facts = asked_facts(question)
    assert [f.label for f in missing_facts(entry, facts, text=question)] == lacking


@pytest.mark.parametrize(
    "question, first",
    [
        ("전주 치매 조기검진 장소", "의 장소가 나와 있지 않습니다"),
        ("전주 치매 극복의 날 행사 장소", "전주평화사회복지관"),
    ],
)
def test_the_place_of_another_activity_does_not_answer(kb: KnowledgeBase, question, first):
    assert first in respond(kb, question).text.splitlines()[0]


@pytest.mark.parametrize(
    "question, labels",
    [
        ("치매 조기검진 어디서 받아요", ["장소"]),
        ("치매 조기검진 어디서 받나요?", ["장소"]),
        ("치매 조기검진 어디에서 받을 수 있어요?", ["장소"]),
        ("인지재활 프로그램은 어디서 받아요", ["장소"]),
        # where one applies or gets a form is how to apply; a contact is a phone number
        ("치매 조기검진 어디서 신청해요", ["신청 방법"]),
        ("지원 어디서 받을 수 있어요", ["신청 방법"]),
        ("공익활동 지원 신청서 어디서 받아요", ["신청 방법"]),
        ("전북 국제교류센터 문의는 어디로 해요?", ["전화번호"]),
        # not a place: how far, or where a result is sent
        ("어디까지 지원받을 수 있어요", []),
        ("건강검진 결과는 어디로 받아요", []),
        # what to do to get it is how to apply, not where
        ("치매 조기검진 받으려면 어떻게 해요", ["신청 방법"]),
    ],
)
def test_where_a_service_is_received_asks_for_its_place(question, labels):
    assert [f.label for f in asked_facts(question)] == labels


@pytest.mark.parametrize(
    "question",
    ["전주 치매 조기검진 어디서 받아요", "전주 치매 조기검진 어디서 받을 수 있나요?"],
)
def test_the_reply_says_where_a_service_is_received_is_missing(kb: KnowledgeBase, question):
    assert "의 장소가 나와 있지 않습니다" in respond(kb, question).text.splitlines()[0]


def _query() -> Query:
    return Query(
        "시험 사업 전화번호", "시험사업전화번호", "시험사업전화번호", (), (), frozenset(), None
    )


def _entry(entry_id: str, title: str, content: str) -> Entry:
    return Entry(
        entry_id,
        "program",
        "전라북도",
        title,
        Source("t.txt", 1, 1, "시험"),
        fields={"사업내용": content},
    )


@pytest.mark.parametrize("stating_at", [3, 4])
def test_the_missing_fact_lead_is_decided_by_the_entry_the_reply_is_about(
    kb: KnowledgeBase, stating_at
):
    # A lower offer stating the asked phone number does not hide that the first one lacks it.
    hits = [
        Hit(_entry(f"t-{n}", f"시험 사업 {n}", "마을 행사를 엽니다."), 30.0 - n) for n in range(5)
    ]
    stating = _entry("t-s", "다른 사업", "문의 전화 063-123-4567")
    hits[stating_at] = Hit(stating, hits[stating_at].score)
    lead = answer._unstated(kb, "시험 사업 전화번호 알려줘", _query(), tuple(hits))
    assert lead.startswith("이 자료에는 물으신 전화번호가 나와 있지 않습니다.")


def test_no_missing_fact_lead_when_the_first_offer_states_it(kb: KnowledgeBase):
    first = _entry("t-s", "시험 사업", "문의 전화 063-123-4567")
    hits = (Hit(first, 30.0), Hit(_entry("t-1", "시험 사업 1", "마을 행사를 엽니다."), 29.0))
    assert answer._unstated(kb, "시험 사업 전화번호 알려줘", _query(), hits) == ""


@pytest.mark.parametrize(
    "question",
    [
        "인천 아이디어 제안하면 심사 며칠 걸려",
        "아이디어 제안 내면 심사 며칠 걸려요",
        "인천시에 아이디어 제안하면 심사 며칠 만에 해줘요?",  # 만에: how long, not which day
    ],
)
def test_how_long_it_takes_is_answered_by_the_line_with_the_days(kb: KnowledgeBase, question):
    """The line with the days is quoted first, not one with a season ("연중") or a date."""
    plan = next(e for e in kb.entries if e.title.startswith("제안활성화를 통한"))
    text = render_entry(kb, plan.id, question)
    assert "법정 30일 → 15일" in text.partition("관련 내용:")[2].splitlines()[1]


def test_the_head_of_a_unit_asked_by_the_post_is_its_head_field(kb: KnowledgeBase):
    """ "과장님 이름" of a department that is not named asks for its 담당관, not its 담당 부서."""
    office = next(e for e in kb.entries if e.title == "혁신담당관실")
    text = render_entry(kb, office.id, "인천 시민 제안이랑 규제개혁 담당하는 과장님 이름이 뭐에요")
    assert text.splitlines()[0] == "혁신담당관실의 담당관은 최기건입니다."


def test_which_body_was_chosen_is_answered_by_the_line_naming_it(kb: KnowledgeBase):
    """ "어디로 선정됐어" asks for a body, as "누가" does: the line naming one comes first."""
    entry = _entry(
        "t-c", "거점병원 설립", "- 공모 선정 일정 진료 협의\n- 4개 병원(전북대, 인하대) 선정"
    )
    query = kb.index.analyze("거점병원 진료 어디로 선정됐어")
    assert answer.relevant_lines(entry, query, exclude=[])[0].startswith("4개 병원(전북대")


def test_the_entrys_own_name_names_no_row_of_its_budget(kb: KnowledgeBase):
    """ "시민과 함께하는 공감시정 구현 예산": the whole budget (its 계 first), not the row
    "시민정책자문단 운영" that shares the word 시민 with the name."""
    plan = next(e for e in kb.entries if e.title == "시민과 함께하는 공감시정 구현")
    lead = render_entry(kb, plan.id, "시민과 함께하는 공감시정 구현 예산").splitlines()[0]
    assert "227백만원" in lead and " 중 " not in lead
    row = render_entry(kb, plan.id, "인천 시민정책자문단 운영 예산").splitlines()[0]
    assert "예산 중 시민정책자문단 운영은" in row


@pytest.mark.parametrize(
    "title, question, lead",
    [
        # no line shares a word with "가게 몇 군데", but one holds a count of places
        ("전북사랑도민증 활성화로", "도민증 있으면 할인되는 가게 몇 군데야", "441개소"),
        ("전북사랑도민증 활성화로", "도민증 보여주면 할인되는 가게 몇 군데로 늘었어?", "441개소"),
        # "몇퍼", "얼마나 지켰어 퍼센트": the 이행률, not the budget "얼마" would bring
        ("16개 공공기관과 상생", "나주 공기업 마을 자매결연 몇퍼 했냐", "이행률은 31.05%"),
        ("16개 공공기관과 상생", "공기업 마을 결연 공약 얼마나 지켰어 퍼센트", "이행률은 31.05%"),
        # "어디어디": the line listing the places ("자매결연(3) : 미국 워싱턴주, …")
        ("우호·자매결연지역 다변화", "전북 자매결연 맺은 외국 지역 어디어디에요", "워싱턴주"),
        ("우호·자매결연지역 다변화", "전북자매결연지역어디어디", "워싱턴주"),
    ],
)
def test_the_answer_leads_with_the_line_holding_what_is_asked(
    kb: KnowledgeBase, title, question, lead
):
    entry = next(e for e in kb.entries if e.title.startswith(title))
    assert lead in render_entry(kb, entry.id, question).splitlines()[0]
