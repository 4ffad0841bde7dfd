"""The matcher as a citizen meets it: questions that must hit an entry, questions that must
not, field-aware answers, bands on both sides of each threshold, odd input."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from knowledge.base import Curated, KnowledgeBase
from knowledge.model import PROGRAM, DocumentInfo, Entry
from nlp.analyzer import Query
from nlp.answer import (
    ANSWER_THRESHOLD,
    STATED_COUNT_DEPTH,
    SUGGEST_THRESHOLD,
    _other_place,
    answer,
)
from nlp.index import Scored
from nlp.intent import detect_intent
from nlp.normalizer import MAX_QUESTION_CHARS
from nlp.reply import ANSWER, NO_MATCH, NOT_FOUND, OUT_OF_SCOPE, SUGGEST
from nlp.responder import (
    DEPARTMENT_TEXT_CHARS,
    RANKING_DEPTH,
    ranking,
    render_entry,
    respond,
    suggest_departments,
)
from nlp.retrieval import search
from nlp.tokenizer import MAX_UNSPACED_RUN, Tokenizer


@pytest.mark.parametrize(
    "question, title",
    [
        ("새마을지도자 자녀 장학금 지원 조건이 어떻게 되나요?", "새마을지도자 자녀 장학금 지원"),
        ("세마을지도자 장학금", "새마을지도자 자녀 장학금 지원"),  # typo
        ("다문화가족지원센터어디서해요", "다문화가족지원센터"),  # no spacing
        ("자원봉사 코디네이터 인건비 지원", "코디네이터"),
        ("전국 통합 자원봉사보험 가입", "자원봉사보험"),
        (
            "폭력피해 이주여성 쉼터 노후시설 고치는 사업",
            "폭력피해 이주여성 보호시설",
        ),  # 쉼터 ↔ 보호시설
        ("한스타일 공간연출사업 예산", "한스타일"),
        ("국제협력과에는 무슨 팀이 있나요", "국제협력과"),
        ("자원봉사팀은 어느 과 소속이에요?", "자원봉사팀"),
        ("고향사랑기부 답례품", "고향사랑기부"),
        ("전북사랑도민증 가맹점", "전북사랑도민증"),
        ("드론축구 월드컵", "드론축구"),
        ("전주 한옥마을 관광상품", "한옥마을 특화 관광상품"),
        ("전주 지역화폐 도입", "지역화폐"),
        ("발달장애인 주간활동 서비스", "발달장애인"),
        ("인천 500인 시민 대토론회", "공감시정"),
        ("인천 공론화 폐기물 매립지", "공론화"),
        ("인천 규제개혁위원회 위원장", "규제개혁위원회"),
        ("인천 새마을회 연락처", "인천광역시 새마을회"),
        ("굿모닝인천 매거진 발간", "콘텐츠"),
        ("나주 자매결연 이행률", "16개 공공기관과 상생 자매결연"),
        ("전북 비자 새로 만든거 머임?", "전북형 비자"),  # slang question word, generic verbs
        ("도청 블로그 하는 사람 뽑아서 홍보", "파워블로거"),  # curated synonyms: 블로그 ↔ 블로거
        ("애들 병원비 지원", "어린이병원비"),  # 애들 ↔ 어린이
        (
            "전북 정무기획과 2021년 예산 얼마예요?",
            "정무기획과",
        ),  # the document's year holds for its entries
        (
            "인천 도시브렌드 확산 사업 알려주세요",
            "도시브랜드 확산",
        ),  # "확산 사업" is not one body's 확산사업
        ("혁신도시 공공기관 1사1촌 자매결연", "16개 공공기관과 상생 자매결연"),
    ],
)
def test_questions_hit_their_entry(kb: KnowledgeBase, question, title):
    reply = respond(kb, question)
    assert reply.band == ANSWER, reply.text
    assert title.replace(" ", "") in reply.hits[0].entry.title.replace(" ", "")


@pytest.mark.parametrize(
    "question, region",
    [
        ("인천 새마을지도자 자녀 학자금", "인천광역시"),
        ("전북 새마을지도자 자녀 장학금", "전라북도"),
        ("인천 주민참여예산 사업 몇 개", "인천광역시"),
        ("전북 주민참여예산 시행주체", "전라북도"),
        ("나주 자매결연", "나주시"),
    ],
)
def test_a_region_word_picks_that_region(kb: KnowledgeBase, question, region):
    assert respond(kb, question).hits[0].entry.region == region


def test_chosen_region_is_preferred_when_the_question_names_none(kb: KnowledgeBase):
    assert (
        respond(kb, "새마을지도자 자녀 학자금", region="인천광역시").hits[0].entry.region
        == "인천광역시"
    )


@pytest.mark.parametrize(
    "question",
    [
        "오늘 미세먼지 농도 알려줘",
        "축구 경기 결과",
        "강아지 산책",
        "환율 얼마야",
        "삼성전자 주가",
        "ㅋㅋㅋㅋㅋ",
        "asdfghjkl",
        "😀😀😀",
        "한옥마을 맛집 추천해주세요",
        "아이유 콘서트 언제 해요?",
        "제주도 항공권 싼 거 있어?",
        "고향사랑기부 하면 연말정산 세액공제 얼마나 돼요?",
        "1 더하기 1은?",
        "우리 강아지가 자꾸 토하는데 병원 가봐야 할까요?",  # 가보(가봐야) is not in 국가보조금
    ],
)
def test_out_of_scope_is_never_answered(kb: KnowledgeBase, question):
    """Not answered, or about the entry it names, saying first that the asked fact (세액공제)
    is not in the documents."""
    reply = respond(kb, question)
    assert not reply.answered or "나와 있지 않습니다" in reply.text.splitlines()[0], reply.text
    assert reply.text


@pytest.mark.parametrize(
    "question, place",
    [
        ("서울시 청년수당 신청 기간 언제예요?", "서울"),
        ("광주 다문화가족지원센터 위치 알려주세요", "광주"),
        ("경상남도 자원봉사 활동 지원 예산", "경상남도"),
    ],
)
def test_a_question_about_another_place_says_so(kb: KnowledgeBase, question, place):
    reply = respond(kb, question)
    assert not reply.answered and reply.intent == OUT_OF_SCOPE
    assert f"{place}의 사업이나 제도는 안내할 수 없습니다" in reply.text


@pytest.mark.parametrize(
    "question, place",
    [("서울 부산 청년수당 신청 기간", "서울"), ("부산 서울 청년수당 신청 기간", "부산")],
)
def test_of_two_other_places_the_first_written_is_named(kb: KnowledgeBase, question, place):
    """Not whichever of the two the process's string hashing happened to put first."""
    assert _other_place(kb, question) == place


