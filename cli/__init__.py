"""Shell commands' output for staff without Telegram (`bot.py complaints`): tables and text
on a terminal. Display only: the data comes from db/, the time and width helpers from display.
"""
