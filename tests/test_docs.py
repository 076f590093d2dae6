"""The documentation names only what exists: in README.md and docs/*.md every relative link reaches a
file, and every repository path, `bot.` module and `make` target written as code is real. README
stays short, names the two commands and points nowhere outside the repository."""

from __future__ import annotations

import importlib
import importlib.util
import re
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT

README = PROJECT_ROOT / "README.md"
PAGES = [README, *sorted((PROJECT_ROOT / "docs").glob("*.md"))]

# The committed top-level folders; var/, models/ and reports/ are written at run time.
CHECKED_ROOTS = ("actions", "benchmarks", "bot", "data", "deploy", "docs", "migrations", "scripts", "tests")
GENERATED = ("tests/artifacts/", "data/nlu/from_conversations.yml")  # git-ignored, written by the code

FENCED_BLOCK = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"`((?:[^`\n]|\n(?!\n))+)`")  # may wrap to the next line, not past a paragraph
LINK = re.compile(r"\]\(([^)\s]+)\)")
REPOSITORY_PATH = re.compile(rf"^(?:{'|'.join(CHECKED_ROOTS)})/[\w./*<>-]*$")
PLACEHOLDER = re.compile(r"<[^>]*>")
BOT_MODULE = re.compile(r"(?<![\w./-])bot(?:\.\w+)+")
MAKE_COMMAND = re.compile(r"\bmake ([a-z][\w-]*)")
MAKE_TARGET = re.compile(r"^([a-z][\w-]*):", re.MULTILINE)


each_page = pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(PROJECT_ROOT)) for p in PAGES])


def code(page: Path) -> list[str]:
    """The page's inline code spans and the lines of its fenced blocks."""
    text = page.read_text(encoding="utf-8")
    fenced = [line for block in FENCED_BLOCK.findall(text) for line in block.splitlines()[1:-1]]
    return INLINE_CODE.findall(FENCED_BLOCK.sub("", text)) + fenced


def links(page: Path) -> list[str]:
    return LINK.findall(FENCED_BLOCK.sub("", page.read_text(encoding="utf-8")))


def repository_paths(page: Path) -> set[str]:
    words = (word.strip("()[],;:'\"") for span in code(page) for word in span.split())
    return {word for word in words if REPOSITORY_PATH.match(word) and not word.startswith(GENERATED)}


def path_exists(path: str) -> bool:
    """A path, or a pattern (`*`, `<name>`) that matches at least one file."""
    pattern = PLACEHOLDER.sub("*", path)
    if "*" in pattern:
        return any(PROJECT_ROOT.glob(pattern.rstrip("/")))
    return (PROJECT_ROOT / path).exists()


def resolves(dotted: str) -> bool:
    """`bot.a.b` is a module, or `bot.a.B` (`bot.a.B.c`…) an attribute of the longest module in it."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        name = ".".join(parts[:cut])
        try:
            found = importlib.util.find_spec(name) is not None
        except ModuleNotFoundError:  # a module's attribute asked for as a submodule
            found = False
        if found:
            target = importlib.import_module(name)
            for attribute in parts[cut:]:
                if not hasattr(target, attribute):
                    return False
                target = getattr(target, attribute)
            return True
    return False


def make_targets() -> set[str]:
    return set(MAKE_TARGET.findall((PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")))


@each_page
def test_every_relative_link_reaches_a_file_of_the_repository(page: Path) -> None:
    broken = []
    for target in links(page):
        if target.startswith(("http://", "https://", "mailto:", "#")):
            continue
        path = (page.parent / target.split("#")[0]).resolve()
        if not path.exists() or not path.is_relative_to(PROJECT_ROOT):
            broken.append(target)
    assert broken == []


@each_page
def test_every_repository_path_written_as_code_exists(page: Path) -> None:
    assert sorted(path for path in repository_paths(page) if not path_exists(path)) == []


@each_page
def test_every_bot_module_written_as_code_resolves(page: Path) -> None:
    named = {match for span in code(page) for match in BOT_MODULE.findall(span)}
    assert sorted(name for name in named if not resolves(name)) == []


@each_page
def test_every_make_command_written_as_code_is_a_target_of_the_makefile(page: Path) -> None:
    named = {target for span in code(page) for target in MAKE_COMMAND.findall(span)}
    assert sorted(named - make_targets()) == []


def test_the_readme_is_short_names_the_two_commands_and_stays_in_the_repository() -> None:
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) < 200
    assert "make run" in text
    assert "make test" in text
    assert re.findall(r"https?://\S+", text) == []
    assert [target for target in links(README) if not target.startswith("docs/")] == []
