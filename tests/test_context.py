"""Handlers and jobs receive a BotContext whose properties are the services set in post_init."""

from __future__ import annotations

import pytest
from telegram.ext import Application

from handlers.context import SERVICES, BotContext, MissingService, set_services


async def test_every_service_is_set_in_post_init_and_read_through_the_context(local_bot):
    context = BotContext(local_bot.application)
    assert local_bot.application.context_types.context is BotContext
    for name in SERVICES:
        assert getattr(context, name) is local_bot.application.bot_data[name]
    assert context.store is local_bot.store and context.uploads == {} and context.semantic is None


async def test_a_reload_swaps_the_knowledge_base_for_every_context(local_bot):
    first, second = BotContext(local_bot.application), BotContext(local_bot.application)
    old = first.kb
    first.kb = new = object()
    assert second.kb is new and second.kb is not old


def test_a_service_read_before_post_init_names_what_is_missing():
    context = BotContext(Application.builder().token("0:test").build())
    with pytest.raises(MissingService, match="kb is not set"):
        _ = context.kb


@pytest.mark.parametrize(
    "services, named",
    [
        ({name: None for name in SERVICES if name != "store"}, "store"),
        ({name: None for name in SERVICES} | {"db": None}, "db"),
    ],
)
def test_set_services_refuses_a_missing_or_misspelt_service(services, named):
    application = Application.builder().token("0:test").build()
    with pytest.raises(ValueError, match=named):
        set_services(application, **services)
    assert application.bot_data == {}
