"""Run the SMTP or LMTP listener an MTA forwards support mail to; each message goes to
receive()."""

import asyncio
import logging
import signal
from concurrent.futures import ThreadPoolExecutor

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from tickets import conf
from tickets.inbound import receive

logger = logging.getLogger(__name__)


class SupportMailHandler:
    """Accepts mail for the support addresses only, and hands each message to receive()."""

    def __init__(self, executor: ThreadPoolExecutor, lmtp: bool = False) -> None:
        # Messages are handled on these threads, each with its own database connection:
        # while one waits on the database, another parses.
        self.executor = executor
        self.lmtp = lmtp

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if not conf.is_support_address(address):
            logger.warning("recipient refused: %s is not a support address", address)
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        try:
            loop = asyncio.get_running_loop()
            result = await loop.run_in_executor(self.executor, _receive, envelope.content)
            status = "250 2.0.0 Message accepted"
        except Exception:
            logger.exception("inbound message could not be processed; the MTA will retry")
            status = "451 4.3.0 Temporary failure, try again later"
        else:
            logger.info("inbound message: %s", result.line)
        if self.lmtp:
            # LMTP answers DATA once per accepted recipient (RFC 2033 §4.2). The message is
            # one ticket whatever the number of support addresses it went to, so every
            # recipient shares its outcome.
            return "\r\n".join([status] * max(len(envelope.rcpt_tos), 1))
        return status


def _receive(raw: bytes):
    close_old_connections()
    try:
        return receive(raw)
    finally:
        close_old_connections()


class LMTPController(Controller):
    """The same listener speaking LMTP, for an MTA that delivers locally (Postfix, Exim)."""

    def factory(self):
        return LMTP(self.handler, **self.SMTP_kwargs)


class Command(BaseCommand):
    help = "Listen for support mail over SMTP (or LMTP) and open or update tickets from it."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8025)
        parser.add_argument(
            "--workers",
            type=int,
            default=4,
            help="Messages handled at once, each on a database connection of its own.",
        )
        parser.add_argument(
            "--lmtp",
            action="store_true",
            help="Speak LMTP instead of SMTP: one reply per recipient after DATA.",
        )

    def handle(self, *args, host: str, port: int, lmtp: bool, workers: int, **options):
        executor = ThreadPoolExecutor(max_workers=max(workers, 1), thread_name_prefix="mail")
        controller_class = LMTPController if lmtp else Controller
        controller = controller_class(
            SupportMailHandler(executor, lmtp=lmtp),
            hostname=host,
            port=port,
            data_size_limit=settings.ATERA_MAIL_MAX_MESSAGE_BYTES,
        )
        controller.start()
        protocol = "LMTP" if lmtp else "SMTP"
        self.stdout.write(f"Listening for support mail ({protocol}) on {host}:{port}")
        self.stdout.flush()
        try:
            asyncio.run(_wait_for_signal())
        finally:
            controller.stop()
            # Messages being handled finish before the process ends: their senders were
            # not answered yet, and an answered message must be recorded.
            executor.shutdown(wait=True)


async def _wait_for_signal() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
