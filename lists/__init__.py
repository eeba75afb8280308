"""Official sanctions and item lists: one parser per official format.

A source is a plugin: ``lists/sources/<name>.toml`` (name, publisher, official
URLs, format, expected entry counts, licence) plus ``lists/sources/<name>.py``
with ``parse(path) -> ParsedList``. Parsers do no network and no database IO;
:mod:`lists.fetch` downloads, :mod:`lists.versions` checks and diffs, and the
storage adapter in :mod:`screening.storage` persists and activates.
"""
