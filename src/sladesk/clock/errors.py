"""Errors raised by the clock engine."""

from __future__ import annotations


class ClockError(ValueError):
    """Base class for every error the clock engine raises."""


class NaiveDatetimeError(ClockError):
    """A datetime without a UTC offset was given where an instant is required."""


class CalendarError(ClockError):
    """A calendar definition is invalid (bad window, unknown zone, empty union...)."""
