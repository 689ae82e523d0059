"""A client contact and its questions, as the S regulation (001) sees them.

The fields are exactly what S-02…S-07 need to decide how many service requests to create and
how to classify them; pack conditions read them as `question.<field>`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass


@dataclass(frozen=True)
class Question:
    """One question of a client contact, as the operator understood it during the dialogue.

    The fields are what the S regulation needs to decide how many requests to create and how to
    classify them; pack conditions (`question.<field>`) read them.
    """

    theme: str
    type: str
    subtheme: str = ""
    product: str = ""
    number: str = ""  # S-03: the phone number the question is about ("" = the calling number)
    main: bool = False  # S-06: the operator marked this question's subtheme as the main one
    justified: bool = True  # S-05: a complaint must be justified
    geocoded: bool = False  # S-05: the request must be geocoded
    asr_reconnect: bool = False  # S-05: a service is re-connected in АСР to solve it
    content_number: str = ""  # S-02: the content number asked about
    compensation: str = ""  # S-02: «корректировка» or «компенсация» is carried out
    mass_incident: str = ""  # S-02: the mass incident (МИ) the request is tied to
    claim_needed: bool = False  # S-02: a claim in ГОП is needed for the МИ
    asr_action_theme: str = ""  # S-07: theme of the technical АСР action (never used)


@dataclass(frozen=True)
class Contact:
    """One client contact (S-01): every question and transfer of one dialogue."""

    questions: tuple[Question, ...]
    calling_number: str = ""
    transfers: int = 0


QUESTION_SCHEMA = {"question": Question}
QUESTION_FIELDS = frozenset(f.name for f in dataclasses.fields(Question))
