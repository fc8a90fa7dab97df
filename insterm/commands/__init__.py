"""One module per `insterm` subcommand: `configure(parser)` declares its arguments and
`run(args) -> int` does the work and returns the exit code. Keep imports inside `run` when they
are heavy."""