@pytest.mark.parametrize(
    "question, shown",
    [
        ("전북 다문화가족지원센터 운영", "다문화가족지원센터 운영"),  # a region of its own
        ("제2중앙경찰학교 남원 유치", "제2중앙경찰학교 남원시 유치"),  # 남원 is no province
        ("인천 새마을회 전화번호", "433-4054"),
        ("수도권·세종 지역 도정협력체계", "수도권·세종"),  # 세종 is in the entry itself
    ],
)
def test_a_place_the_documents_mention_is_not_elsewhere(kb: KnowledgeBase, question, shown):
    reply = respond(kb, question)
    assert reply.answered and shown in reply.text, reply.text


@pytest.mark.parametrize(
    "question, fact, field",
    [
        ("새마을지도자 자녀 장학금 지원 조건이 어떻게 되나요?", "공납금", "지원조건"),
        ("한스타일 공간연출사업 예산 얼마예요", "360", "예산"),
        ("규제개혁위원회 위원장 누구예요", "박준하", "위원장"),
        ("인천광역시 새마을회 전화번호", "433-4054", "연락처"),
        ("홍보기획과 정원 몇 명", "15", "정원"),
    ],
)
def test_answers_lead_with_the_field_asked_about(kb: KnowledgeBase, question, fact, field):
    first = respond(kb, question).text.splitlines()[0]  # one sentence that answers, first
    assert f"의 {field}" in first and fact in first and first.endswith("니다.")


@pytest.mark.parametrize(
    "question, led",
    [
        ("새마을지도자 장학금 사업 있나요", "네, 있습니다 — 지원조건: 고등학생"),
        ("인천 공론화위원회 있어요?", "네, 있습니다 — 구성: 계 15명"),
        ("전주 청년 공유주택 공약 있어요?", "네, 있습니다."),
    ],
)
def test_whether_there_is_one_is_answered_yes_first(kb: KnowledgeBase, question, led):
    lines = respond(kb, question).text.splitlines()
    assert lines[0].startswith(led), lines[0]
    said = lines[0].partition(": ")[2].rstrip(".")
    assert not said or not any(said in line for line in lines[1:])  # no line twice


