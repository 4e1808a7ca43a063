"""Read a rendered page as a tree (stdlib html.parser), so tests assert on what is shown
rather than on substrings of markup."""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict
    children: list = field(default_factory=list)
    parent: "Element | None" = None

    def iter(self):
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter()

    def find_all(self, tag=None, **attrs):
        wanted = {k.rstrip("_").replace("_", "-"): v for k, v in attrs.items()}
        return [
            e for e in self.iter()
            if (tag is None or e.tag == tag)
            and all(e.attrs.get(k) == v if v is not True else k in e.attrs
                    for k, v in wanted.items())
        ]

    def find(self, tag=None, **attrs):
        found = self.find_all(tag, **attrs)
        return found[0] if found else None

    def by_id(self, element_id):
        return self.find(id=element_id)

    def has_class(self, name):
        return name in (self.attrs.get("class") or "").split()

    def with_class(self, name, tag=None):
        return [e for e in self.iter() if e.has_class(name) and (tag is None or e.tag == tag)]

    @property
    def text(self):
        parts = []
        for child in self.children:
            parts.append(child.text if isinstance(child, Element) else child)
        return re.sub(r"\s+", " ", "".join(parts)).strip()


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {k: (v if v is not None else "") for k, v in attrs},
                          parent=self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(
            Element(tag, {k: (v if v is not None else "") for k, v in attrs},
                    parent=self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(response_or_html) -> Element:
    html = response_or_html
    if not isinstance(html, str):
        html = response_or_html.content.decode()
    builder = _Builder()
    builder.feed(html)
    builder.close()
    return builder.root


def inline_code(root: Element) -> list[str]:
    """Everything a strict CSP (script-src/style-src 'self') would block: inline scripts,
    style elements and attributes, event handler attributes, javascript: URLs. A JSON data
    block (<script type="application/json">) never executes, so the CSP lets it be."""
    problems = []
    for element in root.iter():
        if element.tag == "script" and element.attrs.get("type") == "application/json":
            continue
        if element.tag == "script" and ("src" not in element.attrs or element.text):
            problems.append(f"inline <script>: {element.text[:60]!r}")
        if element.tag == "style":
            problems.append("<style> element")
        for name, value in element.attrs.items():
            if name == "style":
                problems.append(f"style= on <{element.tag}>")
            if name.startswith("on"):
                problems.append(f"{name}= on <{element.tag}>")
            if name in {"href", "src", "action", "formaction"} and value.strip().lower(
                    ).startswith("javascript:"):
                problems.append(f"javascript: URL on <{element.tag}>")
    return problems
