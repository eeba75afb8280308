"""Safe XML reading: no DTD entities, no network, no entity expansion, size-capped.

Official lists are XML files of tens of megabytes from servers we do not
control. A file that declares entities (XXE, billion laughs) is refused
outright rather than parsed with entities left unexpanded: no official list
needs them, so their presence means the file is not what it claims to be.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from lxml import etree

from screening.errors import ListFormatError

MAX_XML_BYTES = 512 * 1024 * 1024


def parse_xml(source: Path | IO[bytes], *, max_bytes: int = MAX_XML_BYTES) -> etree._ElementTree:
    """Parse an XML document safely.

    Raises:
        ListFormatError: the file is too large, is not well-formed XML, or
            declares a DTD with entities.
    """
    if isinstance(source, Path):
        size = source.stat().st_size
        if size > max_bytes:
            raise ListFormatError(f"{source.name}: {size} bytes is over the {max_bytes}-byte limit")
        if size == 0:
            raise ListFormatError(f"{source.name}: the file is empty")
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=True,
    )
    name = source.name if isinstance(source, Path) else "XML input"
    try:
        tree = etree.parse(str(source) if isinstance(source, Path) else source, parser)
    except etree.XMLSyntaxError as exc:
        raise ListFormatError(f"{name}: not well-formed XML ({exc})") from exc
    # lxml-stubs lack these DocInfo/DTD members; read them defensively.
    docinfo: Any = tree.docinfo
    dtd: Any = docinfo.internalDTD or docinfo.externalDTD
    declares_entities = dtd is not None and any(True for _ in dtd.iterentities())
    doctype = docinfo.doctype or ""
    if declares_entities or docinfo.system_url or "<!ENTITY" in doctype or "SYSTEM" in doctype:
        raise ListFormatError(f"{name}: XML declares entities or an external DTD; refused")
    return tree


def local(tag: object) -> str:
    """An element's tag without its namespace."""
    text = str(tag)
    return text.rsplit("}", 1)[-1]


def text(el: etree._Element | None) -> str | None:
    """The element's stripped text, or None when empty."""
    if el is None or el.text is None:
        return None
    value = el.text.strip()
    return value or None
