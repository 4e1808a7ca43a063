"""A paper's DOCX from its kind, subject and date: the Decree 30 heading
(documents.kind.common_context) and the kind's own context, through the engine."""

import datetime

from thidua.documents import engine
from thidua.documents.kind import Kind, common_context
from thidua.org.rules import Actor


def render(kind: Kind, actor: Actor, subject, *, number: int | None, on: datetime.date
           ) -> bytes:
    context = common_context(kind, subject, number=number, on=on)
    context.update(kind.context(actor, subject, on))
    return engine.render(kind.template, context)
