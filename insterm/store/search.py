"""One search entry point for the CLI and the TUI: a parsed query -> a ranked page of summaries.

Each query kind becomes an ordered list of *sources*, each one indexed SQL query already in
display order (ranked tiers: exact identifiers first, then name prefixes, then phonetic
matches). A page is the de-duplicated concatenation of the sources, cut at
`page * size .. (page + 1) * size`; a source is read only as far as the page needs, so the
first page of a common name reads about one page of index entries.

Records merged into another one are left out except when looked up by IPP (they then say into
which record they were merged). Results are `IdentitySummary`: no matricule unless QUAL.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from insterm.domain.query import (
    BirthDateQuery,
    DatamatrixQuery,
    IppQuery,
    MatriculeQuery,
    NameQuery,
    NameSplit,
    Query,
    parse_query,
    phonetic,
    search_key,
)
from insterm.store.summary import SUMMARY_SELECT, IdentitySummary, row_to_summary

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 200
_AFTER_Z = "["  # the character after "Z": keys are A-Z only, so key < prefix + "[" is a prefix

_ACTIVE = "identity.merged_into IS NULL AND identity.withdrawn = 0"


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One page of results (`page` from 0) and the query they answer."""

    items: tuple[IdentitySummary, ...]
    page: int
    page_size: int
    has_more: bool
    query: Query


@dataclass(frozen=True, slots=True)
class _Source:
    """One ranked SQL query of a search."""

    sql: str  # ends with ORDER BY; "LIMIT ?" is appended
    params: tuple[object, ...]
    match: str  # French: why rows of this source were found


def _select(index: str | None = None) -> str:
    indexed = f" INDEXED BY {index}" if index else ""
    return f"SELECT {SUMMARY_SELECT} FROM identity{indexed}"


def _prefix(column: str) -> str:
    return f"({column} >= ? AND {column} < ?)"


def _first_name_filter(split: NameSplit, column: str, *,
                       phonetic_too: bool = False) -> tuple[str, tuple[str, ...]]:
    """` AND (<first-name prefix on column> [OR same phonetic first name])`, or nothing.

    Only columns of the index being scanned are used, so the filter is checked on index
    entries without reading the rows."""
    if not split.first_name_key:
        return "", ()
    key = split.first_name_key
    clause = _prefix(f"identity.{column}")
    params: tuple[str, ...] = (key, key + _AFTER_Z)
    if phonetic_too and split.first_name_phonetic:
        clause += " OR identity.p_first_name = ?"
        params += (split.first_name_phonetic,)
    return f" AND ({clause})", params


def _name_sources(query: NameQuery) -> list[_Source]:
    date_sql = ""
    date_params: tuple[str, ...] = ()
    if query.birth_date is not None:
        date_sql, date_params = " AND identity.birth_date = ?", (query.birth_date.isoformat(),)
    by_date = "identity_birth_date" if query.birth_date is not None else None
    prefix_sources: list[_Source] = []
    used_first_sources: list[_Source] = []
    phonetic_sources: list[_Source] = []
    for split in query.splits:
        key = split.name_key
        if not key:
            continue
        name_params = (key, key + _AFTER_Z, *date_params)
        first_sql, first_params = _first_name_filter(split, "k_first_name")
        prefix_sources.append(_Source(
            f"{_select(by_date or 'identity_k_birth_name')} WHERE {_prefix('identity.k_birth_name')}"
            f"{date_sql}{first_sql} AND {_ACTIVE}"
            " ORDER BY identity.k_birth_name, identity.k_first_name, identity.birth_date, identity.id",
            (*name_params, *first_params), "nom de naissance"))
        prefix_sources.append(_Source(
            f"{_select(by_date or 'identity_k_used_name')} WHERE {_prefix('identity.k_used_name')}"
            f"{date_sql}{first_sql} AND {_ACTIVE}"
            " ORDER BY identity.k_used_name, identity.k_first_name, identity.id",
            (*name_params, *first_params), "nom utilisé"))
        if split.first_name_key:
            used_sql, used_params = _first_name_filter(split, "k_used_first_name")
            used_first_sources.append(_Source(
                f"{_select(by_date or 'identity_k_used_first_name')} WHERE "
                f"{_prefix('identity.k_birth_name')}{date_sql}{used_sql} AND {_ACTIVE}"
                " ORDER BY identity.k_birth_name, identity.k_used_first_name, identity.id",
                (*name_params, *used_params), "nom de naissance et prénom utilisé"))
        if split.name_phonetic:
            ph_sql, ph_params = _first_name_filter(split, "k_first_name", phonetic_too=True)
            for column, index, label in (
                ("p_birth_name", "identity_p_birth_name", "nom de naissance proche (phonétique)"),
                ("p_used_name", "identity_p_used_name", "nom utilisé proche (phonétique)"),
            ):
                phonetic_sources.append(_Source(
                    f"{_select(by_date or index)} WHERE identity.{column} = ?"
                    f"{date_sql}{ph_sql} AND {_ACTIVE}"
                    " ORDER BY identity.k_birth_name, identity.k_first_name, identity.id",
                    (split.name_phonetic, *date_params, *ph_params), label))
    return prefix_sources + used_first_sources + phonetic_sources