@pytest.mark.parametrize(
    "question",
    [
        "새마을지도자 장학금 신청할 수 있어요?",  # whether one may, not whether there is one
        "인천 공론화위원회 위원장 누가 있어요?",
        "새마을지도자 자녀 장학금 조건",
        "반려동물 미용 잘하는 곳 있나요",  # a place sought, not such a program
    ],
)
def test_other_questions_get_no_yes(kb: KnowledgeBase, question):
    assert not respond(kb, question).text.startswith("네, 있습니다")


def test_a_team_card_names_the_work_it_is_in_charge_of(kb: KnowledgeBase):
    text = respond(kb, "전북 직소민원팀").text
    assert "· 맡은 일 (사업명으로 추정): 희망을 찾는 직소민원실 운영" in text
    assert "(4개)" in text


@pytest.mark.parametrize(
    "question, first",
    [
        # the typos the normalizer mends reach every later stage, not only the search
        ("자원봉사센터 전번 좀", "전화번호가 나와 있지 않습니다"),
        ("전북허고 인천 주민참여예산 뭐가 다른가", "'주민참여예산'을 지역별로 비교합니다"),
    ],
)
def test_the_normalized_question_is_answered(kb: KnowledgeBase, question, first):
    reply = respond(kb, question)
    assert first in reply.text.splitlines()[0] and reply.query == question


@pytest.mark.parametrize(
    "question, not_led",
    [
        ("전북 주민참여예산 사업 있어요?", "예산은"),  # 예산 is in the name, not asked
    ],
)
def test_a_word_of_the_entry_name_asks_for_no_field(kb: KnowledgeBase, question, not_led):
    reply = respond(kb, question)
    assert reply.answered and not_led not in reply.text.splitlines()[0], reply.text


@pytest.mark.parametrize(
    "question, fact",
    [
        ("폭력피해 이주여성 보호시설 안전보강은 어디를 고쳐요?", "익산"),
        ("나주 자매결연 한마음대회 언제 해요", "하반기"),
        ("전북사랑도민증 가맹점 몇 곳이에요", "441"),
        ("인천 주민참여예산 주민주도형 사업 몇 개", "41개"),
        ("한바탕 국민체육센터 언제 개장했어요", "'19. 11. 11"),
        # a sub-item is quoted with its parent, not the parent alone
        ("전주 공유경제 시범사업 공모 대상 사업", "지식공유"),
        ("중도입국 자녀 한국어 교육 반 어떻게 나눠요", "왕기초반"),
        # the line holding what was asked for comes first: a count, a body for 누가, the noun
        # of 어느
        ("장애인 공공일자리 몇 명 참여했어요", "295명"),
        ("공동주택 계약원가심사 자문단 누가 신청해요", "입주자대표회의"),
        ("발달장애인 거점병원 어느 병원이 선정됐어요", "전북대"),
        # "얼마까지" asks for an amount: the line with "2천만원" comes first, found by the typed
        # "지원"
        ("인천 비영리민간단체 공익활동 지원은 한 단체당 얼마까지 받을 수 있어요?", "2천만원"),
        # "누가 받을 수 있어요" asks who benefits, not which body runs it
        ("전주 발달장애인 주간활동 서비스는 누가 받을 수 있어요?", "최중증"),
        # a sentence of prose is quoted with the sentence after it
        ("고향사랑기부 시군 지원 방안", "기금사업 매칭"),
        # a field the question names is shown ("공공갈등 진단 개요"), a listed field with its count
        ("인천 공공갈등 진단 대상 사업 기준", "40억원 이상"),
        ("외국인주민 지원 세부사업 몇 개", "세부사업은 모두 16개입니다."),
    ],
)
def test_long_entries_quote_the_line_that_answers(kb: KnowledgeBase, question, fact):
    assert fact in respond(kb, question).text


