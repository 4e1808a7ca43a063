"""Closed vocabularies of the law (award forms, ratings, dossier states) as Python enums.

A member is its code — a `str`, equal to what the database stores — and carries its
Vietnamese label. The class offers `values`, `labels` and `choices` ((code, label) pairs,
what a Django field or form takes), so models and forms use a vocabulary as they would a
TextChoices while importing it loads no Django.
"""

import enum


class _VocabularyType(enum.EnumType):
    @property
    def values(cls) -> list[str]:
        return [member.value for member in cls]

    @property
    def labels(cls) -> list[str]:
        return [member.label for member in cls]

    @property
    def choices(cls) -> list[tuple[str, str]]:
        return [(member.value, member.label) for member in cls]


class Vocabulary(enum.StrEnum, metaclass=_VocabularyType):
    """Members are written `NAME = "code", "Vietnamese label"`."""

    def __new__(cls, value: str, label: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    # A template that reads a vocabulary reads it; it does not call the class.
    do_not_call_in_templates = enum.nonmember(True)
