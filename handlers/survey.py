"""The citizen's satisfaction survey after 완료: 1–5 buttons, then an optional comment written
as a reply to the survey message."""

from __future__ import annotations

from telegram import Update

from db.satisfaction import NotClosed, NotYourComplaint, comment, rate
from display import survey_receipt
from handlers import keyboards
from handlers.access import RepliesToBot
from handlers.context import BotContext

RATE = "v:"  # v:<receipt>:<score>
RATE_PATTERN = rf"^{RATE}({keyboards.RECEIPT_PATTERN}):([1-5])\Z"
THANKS_TEXT = (
    "{receipt} 민원 처리에 {score}점을 주셨습니다. 고맙습니다. 하고 싶은 말씀이 있으면 "
    "이 메시지에 답장으로 적어 주세요."
)
COMMENT_SAVED_TEXT = "의견을 담당 부서에 전했습니다. 고맙습니다."
NOT_YOURS_TEXT = "본인이 접수한 민원만 평가할 수 있습니다."
NOT_CLOSED_TEXT = "아직 처리가 끝나지 않은 민원입니다."
RATE_FIRST_TEXT = "먼저 점수 버튼(1–5)을 눌러 주세요."
LABELS = {1: "1 매우 불만", 2: "2", 3: "3 보통", 4: "4", 5: "5 매우 만족"}


def rating_buttons(receipt: str):
    """The 1–5 buttons under a survey message."""
    return keyboards.keyboard([[(LABELS[n], f"{RATE}{receipt}:{n}") for n in range(1, 6)]])


# A reply to the bot's own survey message (its first line names the receipt); a copy of it
# forwarded or sent by someone else is not a survey.
REPLY_TO_SURVEY = RepliesToBot(lambda text: survey_receipt(text) is not None, "RepliesToSurvey")


async def rate_complaint(update: Update, context: BotContext) -> None:
    """Stores the pressed score and invites a comment."""
    query = update.callback_query
    parts = query.data.removeprefix(RATE).rsplit(":", 1)
    if len(parts) != 2 or not parts[1].isdigit() or not 1 <= int(parts[1]) <= 5:
        await query.answer()
        return
    receipt, score = parts[0], int(parts[1])
    try:
        await context.store.write(rate, receipt, user_id=update.effective_user.id, score=score)
    except NotYourComplaint:
        await query.answer(NOT_YOURS_TEXT, show_alert=True)
        return
    except NotClosed:
        await query.answer(NOT_CLOSED_TEXT, show_alert=True)
        return
    await query.answer()
    text = f"{query.message.text.splitlines()[0]}\n" + THANKS_TEXT.format(
        receipt=receipt, score=score
    )
    await keyboards.edit_message(query, text, None)


async def comment_on_complaint(update: Update, context: BotContext) -> None:
    """Keeps the citizen's comment with their score."""
    receipt = survey_receipt(update.message.reply_to_message.text)
    try:
        await context.store.write(
            comment,
            receipt,
            user_id=update.effective_user.id,
            text=update.message.text,
        )
    except NotYourComplaint:
        await update.message.reply_text(RATE_FIRST_TEXT)
        return
    await update.message.reply_text(COMMENT_SAVED_TEXT)