def _matricule_sources(matricule: str) -> list[_Source]:
    return [
        _Source(f"{_select()} WHERE identity.matricule = ? AND {_ACTIVE} ORDER BY identity.id",
                (matricule,), "matricule INS"),
        _Source(f"{_select()} WHERE identity.id IN "
                "(SELECT identity_id FROM ins_history WHERE matricule = ?) "
                f"AND {_ACTIVE} ORDER BY identity.id",
                (matricule,), "matricule INS (historique)"),
    ]


def _ipp_source(ipp: str) -> _Source:
    return _Source(f"{_select()} WHERE identity.ipp = ? ORDER BY identity.id", (ipp,), "IPP")


def sources_for(query: Query) -> list[_Source]:
    match query:
        case MatriculeQuery(matricule=matricule):
            return _matricule_sources(matricule)
        case IppQuery(ipp=ipp):
            return [_ipp_source(ipp)]
        case BirthDateQuery(birth_date=birth_date, also_ipp=also_ipp):
            sources = [_ipp_source(also_ipp)] if also_ipp else []
            sources.append(_Source(
                f"{_select('identity_birth_date')} WHERE identity.birth_date = ? AND {_ACTIVE}"
                " ORDER BY identity.k_birth_name, identity.k_first_name, identity.id",
                (birth_date.isoformat(),), "date de naissance"))
            return sources
        case NameQuery():
            return _name_sources(query)
        case DatamatrixQuery(identity=identity):
            first = identity.first_names.split()[0] if identity.first_names.split() else None
            split = NameSplit(search_key(identity.birth_name), phonetic(identity.birth_name),
                              search_key(first) if first else None,
                              phonetic(first) if first else None)
            return _matricule_sources(identity.matricule) + _name_sources(
                NameQuery((split,), identity.birth_date))
    raise TypeError(f"unknown query kind {type(query).__name__}")  # pragma: no cover


def search(conn: sqlite3.Connection, query: Query | str, *, page: int = 0,
           page_size: int = DEFAULT_PAGE_SIZE) -> SearchPage:
    """The `page`-th page (from 0) of results; a text is parsed first (`QueryError`)."""
    if isinstance(query, str):
        query = parse_query(query)
    page = max(0, int(page))
    page_size = max(1, min(int(page_size), MAX_PAGE_SIZE))
    wanted = (page + 1) * page_size + 1  # one more than the page, to know whether more follow
    seen: set[int] = set()
    collected: list[IdentitySummary] = []
    for source in sources_for(query):
        if len(collected) >= wanted:
            break
        for row in conn.execute(source.sql + " LIMIT ?", (*source.params, wanted)):
            if row[0] in seen:
                continue
            seen.add(row[0])
            collected.append(row_to_summary(row, source.match))
            if len(collected) >= wanted:
                break
    start = page * page_size
    items = tuple(collected[start:start + page_size])
    return SearchPage(items, page, page_size, len(collected) > start + page_size, query)
