"""The printed documents' words (templates/documents/labels.j2), read once per Texts."""

from __future__ import annotations

import weakref
from typing import Any

from bot.texts import Texts

_loaded: weakref.WeakKeyDictionary[Texts, Words] = weakref.WeakKeyDictionary()


class Words(dict[str, str]):
    """The labels by key; called, a label with its `{name}` placeholders filled in."""

    def __call__(self, key: str, /, **values: Any) -> str:
        text = self[key]
        return text.format(**values) if values else text


def words(texts: Texts) -> Words:
    found = _loaded.get(texts)
    if found is None:
        module: Any = texts.env.get_template("documents/labels.j2").module
        found = _loaded[texts] = Words(module.labels)
    return found