@pytest.mark.parametrize(
    "question, present, absent",
    [
        ("자원봉살 보험료 지원", "자원봉사", "봉살"),  # a misspelled compound is spelled whole
        (
            "보험료 분담 어케 돼요",
            "분담",
            "어떻",
        ),  # verb stems of stopwords (어떻다) are stopwords
        ("제2중앙경찰학교 유치하려고 해요", "유치", "유치하"),  # a verb built on a known noun
        (
            "인천 시민정책 소통의 날",
            "시민정책",
            "인천시민",
        ),  # region words are not glued to the next word
        (
            "봉사활동 하다가 다치면 보험 처리 되나요",
            "다치",
            "다시면",
        ),  # a verb form is not a misspelled noun
        ("자원봉사 관련해서는 어느 팀에 문의해요", "자원봉사", "관련부서"),
        (
            "비영리민간단체 한 단체당 얼마까지",
            "비영리민간단체",
            "단체장",
        ),  # a known word with a suffix
    ],
)
def test_question_words_are_read_as_the_documents_spell_them(
    kb: KnowledgeBase, question, present, absent
):
    tokens = kb.index.analyze(question).tokens
    assert present in tokens and absent not in tokens, tokens


def test_verb_stems_weigh_less_and_match_only_at_a_word_start(kb: KnowledgeBase):
    query = kb.index.analyze("전주에 애들 숲에서 뛰어놀 수 있는 놀이터 더 만든다던데요")
    assert "뛰어놀" in query.predicates and "놀이터" not in query.predicates
    weights = dict(zip(query.tokens, query.weights))
    assert weights["뛰어놀"] < weights["놀이터"]
    reply = respond(kb, "전주에 애들 숲에서 뛰어놀 수 있는 놀이터 더 만든다던데요")
    assert reply.band == ANSWER and "아이숲" in reply.hits[0].entry.title, reply.text


def test_for_a_figure_the_entry_holding_it_answers_first(kb: KnowledgeBase):
    """ "국가예산 얼마 확보" is matched about as well by the plan that aims to secure it as by the
    news section that reports 10조원; the one with the figure answers, at the topic's
    confidence."""
    reply = respond(kb, "전북 국가예산 얼마 확보했대요?")
    assert reply.band == ANSWER and "10조" in reply.text, reply.text
    assert reply.hits[0].entry.kind == "news"


@pytest.mark.parametrize(
    "question, title",
    [
        # one entry writes "공공외교한마당" unspaced; the news section that spaces it must still
        # be found
        ("공공외교 한마당 어디서 열었어요", "전략적 국제교류"),
        ("인천 시민정책 소통의 날 몇 번 해요", "시민 중심의 소통행정 강화"),
        ("제2중앙경찰학교 어디로 유치하려고 해요", "도정협력체계"),
    ],
)
def test_the_entry_holding_the_detail_is_among_the_top_three(kb: KnowledgeBase, question, title):
    titles = [hit.entry.title for hit in respond(kb, question).hits[:3]]
    assert any(title in t for t in titles), titles


def test_every_answer_names_who_is_responsible_and_the_source(kb: KnowledgeBase):
    text = respond(kb, "새마을지도자 자녀 장학금 조건").text
    assert "담당: 전라북도 정무기획과 민간협력팀 (사업명으로 추정)" in text
    assert text.splitlines()[-1] == "출처: 전라북도 · 전라북도 대외협력국 주요업무계획, 2021"
    assert "000_15a4bab05bd28ba6.txt" not in text  # file and lines: [출처] or /source


def test_no_department_in_the_document_is_said_plainly(kb: KnowledgeBase):
    text = respond(kb, "전주 한옥마을 인증제").text
    assert "문서에 담당 부서가 적혀 있지 않습니다" in text


def test_no_phone_number_is_invented(kb: KnowledgeBase):
    text = respond(kb, "다문화가족지원센터 운영 연락처").text
    assert "전화:" not in text and "063-" not in text


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "\n\t",
        "😀🎉👍",
        "ㅋㅋㅋㅋ",
        "?!?!",
        "가" * 4096,
        "새마을 " * 700,
        "\u200b\u200f\u202e",
        "<b>장학금</b>'; DROP TABLE x;--",
    ],
)
def test_odd_input_gets_a_clear_reply_in_bounded_time(kb: KnowledgeBase, tagger_inputs, text):
    """Bounded time: the tagger gets at most MAX_QUESTION_CHARS, in runs it tags quickly."""
    with tagger_inputs() as tagged:
        reply = respond(kb, text)
    assert all(len(t.replace(" ", "")) <= MAX_QUESTION_CHARS for t in tagged)
    assert all(len(run) <= MAX_UNSPACED_RUN for t in tagged for run in t.split())
    assert reply.text.strip()
    assert reply.to_json()["query"] == text


