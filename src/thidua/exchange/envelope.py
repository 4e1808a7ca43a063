"""The envelope of a province export (docs/export-format.md): format and version, the
`Section` each app's rows are described by (exchange.sections), the key lookup of an
import and the whole-file checksum.

The document refers to rows by *keys* — natural keys where the data has them (a unit's
code, a year, a username, "KTKT/2025" for a bloc year), else the row's 1-based position
in its section (rows are exported in creation order and imported in that order, so the
positions survive) — never by database ids. Files (pledge and score evidence, issued
DOCX) are embedded once each in the document's `files` map, base64, named by their
SHA-256, which the import checks.
"""

import hashlib
import json
from dataclasses import dataclass, field
from importlib import metadata

from thidua.core.errors import DomainError

FORMAT = "thidua-province-export"
VERSION = 1


class ExportFormatError(DomainError):
    pass


def exporter_version() -> str:
    try:
        return f"thidua {metadata.version('thidua')}"
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a source tree
        return "thidua"


def by(prefix):
    """Rows of the province through the relation path `prefix` (e.g. "bloc__province")."""
    return lambda p: {prefix: p}


@dataclass(frozen=True)
class Section:
    name: str
    model: type
    scope: object  # province -> filter kwargs, or a Q
    fields: tuple = ()  # plain fields (text, numbers, dates, booleans, JSON)
    refs: dict = field(default_factory=dict)  # FK field -> section name ("users" too)
    key: object = None  # (obj, keys) -> str; None: the row's position ("1", "2", …)
    files: tuple = ()  # FileField / BinaryField names, exported as SHA-256 of the content
    unordered: bool = False  # no creation order (random or composite key): sorted rows
    json: dict = field(default_factory=dict)  # field -> (out(value, keys), in(value, pks))
    many: dict = field(default_factory=dict)  # many-to-many field -> section: sorted keys


BLOC_YEAR = "bloc_year__bloc__province"
TABLE = "table__bloc_year__bloc__province"


FORMER = "former_provinces"  # the provinces merged into this one, exported whole


def lookup(pks, section, key):
    """The new primary key of the row `key` of `section` in the file being imported, or of
    a former province's row (its province or a unit, keyed as `former_keys` gives them)."""
    if key is None:
        return None
    try:
        return pks[section][key]
    except (KeyError, TypeError):
        pass
    try:
        return pks[FORMER][section][key]
    except (KeyError, TypeError):
        raise ExportFormatError(
            f"Tham chiếu «{key}» tới mục «{section}» không có trong tệp.") from None


def former_keys(provinces, units) -> dict:
    """The keys a province's rows use for its former provinces' rows: a province by its
    code, a unit by "<province code>:<unit code>". The province's own keys are looked up
    first (export._key, lookup), so the two never mix unless an own unit's code reads
    like "BG:KT1". `provinces`: (pk, code); `units`: (pk, province code, code)."""
    return {"province": {pk: code for pk, code in provinces},
            "units": {pk: f"{province}:{code}" for pk, province, code in units}}


def checksum(document: dict) -> str:
    """SHA-256 of the document without its own `checksum`, over a canonical JSON text
    (sorted keys, no spaces), so indentation or key order in the file do not matter. It
    catches a file damaged or edited by hand; an editor who recomputes it is caught by the
    published polls' digests (exchange.importer.verify_published_polls), printed in the minutes."""
    body = {k: v for k, v in document.items() if k != "checksum"}
    text = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def with_checksum(document: dict) -> dict:
    return {**{k: v for k, v in document.items() if k != "checksum"},
            "checksum": checksum(document)}


def dumps(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False, indent=1, sort_keys=False) + "\n"
