"""The documentation stands alone: every link in README.md and docs/ resolves inside the
repository (someone who clones it has nothing beside it), and the architecture page names
only files that exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# [text](target) and [text]: target; inline code is removed first (it may hold brackets).
INLINE_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
REFERENCE_LINK = re.compile(r"^\s*\[[^\]]+\]:\s*(\S+)", re.MULTILINE)
CODE = re.compile(r"`[^`]*`")


def links(page: Path) -> list[str]:
    text = CODE.sub("", page.read_text(encoding="utf-8"))
    return INLINE_LINK.findall(text) + REFERENCE_LINK.findall(text)


def test_the_pages_exist_and_the_readme_links_the_architecture() -> None:
    assert (ROOT / "docs" / "architecture.md").is_file()
    assert "docs/architecture.md" in links(ROOT / "README.md")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_link_resolves_inside_the_repository(page: Path) -> None:
    for target in links(page):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # http:, mailto:...
            pytest.fail(f"{page.name}: external link {target}: the docs must stand alone")
        path = target.split("#", 1)[0]
        if not path:
            continue  # an anchor in the same page
        resolved = (page.parent / path).resolve()
        assert resolved.is_relative_to(ROOT), f"{page.name}: {target} leaves the repository"
        assert resolved.exists(), f"{page.name}: {target} does not exist"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_page_points_outside_the_repository(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    assert "../shared" not in text and "DESIGN.md" not in text, page.name


def test_the_files_the_architecture_names_exist() -> None:
    """Paths in backticks like `usecases/context.py` or `store/migrations.py` (relative to
    insterm/ or to the repository) name real files."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`([a-z_/]+\.(?:py|tcss|toml))", text))
    assert named, "the architecture page names no file"
    missing = sorted(name for name in named
                     if not (ROOT / "insterm" / name).exists() and not (ROOT / name).exists())
    assert missing == []