def test_empty_question_asks_for_text(kb: KnowledgeBase):
    reply = respond(kb, "   ")
    assert (reply.intent, reply.band, reply.answered) == ("out_of_scope", NO_MATCH, False)
    assert "입력해 주세요" in reply.text


def test_greeting_and_complaint_are_not_matched(kb: KnowledgeBase):
    assert respond(kb, "안녕하세요").intent == "greeting"
    complaint = respond(kb, "집 앞 가로등이 고장났어요")
    assert (complaint.intent, complaint.answered) == ("complaint", False)
    assert "/complaint" in complaint.text


def test_a_program_name_holding_a_complaint_word_is_a_question(kb: KnowledgeBase):
    reply = respond(kb, "지방규제신고센터는 뭐 하는 곳이에요?")
    assert reply.intent == "question"


def test_json_contract(kb: KnowledgeBase):
    data = respond(kb, "새마을지도자 자녀 장학금").to_json()
    assert set(data) == {"query", "intent", "answered", "text", "results"}
    assert data["intent"] in ("question", "complaint", "greeting", "out_of_scope")
    assert isinstance(data["answered"], bool) and isinstance(data["text"], str)
    assert 1 <= len(data["results"]) <= 5
    for result in data["results"]:
        assert set(result) == {"id", "title", "kind", "region", "department", "score"}
        assert isinstance(result["score"], float)
        assert result["department"] is None or isinstance(result["department"], str)


def test_render_entry_and_unknown_id(kb: KnowledgeBase):
    entry = respond(kb, "한스타일 공간연출사업").hits[0].entry
    assert render_entry(kb, entry.id).startswith(f"[{entry.title}]")
    assert "360" in render_entry(kb, entry.id, "한스타일 예산 얼마")
    assert render_entry(kb, "jb-program-nope") is None


@pytest.mark.parametrize(
    "complaint, department",
    [
        ("다문화가족 지원 프로그램이 너무 부족해요", ("전라북도", "국제협력과")),
        ("외국인주민 통역 서비스가 없어서 병원 갈 때 불편합니다", ("전라북도", "국제협력과")),
        ("공동주택 관리비 지원 사업 대상인데 못 받았어요", ("인천광역시", "공동체협치담당관실")),
        ("하수구 냄새가 너무 심해요", None),
        ("공원 가로등이 고장나서 밤에 너무 어두워요", None),
        ("101동 앞 가로등 2개가 고장나서 밤에 너무 어두워요", None),
        ("2024년에 다문화가족 지원 프로그램 3개가 없어졌어요", ("전라북도", "국제협력과")),
    ],
)
def test_suggest_departments_for_a_complaint(kb: KnowledgeBase, complaint, department):
    pairs = suggest_departments(kb, complaint)
    assert (pairs[0] if pairs else None) == department
    assert len(pairs) == len(set(pairs)) <= 3


ROUTING_DIRECTORY = (
    ("부서", "팀", "담당업무", "전화"),
    ("도로관리과", "도로보수팀", "도로 파임(포트홀) 보수, 보도블록 정비", "063-100-1000"),
    ("교통행정과", "주차단속팀", "불법 주정차 단속, 견인", "063-100-2000"),
    ("청소행정과", "청소팀", "쓰레기 무단투기 단속, 생활폐기물 수거", "063-100-3000"),
    ("민원여권과", "", "민원 총괄", "063-100-4000"),
    ("민원여권과", "여권팀", "여권 발급, 여권 재발급", "063-100-4100"),
    ("세정과", "세무팀", "지방세 부과, 체납 징수", "063-100-5000"),
)


