"""The sealed ballot box: a ballot's receipt code, choices and validity are sealed when
it is cast, with a key per poll that only the count unseals (DESIGN.md "Ballot secrecy").

Keys: from the server's `BALLOT_SECRET` (environment, never in the database) and the
poll's random `seal_salt`, HMAC-SHA256 derives three keys per poll —
- the X25519 private key of the box: its public half is stored on the poll at open, the
  private half is derived again only by the count at close;
- the tag key: `code_tag` (HMAC of the receipt code) keeps receipt codes unique in a poll
  and a paper ballot entered once, without storing the code in clear;
- the paper key: the n-th paper ballot's printed code, so codes are neither stored nor
  ordered — nothing ties a code to the unit or delegate it was handed to.

A sealed ballot is a libsodium sealed box (PyNaCl `SealedBox`: an ephemeral key per
ballot, so two equal ballots look unrelated) over JSON padded to a fixed size, so its
length does not tell how many candidates were marked.
"""

import hashlib
import hmac
import json
import secrets

from django.conf import settings
from nacl.public import PrivateKey, PublicKey, SealedBox

from thidua.core.errors import Conflict
from thidua.voting.domain import receipts

_PAD = 512  # plaintext padded to a multiple of this many bytes


def _derive(poll, label: str) -> bytes:
    root = str(settings.BALLOT_SECRET).encode()
    return hmac.new(root, f"thidua-ballot:{label}:{poll.pk}:{poll.seal_salt}".encode(),
                    hashlib.sha256).digest()


def new_salt() -> str:
    return secrets.token_hex(16)


def public_key_hex(poll) -> str:
    """The poll's public key as stored at open (derived from the secret and the salt)."""
    return PrivateKey(_derive(poll, "seal")).public_key.encode().hex()


def _public_key(poll) -> PublicKey:
    return PublicKey(bytes.fromhex(poll.seal_key or public_key_hex(poll)))


def seal(poll, receipt_code: str, choices, valid: bool) -> bytes:
    body = json.dumps({"r": receipt_code, "c": sorted(choices), "v": bool(valid)},
                      separators=(",", ":")).encode()
    body += b" " * (-len(body) % _PAD)
    return SealedBox(_public_key(poll)).encrypt(body)


class Unsealer:
    """The count's view of a poll's box: refuses when the secret changed since open."""

    def __init__(self, poll):
        private = PrivateKey(_derive(poll, "seal"))
        if poll.seal_key and private.public_key.encode().hex() != poll.seal_key:
            raise Conflict("Khóa niêm phong phiếu của máy chủ (THIDUA_BALLOT_SECRET) đã thay "
                           "đổi từ khi mở bỏ phiếu: đặt lại khóa cũ rồi kết thúc bỏ phiếu; "
                           "không phiếu nào bị mất.")
        self._box = SealedBox(private)

    def open(self, sealed: bytes) -> tuple[str, tuple, bool]:
        """(receipt code, sorted candidate ids, valid)."""
        body = json.loads(self._box.decrypt(bytes(sealed)))
        return body["r"], tuple(body["c"]), body["v"]


def code_tag(poll, receipt_code: str) -> str:
    return hmac.new(_derive(poll, "tag"), receipt_code.encode(), hashlib.sha256).hexdigest()


def paper_code(poll, number: int) -> str:
    """The printed code of the poll's `number`-th paper ballot (0-based)."""
    digest = int.from_bytes(hmac.new(_derive(poll, "paper"), str(number).encode(),
                                     hashlib.sha256).digest())
    alphabet, chars = receipts.ALPHABET, []
    for _ in range(receipts.LENGTH):
        digest, index = divmod(digest, len(alphabet))
        chars.append(alphabet[index])
    raw = "".join(chars)
    return f"{raw[:receipts.GROUP]}-{raw[receipts.GROUP:]}"
