"""Signals other apps listen to; roleplay never imports them (DESIGN §3)."""

from django.dispatch import Signal

# Sent after the transaction that ended a practice session has committed, with
# `session` (the PracticeSession). assessments judges the session from here.
session_ended = Signal()
