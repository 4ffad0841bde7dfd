"""What a message wants before we try to match it: a question, a complaint, a greeting, or
something outside what the bot knows.

Rules, not a model: the phrases are few, Korean-specific and easy to audit, and every one is
covered by a test on both sides (see tests/test_intent.py).
"""

from __future__ import annotations

import re

from nlp.normalizer import has_content, normalize
from nlp.reply import COMPLAINT, GREETING, OUT_OF_SCOPE, QUESTION

# A complaint asks to file one, or reports a problem. "민원" alone is not enough: 직소민원실 and
# 갈등민원 are program names citizens ask about.
FILING_PATTERNS = (
    r"신고",
    r"민원\s*(을|를)?\s*(접수|넣|신청|제기|올리|내고|낼)",
    r"접수\s*(하고|하려|할게|해\s*주)",
    r"항의",
    r"불친절",
)
PROBLEM_PATTERNS = (
    r"고장",
    r"파손",
    r"부서(졌|져)",
    r"깨(졌|져)",
    r"망가",
    r"다칠",
    r"넘어질",
    r"막혔",
    r"안\s*나와",
    r"고쳐\s*(주(세요|십시오|셔)|줘)",
    r"수리\s*(해\s*주|요청)",
    r"불편\s*(해|합니다|하다|해요|사항)",
    r"무단\s*투기",
    r"불법\s*(주차|투기|광고|현수막|건축)",
    r"소음",
    r"악취",
    r"누수",
    r"싱크홀",
    r"포트홀",
    r"쓰레기.*(쌓|방치|버려)",
    r"방치",
    r"위험해요",
    r"처리\s*(좀|해\s*(주(세요|십시오|셔)|줘)|안\s*해)",
    r"짜증",
    r"화가\s*나",
    # A problem described without the word for it: a light that stays off, noise at night,
    # a hole in the road, rubbish not collected, dirt, waiting, and how long it has lasted.
    r"가로등.*꺼|(가로등|보안등|신호등|전등).*(안\s*(들어|켜)|깜빡|나갔)",
    r"(며칠|일주일|열흘|한\s*달|몇\s*(일|주|달))\s*째",
    r"쿵쿵",
    r"층간",
    r"시끄러",
    r"잠을?\s*못\s*자",
    r"움푹",
    r"(패인|팬)\s*(곳|데|도로)",
    r"터졌",
    r"안\s*치워",
    r"수거\s*(를|가)?\s*안",
    r"냄새\s*(가|나|때문)",
    r"너무하",
    r"더러",
    r"더럽",
    r"(청소|정리|단속|조치|치워|정비|수거|교체|보수)\s*(좀\s*)?(해\s*)?주(세요|십시오)",
    r"배차\s*간격",
    r"(\d+|한|두|세|네|몇)\s*(분|시간)\s*(이나|넘게|째)",
    r"패여|패였|구멍이",
    r"(아무렇게나|함부로)\s*(세워|대|주차|버려)",
    r"지나갈\s*수가?\s*없",
    r"퉁명",
    r"반말",
    r"기분\s*(이\s*)?(나빴|나쁘|상했)",
    r"무시\s*(당|하더)",
    r"뚝뚝",
    r"(물|비)(이|가)\s*(계속\s*|자꾸\s*)?(새(요|서|네|는)|샌다|떨어져|넘쳐|고여)",
    r"말이\s*(됩니까|돼요|되냐|됩니다)",
    r"연락(도|이)?\s*안\s*(받|돼|와)",
)
# A problem word in a question about a program is the program's topic ("쉼터 낡은 거 고쳐주는
# 사업 대상이 어디예요?"): such a message is a question unless it asks to file.
PROGRAM_QUESTION = r"대상|조건|자격|사업|지원금|제도|프로그램|예산"
# A request for information about what the documents hold ("교통 공약 정리해 주세요", "청년 정책
# 좀 모아서 보여 주세요") is a question although "정리해 주세요" also asks to tidy a street: the
# verb's object is a kind of document content, not a place or a thing.
INFORMATION_TOPICS = (
    r"공약|정책|사업|제도|프로그램|위원회|단체|부서|예산|계획|현황|목록|리스트|종류|내용|자료|정보"
)
INFORMATION_REQUEST = (
    rf"({INFORMATION_TOPICS})\s*(들|만|별로)?\s*(을|를|은|는|이|가)?\s*(좀\s*)?"
    r"(한번\s*|쭉\s*|간단히\s*|다\s*|전부\s*|모두\s*)?"
    r"((정리|요약|나열|설명|소개)\s*(좀\s*)?(해서|해|하여)\s*(좀\s*)?(주|줘|알려|보여)|"
    r"(알려|보여|모아|찾아|뽑아)(서)?\s*(좀\s*)?(주|줘|보여))"
)
GREETING_PATTERNS = (
    r"^(안녕|안뇽|하이|헬로|ㅎㅇ|hello|hi|hey|반가|반갑)",
    r"^(고마워|고맙|감사|ㄳ|ㄱㅅ|thank|땡큐|수고)",
    r"^(좋은\s*(아침|하루|저녁))",
    r"^(잘\s*(가|있어)|바이|bye)",
    r"^(처음\s*왔)",
    r"^(누구(세요|야|니))",
)
# Things no local-government document here can answer; matched as whole words or phrases.
OUT_OF_SCOPE_PATTERNS = (
    r"날씨",
    r"기온",
    r"농도",
    r"미세먼지\s*(어때|수치|농도|심해|나빠|좋아)",
    r"(오늘|내일|지금).*(비|눈)\s*(와|오)",
    r"주가",
    r"주식",
    r"환율",
    r"코인",
    r"비트코인",
    r"로또",
    r"맛집",
    r"레시피",
    r"요리법",
    r"만드는\s*법",
    r"경기\s*결과",
    r"스코어",
    r"몇\s*대\s*몇",
    r"연예인",
    r"아이돌",
    r"드라마",
    r"영화\s*추천",
    r"노래\s*추천",
    r"게임",
    r"운세",
    r"궁합",
    r"심심",
    r"사랑해",
    r"결혼해",
    r"배고파",
    r"졸려",
    r"\d+\s*[+\-*/x×÷]\s*\d+",
    r"번역해",
    r"산책\s*코스",
    r"구독자\s*늘",
    r"사는\s*법",
    r"(경찰|소방|병원)\s*(번호|전화)",
    r"몇\s*시야",
    r"^너\s",
    r"^너는",
    r"^넌",
    r"네\s*이름",
    r"너\s*이름",
    r"로봇",
    r"점심",
    r"저녁\s*뭐",
    r"뭐\s*먹지",
    r"꿀팁",
    r"늘리는\s*법",
)
_FILING = re.compile("|".join(FILING_PATTERNS), re.IGNORECASE)
_PROBLEM = re.compile("|".join(PROBLEM_PATTERNS), re.IGNORECASE)
_PROGRAM_QUESTION = re.compile(PROGRAM_QUESTION)
_INFORMATION_REQUEST = re.compile(INFORMATION_REQUEST)
_GREETING = re.compile("|".join(GREETING_PATTERNS), re.IGNORECASE)
_OUT_OF_SCOPE = re.compile("|".join(OUT_OF_SCOPE_PATTERNS), re.IGNORECASE)
GREETING_MAX_CHARS = 20  # "안녕하세요, 새마을 장학금 알려주세요" is a question, not a greeting


def detect_intent(text: str) -> str:
    """question | complaint | greeting | out_of_scope for one message."""
    return classify(normalize(text))


def classify(text: str) -> str:
    """``detect_intent`` of a message already normalized (nlp.normalizer.normalize)."""
    if not has_content(text):
        return OUT_OF_SCOPE
    if _FILING.search(text) or _PROBLEM.search(text) and not _asks_about_content(text):
        return COMPLAINT
    if _GREETING.search(text) and len(text) <= GREETING_MAX_CHARS:
        return GREETING
    if _OUT_OF_SCOPE.search(text):
        return OUT_OF_SCOPE
    return QUESTION


def _asks_about_content(text: str) -> bool:
    """Whether a message with a problem word asks about the documents' content instead: a
    program's topic ("쉼터 낡은 거 고쳐주는 사업 대상") or a request to gather or tell what they
    hold ("교통 공약 정리해 주세요")."""
    return bool(_PROGRAM_QUESTION.search(text) or _INFORMATION_REQUEST.search(text))
