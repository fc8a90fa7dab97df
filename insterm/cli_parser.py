"""The `argparse` parser of the `insterm` command, with its few fixed English phrases said in
French. Given the command line, only the subcommand it names has its module imported and its
arguments declared (`insterm.cli.SUBCOMMANDS` lists them all with their one-line help).
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any, NoReturn

from insterm import __version__
from insterm.cli import SUBCOMMANDS


class FrenchHelpFormatter(argparse.HelpFormatter):
    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None) -> None:
        # argparse imports shutil (and its compression modules) just to read the terminal's
        # width; every command builds a formatter, so read it directly (same rule as shutil).
        if width is None:
            width = _terminal_columns() - 2
        super().__init__(prog, indent_increment, max_help_position, width)

    def start_section(self, heading: str | None) -> None:
        # "options :" with the space French puts before a colon (argparse writes "options:")
        super().start_section(f"{heading} " if heading else heading)

    def add_usage(self, usage: str | None, actions: Iterable[argparse.Action],
                  groups: Iterable[argparse._MutuallyExclusiveGroup],
                  prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, "utilisation : " if prefix is None else prefix)


class FrenchArgumentParser(argparse.ArgumentParser):
    """argparse with its few fixed English phrases said in French."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", FrenchHelpFormatter)
        super().__init__(*args, **kwargs)
        self._positionals.title = "arguments"
        self._optionals.title = "options"

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog} : erreur : {french_message(message)}\n")


def _choices(text: str) -> str:
    return ", ".join(part.strip().strip("'") for part in text.split(","))


# argparse's own messages (Python 3.11 to 3.13) that an operator may meet, in French; the first
# pattern that matches the whole message wins.
_MESSAGES: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (re.compile(r"argument COMMANDE: invalid choice: '?(.*?)'? \(choose from .*\)"),
     lambda m: f"commande inconnue « {m[1]} » (voir insterm --help)"),
    (re.compile(r"argument (\S+): invalid choice: '?(.*?)'? \(choose from (.*)\)"),
     lambda m: f"{m[1]} : choix inconnu « {m[2]} » (possibles : {_choices(m[3])})"),
    (re.compile(r"the following arguments are required: (.*)"),
     lambda m: f"argument manquant : {m[1]}"),
    (re.compile(r"unrecognized arguments: (.*)"), lambda m: f"argument non reconnu : {m[1]}"),
    (re.compile(r"argument (\S+): invalid int value: '(.*)'"),
     lambda m: f"{m[1]} attend un nombre entier, pas « {m[2]} »"),
    (re.compile(r"argument (\S+): invalid float value: '(.*)'"),
     lambda m: f"{m[1]} attend un nombre, pas « {m[2]} »"),
    (re.compile(r"argument (\S+): expected one argument"),
     lambda m: f"{m[1]} attend une valeur"),
    (re.compile(r"argument (\S+): expected at least one argument"),
     lambda m: f"{m[1]} attend au moins une valeur"),
    (re.compile(r"argument (\S+): expected at most one argument"),
     lambda m: f"{m[1]} attend une valeur au plus"),
    (re.compile(r"argument (\S+): expected (\d+) arguments?"),
     lambda m: f"{m[1]} attend {m[2]} valeurs"),
    (re.compile(r"argument (\S+): ignored explicit argument '(.*)'"),
     lambda m: f"{m[1]} ne prend pas de valeur (« {m[2]} » donné)"),
    (re.compile(r"argument (\S+): not allowed with argument (\S+)"),
     lambda m: f"{m[1]} ne peut pas être donné avec {m[2]}"),
    (re.compile(r"one of the arguments (.*) is required"),
     lambda m: f"il faut l'un des arguments {m[1]}"),
    (re.compile(r"ambiguous option: (\S+) could match (.*)"),
     lambda m: f"option ambiguë {m[1]} (possibles : {m[2]})"),
    (re.compile(r"argument (\S+): (.*)", re.DOTALL),  # a French message of a `type=` function
     lambda m: f"{m[1]} : {m[2]}"),
)


def french_message(message: str) -> str:
    """argparse's English error `message` said in French (unchanged when unknown)."""
    for pattern, french in _MESSAGES:
        match = pattern.fullmatch(message)
        if match is not None:
            return french(match)
    return message


