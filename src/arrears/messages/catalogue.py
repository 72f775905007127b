"""The message templates: Jinja2 files per language and template id, shipped in this package, optionally
overridden from a directory (same layout: ``<language>/<template id>.j2``).

Two environments read the same files: the HTML part is autoescaped, the text parts are not. Both are
strict: a variable a template names but the message does not provide is an error, never a literal in a
customer's inbox.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    StrictUndefined,
    Template,
    TemplateNotFound,
)
from markupsafe import Markup, escape

#: Languages shipped with the package; a customer in any other language reads English.
SHIPPED_LANGUAGES = ("en", "es")
FALLBACK_LANGUAGE = "en"

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def paragraphs(value: str) -> Markup:
    """Plain paragraphs (blank-line separated) as HTML paragraphs, escaped unless already markup."""
    text = str(value).strip()
    parts = [" ".join(p.split()) for p in _PARAGRAPH_BREAK.split(text) if p.strip()]
    if isinstance(value, Markup):
        return Markup("\n").join(Markup(f"<p>{p}</p>") for p in parts)
    return Markup("\n").join(Markup("<p>{}</p>").format(escape(p)) for p in parts)


def _environment(loader: BaseLoader, *, html: bool) -> Environment:
    env = Environment(
        loader=loader,
        undefined=StrictUndefined,
        autoescape=html,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["paragraphs"] = paragraphs
    return env


class Catalogue:
    """Template lookup by (language, id), with the English file standing in for a missing translation."""

    def __init__(self, override_dir: Path | None = None) -> None:
        loaders: list[BaseLoader] = []
        if override_dir is not None:
            loaders.append(FileSystemLoader(str(override_dir)))
        loaders.append(PackageLoader("arrears.messages", "templates"))
        loader = ChoiceLoader(loaders)
        self.override_dir = override_dir
        self.text = _environment(loader, html=False)
        self.html = _environment(loader, html=True)

    def language_for(self, template_id: str, language: str) -> str | None:
        """The language whose file renders `template_id` for a reader of `language`; None: no such id."""
        for candidate in dict.fromkeys((language, FALLBACK_LANGUAGE)):
            if self._exists(f"{candidate}/{template_id}.j2"):
                return candidate
        return None

    def has(self, template_id: str) -> bool:
        return self.language_for(template_id, FALLBACK_LANGUAGE) is not None

    def template(self, language: str, template_id: str, *, html: bool) -> Template:
        return (self.html if html else self.text).get_template(f"{language}/{template_id}.j2")

    def ids(self) -> list[str]:
        """Every template id shipped in the fallback language (and any override adds)."""
        found: set[str] = set()
        roots = [resources.files("arrears.messages").joinpath("templates", FALLBACK_LANGUAGE)]
        if self.override_dir is not None:
            roots.append(self.override_dir / FALLBACK_LANGUAGE)
        for root in roots:
            base = Path(str(root))
            if base.is_dir():
                for path in base.rglob("*.j2"):
                    name = path.relative_to(base).as_posix()[: -len(".j2")]
                    if not Path(name).name.startswith("_"):
                        found.add(name)
        return sorted(found)

    def _exists(self, name: str) -> bool:
        try:
            self.text.get_template(name)
        except TemplateNotFound:
            return False
        return True


@lru_cache(maxsize=8)
def catalogue(override_dir: Path | None = None) -> Catalogue:
    """One catalogue per override directory for the life of the process (templates compile once)."""
    return Catalogue(override_dir)
