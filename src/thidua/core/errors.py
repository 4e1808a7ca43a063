"""Errors a service raises for the user: Vietnamese sentences, nothing changed."""


class DomainError(Exception):
    """A rule refused the change. `messages` are shown as they are (UI and API)."""

    status = 400

    def __init__(self, *messages: str):
        self.messages = [m for m in messages if m]
        super().__init__("; ".join(self.messages))


class Conflict(DomainError):
    """The change is valid in itself but not in the object's current state."""

    status = 409


class Forbidden(DomainError):
    """The actor may see the object but not do this to it."""

    status = 403


class NotFound(DomainError):
    """No such object, or not one this actor may see (the two are not told apart)."""

    status = 404