@pytest.fixture(scope="module")
def directory_kb(tmp_path_factory, tokenizer) -> KnowledgeBase:
    """The bundled documents plus a contact directory whose teams state their duties."""
    import shutil

    from knowledge.base import DEFAULT_DIR
    from knowledge.library import add_files
    from nlp.retrieval import load_knowledge_base
    from tests.fixtures import render

    folder = tmp_path_factory.mktemp("routing")
    sources = folder / "sources"
    shutil.copytree(DEFAULT_DIR, sources)
    directory = folder / "연락처.csv"
    directory.write_bytes(render.csv(ROUTING_DIRECTORY))
    add_files(sources, [directory], "전라북도")
    return load_knowledge_base(sources, tokenizer=tokenizer)


@pytest.mark.parametrize(
    "complaint, department",
    [
        ("집 앞 도로가 파여서 위험해요", "도로관리과"),
        ("도로 파임 민원입니다", "도로관리과"),
        ("포트홀 때문에 타이어가 터졌어요", "도로관리과"),
        ("보도블록이 깨져서 넘어질 뻔했어요", "도로관리과"),
        ("골목에 불법 주정차 차량이 너무 많아요", "교통행정과"),
        ("쓰레기 무단투기 신고합니다", "청소행정과"),
        ("여권 재발급이 너무 오래 걸려요", "민원여권과"),
        ("지방세 부과가 잘못된 것 같아요", "세정과"),
        ("다문화가족 지원 프로그램이 너무 부족해요", "국제협력과"),  # the documents still route
        ("여권 사진 규격을 바꿔 주세요", "민원여권과"),  # 여권 is one noun of three
    ],
)
def test_a_complaint_goes_to_the_department_whose_duties_it_names(
    directory_kb, complaint, department
):
    pairs = suggest_departments(directory_kb, complaint)
    assert pairs and pairs[0] == ("전라북도", department)


@pytest.mark.parametrize(("passport", "routed"), [(3.0, True), (2.9, False)])
def test_duties_must_hold_a_share_of_the_complaint(directory_kb, passport, routed):
    """DUTY_MIN_COVERAGE (0.3) on both sides: 여권 at 3.0 of 10 routes, at 2.9 of 10 not."""
    words = [("여권", passport), ("규격", 10.0 - passport)]
    found = directory_kb.departments_by_duties(words)
    assert (found == [("전라북도", "민원여권과")]) is routed


@pytest.mark.parametrize(
    "complaint, never",
    [
        ("집 앞 도로가 파여서 위험해요", "정무기획과"),  # issue 14: 민원 → 직소민원팀
        ("도로 파임 민원입니다", "정무기획과"),
        ("도로 파임 민원입니다", "민원여권과"),  # 민원 총괄 is no duty a pothole names
        ("가로등 민원 접수합니다", "정무기획과"),
        ("불법 주정차 신고합니다", "민원여권과"),
        ("여권 사진 규격을 바꿔 주세요", "세정과"),
        ("하수구 냄새가 너무 심해요", "도로관리과"),
    ],
)
def test_words_every_complaint_uses_route_nowhere(directory_kb, complaint, never):
    assert never not in [
        department for _, department in suggest_departments(directory_kb, complaint)
    ]


def test_a_complaint_is_routed_on_its_start_and_never_cached(
    kb: KnowledgeBase, tokenizer: Tokenizer, tagger_inputs
):
    """The document morpheme cache is saved to disk: a complaint's words must not end up there."""
    start = "외국인주민 통역 서비스가 없어서 병원 갈 때 불편합니다. "
    cached = len(tokenizer._cache)
    with tagger_inputs() as tagged:
        pairs = suggest_departments(kb, start + "아무 말이나 계속 적었습니다. " * 600)
    assert tagged and all(len(t.replace(" ", "")) <= DEPARTMENT_TEXT_CHARS for t in tagged)
    assert pairs[0] == ("전라북도", "국제협력과")
    assert len(tokenizer._cache) == cached


class _FixedIndex:
    """An index that always returns one entry at a chosen score — to test the bands alone."""

    def __init__(self, entry: Entry, score: float) -> None:
        self.entry, self.score = entry, score
        self.region_words: dict[str, str] = {}

    def analyze(self, text: str) -> Query:
        return Query(
            text, text, text, ("사업",), (1.0,), frozenset(), None, intent=detect_intent(text)
        )

    def search(self, query, *, preferred_region=None, limit=5):
        return [Scored(self.entry, self.score, 1.0, 1.0, 1.0)]

    def __contains__(self, word) -> bool:
        return False


