"""Run the SMTP listener an MTA forwards support mail to; each message goes to receive()."""

import asyncio
import logging
import signal

from aiosmtpd.controller import Controller
from asgiref.sync import sync_to_async
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from tickets import conf
from tickets.inbound import receive

logger = logging.getLogger(__name__)


class SupportMailHandler:
    """Accepts mail for the support addresses only, and hands each message to receive()."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        base, _, domain = address.lower().rpartition("@")
        if f"{base.partition('+')[0]}@{domain}" not in conf.support_addresses():
            logger.warning("SMTP recipient refused: %s is not a support address", address)
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        try:
            result = await sync_to_async(_receive, thread_sensitive=True)(envelope.content)
        except Exception:
            logger.exception("inbound message could not be processed; the MTA will retry")
            return "451 4.3.0 Temporary failure, try again later"
        logger.info("SMTP message: %s", result.line)
        return "250 Message accepted"


def _receive(raw: bytes):
    close_old_connections()
    try:
        return receive(raw)
    finally:
        close_old_connections()


class Command(BaseCommand):
    help = "Listen for support mail over SMTP and open or update tickets from it."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8025)

    def handle(self, *args, host: str, port: int, **options):
        controller = Controller(
            SupportMailHandler(),
            hostname=host,
            port=port,
            data_size_limit=conf.max_message_bytes(),
        )
        controller.start()
        self.stdout.write(f"Listening for support mail on {host}:{port}", ending="\n")
        self.stdout.flush()
        try:
            asyncio.run(_wait_for_signal())
        finally:
            controller.stop()


async def _wait_for_signal() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
