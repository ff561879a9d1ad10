"""The command-line host ``portout``: the cmdlets from a shell, a script file, standard input
or the interactive shell, all run by the scripting host (``portout.host``).

    portout [connection options] Cmdlet-Name [-Parameter value ...]
    portout [connection options] -File script.ps1 [-ScriptParameter value ...]
    portout [connection options]              (a terminal: the shell; else a script on stdin)
    portout help [Cmdlet-Name | about_Topic]
    portout serve [options]         (the HTTPS front door: portout serve --help)
    portout --version
    portout completion bash

Parameters follow PowerShell: ``-Name value``, switches, ``-Name:$false``, comma-separated
arrays, quotes, case-insensitive names and unambiguous prefixes, positions as declared. A PIN is
never taken from the command line (``ps`` and shell history would show it): it is asked for
without echo, or read with ``-PinFromStdin`` or ``-PinFromFd N``.

Exit codes: 0 success, 1 a cmdlet reported an error, 2 the command line or script is wrong.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import Any, Sequence, TextIO

from portout import __version__, commands
from portout import help_pages
from portout import session as sessions
from portout.cmdlet import Cmdlet, Parameter, pascal
from portout.errors import PortOutError
from portout.host import secrets
from portout.host.binding import shown
from portout.host.script import Console, run_file, run_source, run_words
from portout.session import Host

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2

CMDLETS = commands.BY_NAME


_USAGE = """\
Usage:
  portout [options] Cmdlet-Name [-Parameter value ...]
  portout [options] -File script.ps1 [-ScriptParameter value ...]
  portout [options]          the interactive shell (on a terminal), else a script on stdin
  portout help [Cmdlet-Name | about_Topic]
  portout serve [--store S] [--key-file K] [--listen HOST:PORT] [--tls-cert C --tls-key K] ...
  portout --version
  portout completion bash

Options (else $PORTOUT_STORE, $PORTOUT_KEY_FILE, $PORTOUT_ACTOR, $PORTOUT_ROLE,
$PORTOUT_TENANT_SCOPE, $PORTOUT_HASH_PROFILE; the store defaults to
$XDG_DATA_HOME/portout/store.db):
  --store PATH  --key-file PATH  --actor NAME  --role ROLE  --tenant-scope A,B
  --hash-profile NAME  --allow-test-profile
A store behind portout serve (else $PORTOUT_SERVER, $PORTOUT_TOKEN_FILE or $PORTOUT_TOKEN,
$PORTOUT_CA_FILE): the cmdlets run on the server, as the token's principal:
  --server https://HOST:PORT  --token-file PATH  --ca-file PATH
"""


# -- connection options -----------------------------------------------------------------------

@dataclass
class Options:
    store: str | None = None
    key_file: str | None = None
    actor: str | None = None
    role: str | None = None
    tenant_scope: list[str] | None = None
    hash_profile: str | None = None
    allow_test_profile: bool = False
    server: str | None = None
    token_file: str | None = None
    ca_file: str | None = None
    out: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)
    inp: TextIO = field(default_factory=lambda: sys.stdin)

    @classmethod
    def from_environment(cls) -> Options:
        env = os.environ
        scope = env.get("PORTOUT_TENANT_SCOPE")
        return cls(store=env.get("PORTOUT_STORE") or None, key_file=env.get("PORTOUT_KEY_FILE") or None,
                   actor=env.get("PORTOUT_ACTOR") or None, role=env.get("PORTOUT_ROLE") or None,
                   tenant_scope=[s for s in scope.split(",") if s] if scope else None,
                   hash_profile=env.get("PORTOUT_HASH_PROFILE") or None,
                   allow_test_profile=env.get("PORTOUT_ALLOW_TEST_PROFILE", "") in ("1", "true", "yes"),
                   server=env.get("PORTOUT_SERVER") or None, token_file=env.get("PORTOUT_TOKEN_FILE") or None,
                   ca_file=env.get("PORTOUT_CA_FILE") or None)

    def connection(self) -> dict[str, Any]:
        """Connect-PortOutStore's parameters as the options and environment give them."""
        if self.server:
            remote = {"Server": self.server, "TokenFile": self.token_file, "CaFile": self.ca_file}
            return {k: v for k, v in remote.items() if v is not None}
        bound: dict[str, Any] = {"Path": self.store, "KeyFile": self.key_file, "Actor": self.actor,
                                 "Role": self.role, "TenantScope": self.tenant_scope,
                                 "HashProfile": self.hash_profile,
                                 "AllowTestProfile": self.allow_test_profile or None}
        return {k: v for k, v in bound.items() if v is not None}

    def connect(self, cmdlet: Cmdlet | None = None, bound: dict[str, Any] | None = None) -> None:
        """Before a cmdlet that needs a store: connect from the options when no session is
        open. Only a cmdlet that creates (New-PortOutTenant, not with -WhatIf) creates a store
        that is not there; any other gets StoreNotFound naming the path."""
        try:
            sessions.current()
            return
        except PortOutError:
            pass
        params = {**self.connection(), "ErrorAction": "Stop"}
        if cmdlet is not None and cmdlet.creates_store and not (bound or {}).get("WhatIf"):
            params["Create"] = True
        CMDLETS["connect-portoutstore"].invoke(params, host=Host(self.out, self.err, self.inp))

    def defaults(self, cmdlet: Cmdlet, bound: dict[str, Any]) -> dict[str, Any]:
        """Connect-PortOutStore's parameters the call leaves out, from the options."""
        if cmdlet.name != "Connect-PortOutStore":
            return {}
        if "Server" in bound:
            return {}
        given = self.connection()
        if "Path" in bound or "ConnectionString" in bound:
            for remote in ("Server", "TokenFile", "CaFile"):
                given.pop(remote, None)
            if self.server:  # the options name a server; the call names a store of its own
                return {}
            given.pop("Path", None)
        return given

    def console(self, *, ask_for_secrets: bool) -> Console:
        """Where commands run; a PIN left out is asked for on the terminal (ask_for_secrets), or
        read from standard input when there is none (a script run by cron)."""
        def read_secret(cmdlet: Cmdlet, p: Parameter) -> str:
            if ask_for_secrets or self.inp.isatty():
                return secrets.ask(cmdlet.name, p)
            line = secrets.read_line(self.inp)
            if line is None:
                from portout.cmdlet import UsageError

                raise UsageError(f"{cmdlet.name} needs -{p.name}: standard input ended before it was read.",
                                 error_id=f"SecretNotProvided,{cmdlet.name}", target=p.name)
            return line
        return Console(CMDLETS, self.out, self.err, self.inp, ensure_session=self.connect,
                       cmdlet_defaults=self.defaults, read_secret=read_secret, prints_summary=True)


