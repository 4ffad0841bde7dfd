"""Intent rules, with examples on both sides of every rule."""

import pytest

from nlp.intent import detect_intent


@pytest.mark.parametrize(
    "text, intent",
    [
        ("우리 아파트 앞 쓰레기 무단투기 신고할게요", "complaint"),
        ("가로등이 고장났어요", "complaint"),
        ("도로 파손 신고하려고요", "complaint"),
        ("민원 접수하고 싶어요", "complaint"),
        ("공무원이 너무 불친절해서 항의합니다", "complaint"),
        ("밤마다 소음 때문에 불편해요", "complaint"),
        ("불법주차 좀 처리해 주세요", "complaint"),
        ("집 앞 가로등이 며칠째 안 들어와요", "complaint"),  # no complaint word: a light stays off
        ("윗집이 밤마다 쿵쿵거려서 잠을 못 자요", "complaint"),
        ("도로에 움푹 팬 데가 있어서 타이어 터졌어요", "complaint"),
        ("쓰레기를 일주일째 안 치워가요", "complaint"),
        ("화장실에서 냄새가 너무 나요", "complaint"),
        ("공원 화장실이 너무 더러워요 청소 좀 해주세요", "complaint"),
        ("버스 배차 간격이 너무 길어요 40분이나 기다렸어요", "complaint"),
        ("집 앞 도로에 구멍이 크게 패여서 차가 덜컹거려요", "complaint"),
        ("차들이 아무렇게나 세워져 있어서 지나갈 수가 없네요", "complaint"),
        ("주민센터 직원이 너무 퉁명스럽게 말해서 기분 나빴어요", "complaint"),
        ("화장실 천장에서 물이 뚝뚝 떨어져요", "complaint"),
        ("고장난 벤치 좀 고쳐 주세요", "complaint"),
        ("천장에서 물이 계속 새는데 관리사무소는 연락도 안 받아요", "complaint"),
        ("민원실에서 두 시간째 기다리는 중인데 이게 말이 됩니까", "complaint"),
        (
            "가로등 교체 사업 예산으로 고장난 거 언제 고쳐요? 신고합니다",
            "complaint",
        ),  # asks to file
        ("안녕", "greeting"),
        ("안녕하세요", "greeting"),
        ("고마워요", "greeting"),
        ("감사합니다!", "greeting"),
        ("ㅋㅋㅋㅋㅋ", "out_of_scope"),
        ("😀😀😀", "out_of_scope"),
        ("", "out_of_scope"),
        ("환율 얼마야", "out_of_scope"),
        ("오늘 날씨 어때", "out_of_scope"),
        ("오늘 미세먼지 농도 알려줘", "out_of_scope"),
        ("축구 경기 결과", "out_of_scope"),
        ("새마을지도자 자녀 장학금 조건", "question"),
        ("직소민원실 운영 예산", "question"),  # 민원 alone is a program word, not a complaint
        ("갈등민원 관리체계는 뭐예요", "question"),
        ("전주형 미세먼지 저감대책", "question"),  # the pledge, not today's air
        ("가로등 정비 사업 예산", "question"),  # a facility named without a problem
        ("자매결연 한 지 몇 년째예요", "question"),
        ("쓰레기 매립지 공론화 언제 해요", "question"),
        (
            "폭력 피해 이주여성 쉼터 낡은 거 고쳐주는 거 어디 쉼터가 대상이에요?",
            "question",
        ),  # a program
        ("고장난 가로등 교체 사업 예산", "question"),
        (
            "봉사활동 하다가 다치면 보험 처리 해주나요?",
            "question",
        ),  # asks what is done, requests nothing
        ("전주 기차역 건물 새로 고친다던데 어떻게 돼가요", "question"),  # "건물 새로" is no leak
        (
            "안녕하세요 새마을지도자 자녀 장학금 지원 조건 알려주세요",
            "question",
        ),  # long: a question
    ],
)
def test_detect_intent(text, intent):
    assert detect_intent(text) == intent


@pytest.mark.parametrize(
    "text",
    [
        "전주 교통 관련 공약 정리해 주세요",
        "전주 교통 관련 공약들 좀 정리해서 알려주세요",
        "청년 정책 좀 모아서 보여 주세요",
        "인천 위원회 목록 쭉 뽑아 주세요",
        "쓰레기 방치 현황 알려주세요",  # the figures, not a heap to clear
        "전북 다문화 사업 요약해 주세요",
        "소음 관련 정책 알려주세요",
    ],
)
def test_a_request_for_what_the_documents_hold_is_a_question(text):
    assert detect_intent(text) == "question"


@pytest.mark.parametrize(
    "text",
    [
        "도로 정리 좀 해주세요 쓰레기가 쌓였어요",
        "골목 정리 좀 해 주세요",
        "방치된 자전거 정리해 주세요",
        "불법 현수막 정리 좀 해주세요",
        "현수막 내용이 보기 싫어요 정리 좀 해주세요",  # 내용 is not what is to be tidied
        "공원 청소 좀 해주세요",
        "우리 동네 쓰레기 좀 치워 주세요",
        "인도 블록 보수 좀 해주세요",
        "불법주차 좀 처리해 주세요",
    ],
)
def test_a_request_to_tidy_or_repair_stays_a_complaint(text):
    assert detect_intent(text) == "complaint"
