"""Command line: python -m crawler crawl|scrape|extract|export|stats|report|sources|dedup|migrate|reextract|warc|demo.

Only wiring: each command is a module of crawler/commands/; exit codes are crawler.exitcodes's.
"""
from __future__ import annotations

import importlib

import click

from crawler.commands import COMMANDS
from crawler.exitcodes import EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, CommandError


class LazyGroup(click.Group):
    """Commands are imported when used: `stats` does not pay for importing Scrapy and trafilatura."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        return importlib.import_module(f"crawler.commands.{name}").command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name=None, version="0.1.0", prog_name="arabic-news-crawler")
def cli() -> None:
    """Arabic news feeds and sites -> a clean, deduplicated text corpus (SQLite, PostgreSQL, JSONL, Parquet,
    CSV, text)."""


def main(argv: list[str] | None = None) -> int:
    try:
        result = cli.main(args=argv, prog_name="python -m crawler", standalone_mode=False)
    except CommandError as exc:
        click.echo(f"error: {exc}", err=True)
        return exc.code
    except click.exceptions.Abort:
        return EXIT_INTERRUPTED
    except click.ClickException as exc:
        exc.show()
        return EXIT_USAGE
    except SystemExit as exc:
        return int(exc.code or 0)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    return result if isinstance(result, int) else EXIT_OK