_GLOBAL_OPTIONS = {
    "--store": "store", "--key-file": "key_file", "--actor": "actor", "--role": "role",
    "--tenant-scope": "tenant_scope", "--hash-profile": "hash_profile", "--server": "server",
    "--token-file": "token_file", "--ca-file": "ca_file",
}


# -- help -------------------------------------------------------------------------------------

def _help(args: Sequence[str], out: TextIO, err: TextIO) -> int:
    if not args:
        help_pages.overview(out, _USAGE)
        return EXIT_OK
    if len(args) > 1:
        err.write("portout help: give one cmdlet or topic at most.\n" + _USAGE)
        return EXIT_USAGE
    wanted = args[0].lower()
    if wanted in CMDLETS:
        out.write(help_pages.help_text(CMDLETS[wanted]))
        return EXIT_OK
    for name, (_, show) in help_pages.TOPICS.items():
        if name.lower() == wanted:
            show(out)
            return EXIT_OK
    err.write(f"portout help: no cmdlet or help topic {shown(args[0])}. See: portout help\n")
    return EXIT_USAGE


def completion_script() -> str:
    """Bash completion: source <(portout completion bash)."""
    return help_pages.completion_script()


# -- entry ------------------------------------------------------------------------------------

def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None,
         err: TextIO | None = None, inp: TextIO | None = None) -> int:
    """Run the host on ``argv`` (``sys.argv[1:]`` by default) and return the exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    options = Options.from_environment()
    options.out, options.err, options.inp = out or sys.stdout, err or sys.stderr, inp or sys.stdin
    try:
        return _main(args, options)
    except KeyboardInterrupt:  # Ctrl-C at a prompt or in a script: stopped, as a shell stops it
        options.err.write("\n")
        return 130
    except BrokenPipeError:  # `portout help | head -1`: the reader has gone; nothing to say
        _quiet_stdout()
        return EXIT_FAILURE
    except OSError as error:  # the output cannot be written (a full disk, /dev/full)
        _quiet_stdout()
        options.err.write(f"portout: the output cannot be written: {error.strerror}.\n")
        return EXIT_FAILURE
    finally:
        sessions.disconnect()


def _quiet_stdout() -> None:
    """Point stdout at /dev/null, so that flushing it at exit raises nothing more."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def _main(args: list[str], options: Options) -> int:
    out, err = options.out, options.err
    while args and (args[0] in _GLOBAL_OPTIONS or args[0] == "--allow-test-profile"):
        option = args.pop(0)
        if option == "--allow-test-profile":
            options.allow_test_profile = True
            continue
        if not args:
            err.write(f"portout: {option} needs a value.\n{_USAGE}")
            return EXIT_USAGE
        value = args.pop(0)
        setattr(options, _GLOBAL_OPTIONS[option],
                [v for v in value.split(",") if v] if option == "--tenant-scope" else value)
    if not args:
        return _no_command(options)
    command, rest = args[0], args[1:]
    if command in ("--version", "-Version", "version"):
        if rest:
            err.write("portout --version takes no arguments.\n" + _USAGE)
            return EXIT_USAGE
        out.write(f"portout {__version__}\n")
        return EXIT_OK
    if command.lower() in ("help", "get-help", "--help", "-h", "-?"):
        return _help(rest, out, err)
    if command.lower() == "serve":
        from portout.server.run import main as serve_main

        return serve_main(rest, err)
    if command.lower() == "completion":
        if rest != ["bash"]:
            err.write("portout completion: only bash is supported: portout completion bash\n")
            return EXIT_USAGE
        out.write(completion_script())
        return EXIT_OK
    if command.lower() in ("-file", "--file"):
        if not rest:
            err.write("portout -File takes a script path, then the script's parameters.\n" + _USAGE)
            return EXIT_USAGE
        return run_file(rest[0], rest[1:], options.console(ask_for_secrets=False))
    if "-?" in rest and command.lower() in CMDLETS:
        out.write(help_text(CMDLETS[command.lower()]))
        return EXIT_OK
    return run_words(command, rest, options.console(ask_for_secrets=True))


def _no_command(options: Options) -> int:
    """`portout` alone: the interactive shell on a terminal, else a script read from stdin."""
    if options.inp.isatty() and options.out.isatty():
        from portout.host.shell import run_shell

        return run_shell(options.console(ask_for_secrets=True), options)
    source = options.inp.read()
    if not source.strip():
        options.err.write("portout: standard input holds no script.\n" + _USAGE)
        return EXIT_USAGE
    return run_source(source, "<stdin>", [], options.console(ask_for_secrets=True))


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())


help_text = help_pages.help_text

__all__ = ["main", "run", "help_text", "completion_script", "pascal"]