def _kb_scoring(score: float) -> KnowledgeBase:
    doc = DocumentInfo("t.txt", "business_plan", "전라북도", "시험 문서", 2021)
    entry = Entry(
        "jb-program-t",
        PROGRAM,
        "전라북도",
        "시험 사업",
        doc.source(1, 2),
        body="사업내용: 시험",
        fields={"사업내용": "시험"},
    )
    return KnowledgeBase((entry,), Curated(), _FixedIndex(entry, score))


@pytest.mark.parametrize(
    "score, band",
    [
        (ANSWER_THRESHOLD, ANSWER),
        (ANSWER_THRESHOLD - 0.01, SUGGEST),
        (SUGGEST_THRESHOLD, SUGGEST),
        (SUGGEST_THRESHOLD - 0.01, NOT_FOUND),
    ],
)
def test_bands_on_both_sides_of_each_threshold(score, band):
    reply = respond(_kb_scoring(score), "시험 사업 알려줘")
    assert reply.band == band
    if band == SUGGEST:
        assert "혹시 이것을 찾으셨나요?" in reply.text and len(reply.suggestions) == 1
    if band == NOT_FOUND:
        assert "/complaint" in reply.text


@given(st.text(max_size=400))
@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_respond_never_raises(kb: KnowledgeBase, text):
    reply = respond(kb, text)
    assert reply.text and reply.intent in ("question", "complaint", "greeting", "out_of_scope")
    assert len(reply.hits) <= 5


@pytest.mark.parametrize(
    "question, region",
    [
        ("주민참여예산 사업 있어요?", None),
        ("주민참여예산 사업 있어요?", "인천광역시"),
        ("자매결연 지역 어디어디예요?", "나주시"),
        ("다문화 가족 지원", "전라북도"),
    ],
)
def test_a_kept_ranking_is_the_search_with_that_limit(kb: KnowledgeBase, question, region):
    """``ranking`` keeps the deepest ranking and cuts it to the limit asked: right only while a
    search's first n entries are the search with limit n."""
    query = kb.index.analyze(question)
    deep = search(kb.index, query, preferred_region=region, limit=RANKING_DEPTH)
    for limit in (1, 5, 10, RANKING_DEPTH):
        assert search(kb.index, query, preferred_region=region, limit=limit) == deep[:limit]
        assert ranking(kb, query, region=region, limit=limit) == deep[:limit]


def test_a_question_is_searched_once_until_the_index_changes(kb: KnowledgeBase, monkeypatch):
    searched = []

    def counting(index, query, **options):
        searched.append(query.text)
        return []

    monkeypatch.setattr("nlp.responder.search", counting)
    query = kb.index.analyze("주민참여예산 사업 있어요?")
    ranking(kb, query, region="인천광역시")
    ranking(kb, query, region="인천광역시", limit=RANKING_DEPTH)
    assert len(searched) == 1
    ranking(kb, query)  # no preferred region: another ranking
    assert len(searched) == 2
    monkeypatch.setattr(kb.index, "semantic", object(), raising=False)  # attached since
    ranking(kb, query)
    assert len(searched) == 3


def test_a_budget_asked_of_a_committee_is_answered_by_the_plan_with_the_budget_row(kb):
    """ "인천 홍보대사 예산은?": the committee (no budget) scores first; the work plan whose budget
    row is "홍보대사 운영: … 20백만원" answers (answer.LACKING_MARGIN)."""
    reply = respond(kb, "인천 홍보대사 예산은?")
    assert reply.band == ANSWER
    assert reply.hits[0].entry.title == "시민중심의 직접 소통 강화"
    assert "홍보대사 운영: '19년 20백만원" in reply.text


def test_a_budget_is_not_taken_from_an_entry_far_below_the_first(kb, monkeypatch):
    """Below LACKING_MARGIN of the first entry's score the first entry keeps its place."""
    monkeypatch.setattr("nlp.answer.LACKING_MARGIN", 0.9)
    reply = respond(kb, "인천 홍보대사 예산은?")
    assert reply.hits[0].entry.title == "홍보대사추천위원회"


@pytest.mark.parametrize("question", ["나주 자매결연 이행률 몇 %", "이행률 몇 %"])
def test_a_measure_named_like_a_field_is_answered_by_that_field(kb, question):
    """The pledge's own 이행률 field (31.05%) leads, not a sub-indicator's "이행률: 19.23%"."""
    reply = respond(kb, question)
    assert reply.text.startswith("16개 공공기관과 상생 자매결연 활성화의 이행률은 31.05%입니다.")


