"""A bulk row's problems in the reader's language (invitation_batches.wording), for the batch page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template

from invitation_batches.models import InvitationBatchRow
from invitation_batches.wording import problem_words, words

register = template.Library()


@register.filter(name="problem_words")
def problem_words_filter(entry: Mapping[str, Any]) -> str:
    """One entry of a row's `errors` or `notices`, in words (its stored message for an older row)."""
    return problem_words(entry)


@register.filter
def failure_words(row: InvitationBatchRow) -> str:
    """Why the job could not send the row, in words (its stored message when only that is known)."""
    return words(row.error_code, row.error_params, row.error_message)
