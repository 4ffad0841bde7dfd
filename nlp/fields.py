"""Which fact a question asks for, whether an entry records it, and what to say when it does not.

The documents hold programs, budgets and departments, but rarely a phone number, a way to apply
or a recruitment period. A card that silently lacks the asked fact reads as an answer; worse, a
neighbouring field (사업기간) reads as the asked one (모집 기간). ``missing_facts`` finds the asked
facts an entry lacks, so the reply can say so first and name where to ask.

Usage:
    facts = asked_facts("전자민원 모니터 모집 기간")      # (RECRUITING,)
    lacking = missing_facts(entry, facts)                 # (RECRUITING,) — 사업기간 does not count
    missing_sentence(lacking, entry.title)  # "이 자료에는 … 모집 기간이 나와 있지 않습니다."
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from knowledge.model import Entry
from nlp.analyzer import read_words, strip_particle

# The facts' vocabulary (attribute nouns, fee stems, measure endings, asking words) is data.
FACTS_FILE = Path(__file__).with_name("facts.txt")
_VOCABULARY = {
    name: tuple(word.replace("_", " ") for word in words)
    for name, words in read_words(FACTS_FILE).items()
}


@dataclass(frozen=True)
class Fact:
    """A kind of fact citizens ask for: its cue in the question, the fields that record it, and
    a pattern a line of any field must match to state it."""

    label: str  # as the reply names it ("신청 방법")
    cue: re.Pattern
    fields: tuple[str, ...] = ()
    line: re.Pattern | None = None
    # Facts the entry's own department or team answers (담당 팀 → entry.team).
    by_department: bool = False
    # Words that, near the cue, make it another fact ("사업 기간" is not a recruitment period).
    overrides: tuple[str, ...] = ()
    # Fields whose lines do not state it (a budget row is not what a citizen receives).
    ignores: tuple[str, ...] = ()
    # Fields that must not stand in for it when it is missing (사업기간 is not 모집 기간).
    not_instead: tuple[str, ...] = ()
    # A noun that is asked for only when an asking word follows it ("홈페이지 주소 알려주세요");
    # followed by other words it names the topic ("홈페이지 청원에", "답례품 주는 제도").
    noun: bool = False


# Neighbouring fields a missing fact is mistaken for.
_PERIODS = ("사업기간", "추진일정", "연차별 추진일정", "추진계획", "추진실적", "기준일")
_BUDGETS = ("예산", "소요예산", "투자계획", "예산 내역", "사업비", "총사업비", "재원")
_ELIGIBILITY = ("지원조건", "지원대상", "대상", "지원형태", "시행주체")
_WHO_RUNS = ("소재지", "대표", "소관부서", "관리부서", "시행주체")


PHONE = Fact(
    "전화번호",
    re.compile(
        r"전화|연락처|연락\s*(방법|어디|드리|하려면)|콜센터|문의\s*처|"
        r"(문의|연락)\S*\s*(는|은)?\s*(어디|어떻게\s*하|할\s*곳)|어디로\s*(연락|문의)|"
        r"(문의|연락)할\s*(번호|곳|데)|"  # "연락할 번호 좀"
        # a place's or an office's number ("센터 번호 알려줘"), not a 관리번호 or 로또 번호
        r"(센터|사무실|사무소|과|팀|실|청|관|회|단|부서|곳|데|기관|담당)\s+(대표\s*)?번호\s*"
        r"(좀|알려|뭐|가|는|이|요|있|\?|$)"
    ),
    fields=("연락처", "전화", "전화번호"),
    line=re.compile(r"\d{2,4}\s*[-)]\s*\d{3,4}\s*-\s*\d{4}|\d{3}-\d{4}"),
    not_instead=_WHO_RUNS,
)
# What a citizen does to take part: apply, join, book, subscribe, be issued.
_APPLYING = r"(신청|가입|접수|지원|참여|등록|구독|예약|발급|청구)"
HOW_TO_APPLY = Fact(
    "신청 방법",
    re.compile(
        rf"{_APPLYING}\s*(은|는|을|를)?\s*(하는\s*)?"
        r"(방법|절차|하려면|할\s*수\s*있|어떻게|어디서|해야)|"
        rf"어떻게\s*{_APPLYING}|{_APPLYING}\s*(은|는)?\s*어디|어디(서|에서|로|에)?\s*{_APPLYING}|"
        rf"{_APPLYING}\s*(받|하|해)\S*\s*(려면|으려면)|{_APPLYING}\s*받으려면|"
        # where a form is handed in or got ("신청서 어디로 내요", "양식 어디서 받아요")
        rf"({_APPLYING}서|양식)\S*\s*(\S+\s+)?(어디|어떻게)|"
        r"어디(로|에|서|에서|다)?\s*(내|제출|보내)|"
        # how a proposal or a form is handed in ("주민 제안은 어떻게 내요")
        r"(제안|신청서|서류|의견)\S{0,2}\s*(은|는|을|를)?\s*어떻게\s*(내|제출|보내|올리)|"
        # by which channel ("온라인으로 신청 돼요?", "직접 방문해야 돼요?")
        rf"(온라인|인터넷|모바일|홈페이지|앱|우편|팩스)\s*(으로|로)?\s*(도\s*)?{_APPLYING}|"
        r"방문\s*(해야|신청|접수)|"
        # where ("신청하는 곳"), or the bare act closing the question ("오피니언리더 선발 신청")
        rf"{_APPLYING}\s*(하는|할|받는|받을)\s*(곳|데)|(신청|접수)\s*[?.!]*\s*$|"
        r"(신청|접수)\s*처|"
        # "도민증 만드는 법", "장학금 받는 법"
        rf"(만드는|만들|받는|{_APPLYING}\s*(하는|받는))\s*법(?![가-힣])|"
        # what to do to get it ("장학금 받으려면", "보험 들라면", "서포터즈 되려면")
        r"(?<!\S)(받|되|타|들|만들|참여하|가입하|신청하)\S{0,2}?(으려면|려면|을라면|을라믄|라면|라믄|려믄)|"
        r"어떻게\s*(받|만들|타|모집|뽑)|(하고|참여하고|가입하고|신청하고)\s*싶(은데|어요|어|다)|"
        r"(모집|선발)\s*(은|는)?\s*어떻게"
    ),
    fields=("신청방법", "신청 방법", "접수방법", "접수 방법", "신청절차"),
    # "누가 신청할 수 있어요" asks who may, "받으려면 조건이 뭐예요", "받으려면 어떻게
    # 선정돼요" what it takes (TARGET)
    overrides=("누가", "누구", "조건", "자격", "선정", "기준", "뽑", "아무나"),
    line=re.compile(
        r"(신청|접수|가입)\S*\s*(방법|절차|:)|(온라인|방문|우편|이메일)\s*(신청|접수)"
    ),
    not_instead=_ELIGIBILITY,
)
RECRUITING = Fact(
    "모집·신청 기간",
    re.compile(
        r"(모집|신청|접수|지원|공모|가입)\s*(은|는)?\s*(기간|기한|마감|일정|시기|언제|날짜)|"
        r"언제\s*(까지\s*|부터\s*)?(모집|신청|접수|공모|뽑)|마감\s*(일|이|은|언제)|"
        r"(모집|뽑)\S*\s*(거|것|건)?\s*언제|"
        r"(모집|신청|접수|공모)\s*(은|는)?\s*(시작)|"
        r"언제\s*까지\s*(내|제출|해야|하면)"
    ),
    fields=("모집기간", "모집 기간", "신청기간", "신청 기간", "접수기간", "접수 기간"),
    # a day or a month ("모집 : '20. 3. 2.~", "신청기간 3월"), not a budget row
    # ("공모·지원: '20년 200백만원")
    line=re.compile(
        r"(모집|신청|접수|공모)\S*\s*(기간|기한)?\s*[:：(]?\s*"
        r"('?\d{2,4}\s*[.]\s*\d{1,2}\s*[.~]|\d{1,2}\s*월|연중|수시)"
    ),
    not_instead=_PERIODS,
)
HOMEPAGE = Fact(
    "홈페이지",
    re.compile(
        r"홈페이지|웹\s*사이트|사이트|누리집|링크|url|URL|"
        r"(채널|유튜브|블로그|카페|인스타|페이스북|계정)\s*(주소|링크|이름|아이디)"
    ),
    fields=("홈페이지", "누리집"),
    noun=True,
    line=re.compile(r"https?://|www\.|\.(?:kr|com|net|org)\b"),  # not a name ("Incheon Now")
    not_instead=_WHO_RUNS,
)
PERSON = Fact(
    "담당자 이름",
    re.compile(
        r"담당자\s*(분|님)?\s*(이름|성함|누구|가\s*누구|는\s*누구)|담당\s*(공무원|직원|주무관|선생님)|"
        r"담당하시는\s*분|"
        # the head of a unit by the post's name ("과장님 이름이 뭐예요": the 담당관 field)
        r"(과장|국장|실장|팀장|담당관|센터장|관장|부서장|기관장|책임자)\s*(님)?\s*(은|는|이)?\s*"
        r"(이름|성함|누구|누군)"
    ),
    fields=("담당자", "담당관", "대표", "위원장"),
)
BUDGET = Fact(
    "예산",
    re.compile(r"예산|금액|비용|사업비|돈\s*(이|은|얼마)|재원"),
    fields=("예산", "소요예산", "투자계획", "예산 내역", "지원규모"),
    line=re.compile(r"\d[\d,.]*\s*(?:백만원|천원|만원|억원?|조원?|원)"),
)
TARGET = Fact(
    "지원 대상",
    re.compile(
        r"대상\s*(이|은|자)?\s*(누구|뭐|어떻게|이에요|인가요|\?|$)|자격(?!증)|"
        r"누가\s*(받|신청|지원|참여|할\s*수)|누구\s*(한테|에게|나|든지)|"
        r"(나이|연령|소득|재산|거주)\s*(제한|기준)|"
        # how the ones who get it are chosen ("아무나 받아요? 어떻게 뽑아요", "선발 기준")
        r"아무나\s*(받|신청|돼|되|할)|어떻게\s*(뽑|선정|선발)|(뽑|선정|선발)\S{0,3}\s*(기준|방법|절차)"
    ),
    fields=("지원조건", "지원대상", "대상", "조사대상", "참여대상"),
    overrides=("물어", "문의", "연락"),  # "누구한테 물어봐요" asks whom to ask (TEAM)
    line=re.compile(r"대상|자격(?!증)|(?<!지원)조건"),  # 자격증 is a certificate
)
PLACE = Fact(
    "장소",
    re.compile(
        r"장소|위치|주소|(?<!어디)(?<!어디\s)어디\s*(에|에서|서|로)?\s*"
        r"(있|해|열|하|할|합|개최|진행|모여|생기|생겨|생긴|설치|들어서|지어|짓|세워|만들어|위치|"
        r"가야|가면|가요|가나요)|어디(에|로)?\s+가|가는\s*길|오시는\s*길|찾아가는\s*(길|방법)|"
        # where a service is received ("조기검진 어디서 받아요"); where one applies for it or
        # gets a form is HOW_TO_APPLY, which shadows this
        r"어디\s*(에서|서)\s*받|"
        r"어떻게\s*가(요|나요|야)|몇\s*층|가는\s*(법|방법)|타는\s*(곳|데)|어디\s*(서|에서)\s*타|"
        # not "어디어디 있어요", which asks which ones
        r"(?<!어디)어디(야|예요|에요|임|냐|인가요|인가|인지)\s*[?]*$|"
        r"어디(로|에)?\s*(와|오)"
    ),
    fields=("소재지", "장소", "주소", "위치"),
    line=re.compile(
        r"장\s*소\s*[:：]|소재지|개최지|[가-힣]+(로|길)\s*\d|\S+(에서)\s*(개최|열|진행)|"
        r"\d+\s*층"
    ),
    overrides=(
        "부서",
        "담당",
        "소속",
        "팀",
        "과",
        "채널",
        "유튜브",
        "블로그",
        "홈페이지",
        "사이트",
    ),
)
TEAM = Fact(
    "담당 부서",
    re.compile(
        r"담당\s*(팀|부서|과)|(어느|무슨|어떤)\s*(팀|부서|과)|소속|부서\s*(는|가|어디)|팀\s*(은|이)|"
        r"(누구|어디)\S*\s*(한테|에게|에|로)?\s*(물어|문의)|담당하는\s*(팀|부서|과|곳|데)"
    ),
    fields=("소관부서", "관리부서", "소속", "팀"),
    by_department=True,
)
DOCUMENTS = Fact(
    "구비서류",
    re.compile(
        r"(구비|제출|신청|필요한|준비|내야\s*하는|첨부|무슨|어떤|뭔|무엇)\s*서류|"
        r"서류\s*(는|은|가|를|로|뭐|무엇|어떤|필요)|"
        r"(뭘|뭐|무엇을)\s*(내야|제출|준비)"
    ),
    fields=("구비서류", "제출서류", "신청서류", "필요서류"),
    line=re.compile(r"서류|증명서|신청서|등본"),
)
# A share of the cost ("국비 50%, 도비 20%") is who pays, not what a citizen receives.
_COST_SHARE = r"(?<![\d,.])(?<!비)(?<!비\s)(?<!비\s\s)"
SUPPORT_AMOUNT = Fact(
    "지원 금액",
    re.compile(
        r"지원\s*금(액)?\s*(은|는|이|가)?\s*(얼마|몇)|"
        r"얼마\s*(나|씩|까지)?\s*(받|줘|주나|주는|나와|지원|지급|드려)|"
        r"몇\s*(만|천)\s*원\s*(받|줘|주|지원)|(인당|가구당|가족당|명당)\s*(\S+\s*)?얼마"
    ),
    # 지원조건 and 지원내용 say who and what; only a figure in them states an amount.
    fields=("지원금액", "지원금", "지원단가"),
    line=re.compile(
        rf"{_COST_SHARE}\d[\d,.]*\s*(?:백만원|천원|만원|억원?|원)|전액|"
        # a share of a grant, not who pays it ("100% 도비사업")
        rf"{_COST_SHARE}\d+\s*%(?!\s*(?:국비|도비|시비|군비|구비|지방비|자부담))"
    ),
    ignores=_BUDGETS,
    not_instead=_BUDGETS,
    # A grant to a body ("국제교류센터에 출연금 얼마", "민간단체에 보조금 얼마나 줘") is its
    # budget: asked so, "얼마" is a budget question.
    overrides=("출연", "단체에", "기관에", "센터에", "협회에", "시군에", "운영비"),
)
# What an insurance or a compensation pays out ("다치면 최대 얼마까지 보상돼요").
COMPENSATION = Fact(
    "보상 내용",
    re.compile(r"보상|보장\s*(내용|범위|금액|한도|돼|되|받)|보험금"),
    fields=("보상내용", "보장내용", "보상금액"),
    noun=True,
    line=re.compile(
        r"(보상|보장|보험금)\S{0,3}\s*[:：]?\s*(최대|최고|1인당)?\s*"
        r"\d[\d,.]*\s*(?:백만원|천만원|만원|천원|억원?|원)"
    ),
    not_instead=_BUDGETS,
)
# Things held on a day: asking when one is ("박람회 언제 해요") asks for its date.
_EVENTS = r"(박람회|축제|대회|행사|설명회|토론회|세미나|공연|전시회|장터|캠프|회의|발대식|시상식)"
EVENT_DATE = Fact(
    "개최 일정",
    re.compile(
        r"(언제|며칠|몇\s*월|몇\s*일)\s*(에\s*)?(열려|열리|열어|개최|해요\s*축제)|"
        r"(개최|행사)\s*(일|일시|날짜|시기|일정)\s*(은|는|이|가)?\s*(언제|며칠|\?|$)|"
        rf"{_EVENTS}\S{{0,3}}\s*(는|은)?\s*(언제|며칠|몇\s*월)"
    ),
    fields=("개최일", "일시", "행사일", "개최시기", "행사기간"),
    line=re.compile(r"(개최|열림|열린다|행사)\S*\s*[:：(]?\s*['\d]|['\d][\d.\s월일~-]+\S*\s*개최"),
    not_instead=_PERIODS,
)
# What a citizen pays to use a service ("검진 비용 있어요?", "무료예요?"), not the budget.
FEE = Fact(
    "이용 요금",
    re.compile(
        r"(무료|유료|공짜)\s*(예|에|인|이|야|냐|로|\?|$)|본인\s*부담|자부담|"
        r"(비용|요금)\s*(이|은|을|는)?\s*(내|드나|들어요|들까|들어가나|있어요|있나요|있어\b)|"
        r"돈\s*(을|은|이)?\s*(내|드나|들어요|들까|들어가나)|얼마\s*(나|씩)?\s*내"
    ),
    fields=("이용료", "이용요금", "요금", "참가비", "본인부담금"),
    line=re.compile(r"무료|유료|본인\s*부담|자부담"),
    not_instead=_BUDGETS,
)
# How much one may give or spend ("고향사랑기부 얼마까지 할 수 있어요?").
LIMIT = Fact(
    "한도",
    re.compile(r"한도|상한\s*(액|선)|얼마\s*까지\s*(할|기부|낼|내|쓸|사용|가능|되)"),
    fields=("한도", "상한액"),
    noun=True,
    line=re.compile(r"(한도|상한|최대)\S*\s*[:：]?\s*\d"),
    not_instead=_BUDGETS,
)
# When the money arrives ("신청하면 언제 입금돼요?").
PAYDAY = Fact(
    "지급 시기",
    re.compile(
        r"입금|지급\s*(일|시기|날짜|은\s*언제|언제)|언제\s*(지급|들어와|받을\s*수)|"
        r"(돈|금)\s*(은|이)?\s*언제\s*(줘|주|줍|나와|나오|받)|"
        r"언제\s*(돈\s*)?(줘요|줘\b|주나|주는지|줍니까|받아요|받나|받을\s*수)"
    ),
    fields=("지급시기", "지급일"),
    line=re.compile(r"(지급|입금)\S*\s*[:：(]?\s*('?\d{2,4}\s*[.]\s*\d{1,2}|\d{1,2}\s*월|매월)"),
    not_instead=_PERIODS,
)
# The day something happens ("운행 날짜 언제예요", "며칠에 해요"): a day, not the project's period.
SCHEDULE = Fact(
    "날짜",
    # "며칠로 줄였어요", "며칠 걸려요" ask for a duration
    # "다음 일정 언제예요": the next date; "추진 일정" is the plan's period, a field of its own
    re.compile(r"날짜|일시|며칠\s*(에|날|부터)|(다음|이번)\s*(번\s*)?일정"),
    fields=("일시", "날짜", "일정", "운행일", "개최일"),
    # a day, not an amount written like one ("'19년 4.6백만원")
    line=re.compile(
        r"'?\d{2,4}\s*[.년]\s*\d{1,2}\s*[.월]\s*\d{1,2}(?![\d.,]*\s*(?:백만|천만|만|천|억)?원|%)|"
        r"\d{1,2}\s*월\s*\d{1,2}\s*일"
    ),
    not_instead=_PERIODS,
)
# When the selected are announced ("결과 발표 언제 나와요", "합격자 발표"): rarely stated.
ANNOUNCEMENT = Fact(
    "결과 발표일",
    re.compile(
        r"(결과|합격자?|선정자|당첨자?)\s*(는|은)?\s*(발표|통보|공지)\S*\s*(은|는)?\s*"
        r"(언제|날짜|며칠|일정|\?|$)|(결과|합격)\s*(는|은)?\s*언제\s*(나와|나오|발표|알)"
    ),
    fields=("발표일", "결과발표", "선정발표"),
    line=re.compile(r"(발표|통보)\S*\s*[:：(]?\s*('?\d{2,4}\s*[.]\s*\d{1,2}|\d{1,2}\s*월)"),
    not_instead=_PERIODS,
)
# Whether it may be received together with other support ("중복 지원 되나요"): rarely stated.
OVERLAP = Fact(
    "중복 지원 여부",
    re.compile(
        r"중복\s*(으로\s*)?(지원|수혜|신청|참여|가능|돼|되)|"
        r"(다른\s*\S+\s*(이랑|랑|하고|와|과)\s*(같이|함께|동시에)|둘\s*다|동시에)\s*(받|신청)"
    ),
    fields=("중복지원", "중복 지원"),
    line=re.compile(r"중복"),
)
# How many are selected ("몇 명 뽑아요", "모집 인원"): rarely stated.
RECRUITS = Fact(
    "모집 인원",
    re.compile(r"(모집|선발)\s*인원|몇\s*명\s*(을|이나|씩)?\s*(뽑|선발|모집)"),
    fields=("모집인원", "모집 인원", "선발인원", "선발 인원"),
    line=re.compile(r"(모집|선발)\S*\s*(인원)?\s*[:：(]?\s*\d+\s*명|\d+\s*명\S*\s*(모집|선발)"),
)
# When a building or a place is ready ("놀이터 언제 생겨요", "센터 언제 지어져요").
OPENING = Fact(
    "완공·개관 시기",
    re.compile(r"언제\s*(쯤\s*)?(생겨|생기|생긴|지어|완공|개관|개장|준공|오픈|들어서|완성)"),
    # the word and a year on one line ("… 개장 및 회원접수, 운영 ('19. 11. 11.)")
    line=re.compile(
        r"(완공|개관|준공|개장|오픈|개소)[^\n]*('\d{2}|\d{4})\s*[.년]|"
        r"('\d{2}|\d{4})\s*[.년][^\n]*(완공|개관|준공|개장|오픈|개소)"
    ),
    not_instead=_PERIODS,
)
# Opening hours ("몇 시까지 해요", "개장 시간"); "몇 시간" is a duration, not a time of day.
HOURS = Fact(
    "운영 시간",
    re.compile(
        r"몇\s*시(?!간)\s*(까지|부터|에|쯤)?|(개장|영업|개방|관람|상담)\s*시간|"
        r"문\s*(을\s*)?(열|여|닫)|(주말|토요일|일요일|공휴일|휴일)\s*(에도|에는|엔|에|도)\s*"
        r"(해요|하나요|해\?|열어요|열려요|열어\?|여나요|운영해요|운영하나요)"
    ),
    fields=("운영시간", "이용시간", "개장시간", "운영 시간", "이용 시간"),
    line=re.compile(r"\d{1,2}\s*:\s*\d{2}|\d{1,2}\s*시\s*(\d{1,2}\s*분|~|-|부터|까지)"),
    not_instead=_PERIODS,
)
# Every member's name ("위원 명단", "위원들 이름 다", "홍보대사 누구누구"): the documents name a
# chair or a count, rarely the list; one person asked for is PERSON.
MEMBERS = Fact(
    "명단",
    re.compile(
        # not the names of many committees or groups ("위원회들 이름": a list of them)
        r"명단|누구\s*누구|(?<!위원회)(?<!단체)(?<!사업)(?<!공약)(?<!팀)(?<!부서)들\s*(의\s*)?(이름|성함)|"
        r"(이름|성함)\S*\s*(다|전부|모두)|(다|전부|모두)\s*(이름|성함|누구)"
    ),
    fields=("명단", "위원명단", "위원 명단", "회원명단", "위원"),
    not_instead=("소관부서", "관리부서"),
)
# Things citizens ask about that the documents rarely state (nlp/facts.txt); fees are named by
# what is paid for and 비 or 료 ("교육비", "이용료", "참가비").
_FEES = tuple(f"{stem}{fee}" for stem in _VOCABULARY["fee stems"] for fee in ("비", "료"))
# How far (in characters, on one line) a value may stand from the noun it belongs to.
ATTRIBUTE_VALUE_REACH = 12
# A date of completion or opening is not the project's period, nor a price its budget.
_DATE_NOUNS = frozenset(_VOCABULARY["date nouns"])
_PRICE_NOUNS = frozenset({*_VOCABULARY["price nouns"], *_FEES})


def _attribute(noun: str) -> Fact:
    spelled = r"\s*".join(map(re.escape, noun.split()))
    reach = ATTRIBUTE_VALUE_REACH
    return Fact(
        noun,
        re.compile(spelled),
        not_instead=_PERIODS if noun in _DATE_NOUNS else _BUDGETS if noun in _PRICE_NOUNS else (),
        line=re.compile(
            rf"{spelled}\s*[:：]|{spelled}[^\n]{{0,{reach}}}\d|\d[^\n]{{0,{reach}}}{spelled}"
        ),
        noun=True,
    )


ATTRIBUTES: tuple[Fact, ...] = tuple(
    _attribute(noun) for noun in (*_VOCABULARY["attribute nouns"], *_FEES)
)
FACTS: tuple[Fact, ...] = (
    PHONE,
    HOW_TO_APPLY,
    RECRUITING,
    HOMEPAGE,
    PERSON,
    BUDGET,
    TARGET,
    PLACE,
    TEAM,
    DOCUMENTS,
    SUPPORT_AMOUNT,
    COMPENSATION,
    EVENT_DATE,
    HOURS,
    MEMBERS,
    FEE,
    LIMIT,
    PAYDAY,
    SCHEDULE,
    ANNOUNCEMENT,
    OVERLAP,
    RECRUITS,
    OPENING,
    *ATTRIBUTES,
)
# Facts a question asks for beside one of these is that one: "신청 기간" is RECRUITING, not the
# "신청" of TARGET or HOW_TO_APPLY; "담당자 전화" is PHONE, not PERSON.
_SHADOWED_BY = {
    HOW_TO_APPLY: (RECRUITING, DOCUMENTS),
    TARGET: (HOW_TO_APPLY, RECRUITING, DOCUMENTS, SUPPORT_AMOUNT),
    PERSON: (PHONE, MEMBERS),
    BUDGET: (SUPPORT_AMOUNT, COMPENSATION, FEE, LIMIT, *ATTRIBUTES),
    SUPPORT_AMOUNT: (COMPENSATION, LIMIT, PAYDAY, *ATTRIBUTES),
    FEE: ATTRIBUTES,
    RECRUITING: (PAYDAY,),
    PLACE: (PHONE, HOMEPAGE, HOW_TO_APPLY, HOURS, *ATTRIBUTES),
    TEAM: (PHONE, PERSON, MEMBERS),
    # "운행 시간" keeps its own name; "개장 시간" asks for hours, not for the opening day.
    HOURS: tuple(f for f in ATTRIBUTES if "시간" in f.label),
    **{f: (HOURS,) for f in ATTRIBUTES if f.label in _DATE_NOUNS},
    PHONE: (),
    HOMEPAGE: ATTRIBUTES[:1],
    SCHEDULE: (EVENT_DATE, RECRUITING, PAYDAY, HOURS),
    # "언제 개장했어요" keeps the noun it names
    OPENING: tuple(f for f in ATTRIBUTES if f.label in _DATE_NOUNS),
}


# "다음에", "다음 기수", "내년": the documents record what was held, not what comes next.
# A line describing the activity on the line above it: "- 장 소 : …", "· 참여인원 : …".
_SUB_LINE = re.compile(r"^\s*[-–·ㆍ*]")
# The question's words that can name an activity of an entry: two letters (치매, 검진) at least,
# the shortest Korean noun that names a topic.
MIN_ACTIVITY_WORD_CHARS = 2
_UPCOMING = re.compile(r"다음\s*(에|엔|번|회|기수|달|해|차)|내년|앞으로")
_DATED = frozenset({EVENT_DATE, RECRUITING, PLACE, PAYDAY, SCHEDULE})


# Broader facts a named measure stands in for ("세액공제 얼마" asks for no support amount).
_BROADER_THAN_A_MEASURE = frozenset({BUDGET, SUPPORT_AMOUNT, FEE, LIMIT})

# Facts nearly every entry records (its budget, who it is for, who runs it): when no entry was
# found, that the documents lack one says nothing ("비용 도와주는 거" asks for a program).
COMMON_FACTS = frozenset({BUDGET, TARGET, TEAM, SUPPORT_AMOUNT})


# A message's facts are asked for by several stages (answer, dialogue, listing): about two
# calls per distinct text in the dialogues benchmark, ~0.4 ms per message without this memo.
ASKED_FACTS_KEPT = 4096


@lru_cache(maxsize=ASKED_FACTS_KEPT)
def asked_facts(text: str, *, title: str = "") -> tuple[Fact, ...]:
    """The facts the question asks for, in ``FACTS`` order (usually one); the words of the
    entry's ``title`` are not cues ("주민참여예산 사업" asks for no budget). A measure the
    question names ("할인율 몇 프로예요") is a fact of its own, asked instead of broader ones."""
    bare = without_names(text, title)
    named = _name_spans(text, title)
    found = [
        fact
        for fact in FACTS
        if not any(word in bare for word in fact.overrides)
        and any(
            (not fact.noun or _asks_for(text, m)) and not _within(m, named)
            for m in fact.cue.finditer(text)
        )
    ]
    found = [f for f in found if not any(s in found for s in _SHADOWED_BY.get(f, ()))]
    measures = _measures(bare)
    if measures:
        found = [f for f in found if f not in _BROADER_THAN_A_MEASURE]
    return (*found, *measures)


def _name_spans(text: str, names: str) -> list[tuple[int, int]]:
    """Where the words of ``names`` (of two letters or more) stand in ``text``."""
    return [
        (m.start(), m.end())
        for word in {w for w in names.split() if len(w) >= 2}
        for m in re.finditer(re.escape(word), text)
    ]


def _within(match: re.Match, spans: list[tuple[int, int]]) -> bool:
    """Whether a cue lies inside a name ("주민참여예산" asks for no budget); one reaching past
    it asks ("운영시간" of the "… 운영" program asks for its hours)."""
    return any(start <= match.start() and match.end() <= end for start, end in spans)


# Words that, right after a noun, ask for it (nlp/facts.txt).
_ASKING = tuple(_VOCABULARY["asking words"])
# A word naming a unit of time or a share ("한달에", "하루", "1인당") may stand between a noun and
# its asking word ("이용료 한달에 얼마예요").
_PER_UNIT = re.compile(r"^(한|하루|매|\d)|당$")
# What is glued to the noun may be a particle, a noun's tail ("보상금", "팩스번호") or a verb
# ending ("개관해요"); longer, it must ask ("답례품뭐예요").
_NOUN_SUFFIX_CHARS = 2
_PARTICLE_ONLY = re.compile(r"^(은|는|이|가|을|를|도|만|의|에|이랑|랑|하고)?[?.!]*$")


def _asks_for(text: str, match: re.Match) -> bool:
    """Whether the noun ``match`` found is asked for: an asking word is in it, ends its word
    ("보상돼요"), or is the next word (one word of time or share may come between), or the
    question ends with the noun."""
    if any(word in match.group() for word in _ASKING):
        return True
    rest = text[match.end() :]
    tail = "" if rest[:1].isspace() else rest.split(None, 1)[0] if rest.strip() else rest
    words = rest[len(tail) :].split()
    if len(tail.rstrip("?.!")) > _NOUN_SUFFIX_CHARS and not _PARTICLE_ONLY.match(tail):
        return tail.startswith(_ASKING)
    if words and _PER_UNIT.search(words[0].rstrip("에")):
        words = words[1:]
    return not words or words[0].startswith(_ASKING)


# "할인율 몇 프로예요", "세액공제 얼마 돼요": a noun ending in a measure, then 얼마 or 몇.
_MEASURE = re.compile(
    r"([가-힣]{1,8}(?:"
    + "|".join(map(re.escape, _VOCABULARY["measure endings"]))
    + r"))\s*(?:은|는|이|가)?\s*(?:얼마|몇)"
)


def _measures(text: str) -> tuple[Fact, ...]:
    """The measures the question asks for by name, each a fact of its own."""
    return tuple(
        _measure(m.group(1))
        for m in _MEASURE.finditer(text)
        if len(m.group(1)) >= 2 and not any(f.cue.fullmatch(m.group(1)) for f in FACTS)
    )


def _measure(noun: str) -> Fact:
    """A measure as a fact: a field of that name ("이행률: 31.05%", the whole pledge's, not a
    sub-indicator's line), else a value beside it, or a rate ("할인율") by a percentage beside
    its stem ("10% 할인"), or by any percentage when the stem is one syllable ("비율")."""
    fact = replace(_attribute(noun), fields=(noun,))
    if noun[-1] not in "율률":
        return replace(fact, not_instead=_BUDGETS)
    stem = re.escape(noun[:-1]) if len(noun) > 2 else ""
    reach = ATTRIBUTE_VALUE_REACH
    percent = r"\d+(\.\d+)?\s*(%|퍼센트|프로)"
    near = rf"{stem}[^\n]{{0,{reach}}}{percent}|{percent}[^\n]{{0,{reach}}}{stem}"
    stated = f"{fact.line.pattern}|{near if stem else percent}"
    return replace(fact, not_instead=_BUDGETS, line=re.compile(stated))


def without_names(text: str, names: str) -> str:
    """``text`` without the words of ``names`` (an entry's title, a compared topic), longest
    first: a cue inside a name ("주민참여예산") asks for nothing."""
    for word in sorted(names.split(), key=len, reverse=True):
        if len(word) >= 2:
            text = text.replace(word, " ")
    return text


def records(entry: Entry, fact: Fact, *, contact_known: bool = False, text: str = "") -> bool:
    """Whether ``entry`` states ``fact``: in a field of its own, in a line of any field (of the
    activity the question ``text`` names, see ``stating_lines``), or, for "who is in charge",
    in its department (and, for phones, an admin-supplied contact)."""
    if any(name in entry.fields for name in fact.fields):
        return True
    if fact.by_department and (entry.department or entry.team):
        return True
    if fact is PHONE and contact_known:
        return True
    if fact is BUDGET and entry.budget:
        return True
    if fact.line is None:
        return False
    return bool(stating_lines(entry, fact, text))


def stating_lines(entry: Entry, fact: Fact, text: str = "") -> list[tuple[str, str]]:
    """(field, line) for the lines of ``entry`` that state ``fact`` by its ``line`` pattern,
    outside the fields it ignores. When a field lists several activities (each a line with its
    "- 장 소 : …" lines under it) and the question ``text`` names one of them more than the
    others (by words other than the entry's title), only lines of that activity's passage
    count: the place of the 치매 극복의 날 event is not where 치매 조기검진 is done."""
    if fact.line is None:
        return []
    title = entry.title.replace(" ", "").lower()
    words = [
        w
        for w in (strip_particle(w) for w in without_cues(text, (fact,)).lower().split())
        if len(w) >= MIN_ACTIVITY_WORD_CHARS and w not in title
    ]

    def shared(passage: list[str]) -> int:
        squeezed = "".join(passage).replace(" ", "").lower()
        return sum(len(w) for w in words if w in squeezed)

    found = []
    for name, value in entry.fields.items():
        if name in fact.ignores:
            continue
        grouped = passages(value)
        best = max(map(shared, grouped), default=0)
        found += [
            (name, line)
            for passage in grouped
            if shared(passage) == best
            for line in passage
            if fact.line.search(line)
        ]
    return found


def passages(value: str) -> list[list[str]]:
    """A field's lines grouped by activity: a line, and the dashed lines under it ("- 장 소 :
    …", "- 참여인원 : …") that describe it."""
    grouped: list[list[str]] = []
    for line in value.splitlines():
        if grouped and _SUB_LINE.match(line):
            grouped[-1].append(line)
        else:
            grouped.append([line])
    return grouped


def missing_facts(
    entry: Entry, facts: tuple[Fact, ...], *, contact_known: bool = False, text: str = ""
) -> tuple[Fact, ...]:
    """The asked facts ``entry`` does not state (for the activity the question ``text`` names,
    see ``stating_lines``). When the question asks about the next time ("다음엔 언제
    열려요?"), a date or place the records give is a past one: only a field of its own (개최일,
    모집기간) states it."""
    upcoming = bool(_UPCOMING.search(text))
    return tuple(
        f
        for f in facts
        if not records(entry, f, contact_known=contact_known, text=text)
        or upcoming
        and f in _DATED
        and not any(name in entry.fields for name in f.fields)
    )


def missing_sentence(facts: tuple[Fact, ...], title: str) -> str:
    """ "이 자료에는 '전자민원 모니터'의 모집·신청 기간이 나와 있지 않습니다." """
    labels = "·".join(f.label for f in facts)
    return f"이 자료에는 '{title}'의 {labels}{subject_particle(labels)} 나와 있지 않습니다."


def asks_only(word: str, cue_words: frozenset[str] = frozenset()) -> bool:
    """Whether ``word`` does nothing but ask for a fact ("전화번호", "연락처", "예산"), so it
    names no topic; "주민참여예산" names one. What the cues leave must be empty or one of
    ``cue_words``."""
    facts = asked_facts(word)
    rest = without_cues(word, facts).replace(" ", "")
    return bool(facts) and (not rest or rest in cue_words)


def without_cues(text: str, facts: tuple[Fact, ...]) -> str:
    """The question with the words that ask for ``facts`` taken out ("행복투어버스 운행 시간" →
    "행복투어버스"): the documents do not hold those words, so they only weaken the match."""
    for fact in facts:
        text = fact.cue.sub(" ", text)
    return " ".join(text.split())


def substitutes(facts: tuple[Fact, ...]) -> frozenset[str]:
    """Fields that must not stand in for a missing fact: a 모집 기간 question must not lead with
    사업기간, nor a 신청 방법 question with 지원조건."""
    return frozenset(name for fact in facts for name in fact.not_instead)


def subject_particle(word: str) -> str:
    """이 or 가 after ``word``, by its last syllable's final consonant."""
    return "이" if _has_final(word) else "가"


def object_particle(word: str) -> str:
    """을 or 를 after ``word`` ("예산을", "신청 방법을", "담당 부서를")."""
    return "을" if _has_final(word) else "를"


def _has_final(word: str) -> bool:
    last = word.rstrip("'\" ")[-1:]
    return not ("가" <= last <= "힣") or bool((ord(last) - 0xAC00) % 28)