def date_option(label: str) -> Callable[[str], date]:
    """An argparse `type` reading a date as the screens do (`insterm.domain.dates`: JJ/MM/AAAA,
    JJMMAAAA, AAAA-MM-JJ...); its French refusal starts with `label`."""
    def parse(text: str) -> date:
        from insterm.domain.dates import parse_date

        try:
            return parse_date(text, label=label)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    return parse


def _terminal_columns() -> int:
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns > 0:
        return columns
    if sys.__stdout__ is None:
        return 80
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or 80
    except (AttributeError, ValueError, OSError):  # stdout replaced, closed or not a terminal
        return 80


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The whole parser. Given the command line, only the subcommand it names has its module
    imported and its arguments declared: the others need nothing but their one-line help, so
    that no command pays for importing the others (the INSi client, the terminal UI...)."""
    chosen = _named_subcommand(argv)
    parser = FrenchArgumentParser(
        prog="insterm",
        description="Identités patients et INS (identité nationale de santé), au clavier.",
        add_help=False,
    )
    parser.add_argument("-h", "--help", action="help", help="afficher cette aide et quitter")
    parser.add_argument(
        "--version", action="version", version=f"insterm {__version__}",
        help="afficher la version et quitter",
    )
    from insterm.commands import tui

    # --db and --operator: the application's without a subcommand; before a subcommand they
    # mean what they mean after it (`parse_command_line` hands them over, never drops them).
    tui.configure(parser, prefix=GLOBAL_PREFIX)
    sub = parser.add_subparsers(
        dest="command", metavar="COMMANDE", title="commandes", parser_class=FrenchArgumentParser
    )
    for name, (module, summary) in SUBCOMMANDS.items():
        sp = sub.add_parser(name, help=summary, description=summary, add_help=False)
        sp.add_argument("-h", "--help", action="help", help="afficher cette aide et quitter")
        if chosen is None or name in chosen:
            importlib.import_module(f"insterm.commands.{module}").configure(sp)
    return parser


GLOBAL_PREFIX = "global_"
# The options accepted before a subcommand: (dest in the subcommand, the option's French name).
GLOBAL_OPTIONS = (("db", "--db"), ("operator", "--operateur"))


def parse_command_line(argv: Sequence[str]) -> argparse.Namespace:
    """The parsed command line, with each global option placed before a subcommand given to
    that subcommand, as if it had been written after it.

    argparse keeps a sub-parser's defaults over the main parser's values, so `insterm --db B
    restore X` used to restore over the default database. Here an option before the
    subcommand is refused when the subcommand has no such option (it would be ignored), and
    when the same option after the subcommand names something else."""
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if args.command is None:
        return args
    words = " ".join(word for word in _command_words(args) if word)
    for dest, flag in GLOBAL_OPTIONS:
        before = getattr(args, GLOBAL_PREFIX + dest)
        if before is None:
            continue
        if not hasattr(args, dest):
            parser.error(f"{flag} ne s'applique pas à « insterm {words} »")
        after = getattr(args, dest)
        if after is not None and not _same(dest, before, after):
            parser.error(f"{flag} est donné deux fois avec deux valeurs différentes "
                         f"(« {before} » avant « {words} », « {after} » après)")
        setattr(args, dest, before)
    return args


def _command_words(args: argparse.Namespace) -> list[str]:
    """The subcommand and its action (`db init`, `audit verify`, `insi search`...)."""
    words = [args.command]
    for name, value in vars(args).items():
        if name.endswith("_command") and isinstance(value, str):
            words.append(value)
    return words


def _same(dest: str, first: str, second: str) -> bool:
    if dest == "db":
        return os.path.realpath(os.path.expanduser(first)) == os.path.realpath(
            os.path.expanduser(second))
    return first == second


def _named_subcommand(argv: Sequence[str] | None) -> set[str] | None:
    """The words of the command line that name a subcommand (an option's value may look like
    one: all such words are declared); None without a command line (declare them all)."""
    if argv is None:
        return None
    return {word for word in argv if word in SUBCOMMANDS}