@pytest.mark.parametrize(
    ("question", "stated", "listed"),
    [
        (
            "인천 시민정책 네트워크에 단체 몇 개 들어가 있어",
            "33개 단체(직능사회단체 18",
            "4개입니다.",
        ),
        ("도시재생 주민협의체 몇개 사업에 몇명 참여해", "7개 사업 500여명", "사업은 35개입니다."),
    ],
)
def test_a_count_the_documents_state_leads_the_count_of_entries(kb, question, stated, listed):
    """ "단체 몇 개": the line of a best-ranked entry stating the total answers, then the
    entries of that kind the knowledge base holds (answer.STATED_COUNT_DEPTH)."""
    reply = respond(kb, question)
    assert reply.band == ANSWER
    lead, counted = reply.text.splitlines()[:2]
    assert lead.startswith("문서에는 이렇게 적혀 있습니다:") and stated in lead
    assert counted.startswith("이 자료에 항목으로 정리된") and counted.endswith(listed)


def test_a_total_stated_by_an_entry_ranked_below_the_first_is_found(kb):
    """The documents count 226 committees, the knowledge base holds nine: the line comes from
    whichever of the first STATED_COUNT_DEPTH entries states it."""
    text = "인천시 위원회가 전부 몇 개나 돼"
    query = kb.index.analyze(text)
    stating = next(e for e in kb.entries if e.title == "위원회 활성화를 위한 혁신모델 개발")
    committees = [e for e in kb.entries if e.kind == "committee"][:STATED_COUNT_DEPTH]

    def ranked(before: int) -> list[Scored]:  # scores too far apart to reorder (ANSWERING_MARGIN)
        entries = [*committees[:before], stating]
        return [Scored(e, 80.0 - 6 * n, 1.0, 1.0, 1.0) for n, e in enumerate(entries)]

    reply = answer(kb, text, query, ranked(STATED_COUNT_DEPTH - 1))
    assert reply.text.startswith(
        "문서에는 이렇게 적혀 있습니다: 대 상: 226개 위원회('19. 12월말 기준) "
        "(위원회 활성화를 위한 혁신모델 개발, 인천광역시 · 감사 지적사항)\n"
        "이 자료에 항목으로 정리된 인천광역시 위원회는 9개입니다."
    )
    too_deep = answer(kb, text, query, ranked(STATED_COUNT_DEPTH))
    assert too_deep.text.startswith("인천광역시 위원회는 모두 9개입니다.")


@pytest.mark.parametrize(
    ("question", "listed"),
    [
        ("외국인주민 지원 세부사업 몇 개", "외국인주민 지원 소속 세부사업은 모두 16개입니다."),
        ("인천 국민운동 시민단체 몇 개 있어요", "인천광역시 시민단체는 모두 5개입니다."),
        ("전주시 공약 몇 개예요", "전주시 공약은 모두 76개입니다."),
    ],
)
def test_a_count_no_document_states_is_the_count_of_entries(kb, question, listed):
    assert respond(kb, question).text.splitlines()[0] == listed


@pytest.mark.parametrize(
    ("department_score", "answering"),
    [
        (78.0, "공동체협치담당관실의 담당관은 박재성입니다."),
        # below POST_MARGIN of the first: the committee keeps its place
        (50.0, "마을공동체만들기위원회의 위원장은 박인서입니다."),
    ],
)
def test_a_post_asked_by_name_is_answered_by_the_entry_with_that_post(
    kb, department_score, answering
):
    """ "협치 맡은 담당관 누구야": the department with a 담당관 field answers, not the committee
    scoring just above it whose field is 위원장 (answer.POST_MARGIN)."""
    text = "인천에서 마을공동체랑 협치 맡은 담당관 누구야"
    titled = {e.title: e for e in kb.entries}
    ranked = [
        Scored(titled["마을공동체만들기위원회"], 80.0, 1.0, 1.0, 1.0),
        Scored(titled["공동체협치담당관실"], department_score, 1.0, 1.0, 1.0),
    ]
    reply = answer(kb, text, kb.index.analyze(text), ranked)
    assert reply.text.startswith(answering)
