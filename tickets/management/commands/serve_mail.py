"""Run the SMTP or LMTP listener an MTA forwards support mail to; each message goes to
receive()."""

import asyncio
import logging
import os
import signal
import socket
from concurrent.futures import ThreadPoolExecutor

from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections, connections

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


class Command(BaseCommand):
    help = "Listen for support mail over SMTP (or LMTP) and open or update tickets from it."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8025)
        parser.add_argument(
            "--workers",
            type=int,
            default=4,
            help="Messages handled at once per process, each on a database connection.",
        )
        parser.add_argument(
            "--processes",
            type=int,
            default=1,
            help="Listener processes sharing the port: parsing is CPU-bound, one per core.",
        )
        parser.add_argument(
            "--lmtp",
            action="store_true",
            help="Speak LMTP instead of SMTP: one reply per recipient after DATA.",
        )

    def handle(self, *args, host, port, lmtp, workers, processes, **options):
        # Bound once here: every process accepts from the same socket.
        listener = socket.create_server((host, port), backlog=512)
        protocol = "LMTP" if lmtp else "SMTP"
        self.stdout.write(f"Listening for support mail ({protocol}) on {host}:{port}")
        self.stdout.flush()

        # No database connection may cross a fork: each process opens its own.
        connections.close_all()
        children = []
        for _ in range(max(processes, 1) - 1):
            pid = os.fork()
            if pid == 0:
                code = 0
                try:
                    _serve(listener, lmtp=lmtp, workers=workers)
                except Exception:
                    logger.exception("mail listener process failed")
                    code = 1
                finally:
                    os._exit(code)
            children.append(pid)
        try:
            _serve(listener, lmtp=lmtp, workers=workers)
        finally:
            for pid in children:
                os.kill(pid, signal.SIGTERM)
            for pid in children:
                os.waitpid(pid, 0)
            listener.close()


def _serve(listener: socket.socket, *, lmtp: bool, workers: int) -> None:
    executor = ThreadPoolExecutor(max_workers=max(workers, 1), thread_name_prefix="mail")
    handler = SupportMailHandler(executor, lmtp=lmtp)
    server_class = LMTP if lmtp else SMTP
    try:
        asyncio.run(_listen(listener, lambda: server_class(handler, **_smtp_options())))
    finally:
        # Messages being handled finish before the process ends: their senders were not
        # answered yet, and an answered message must be recorded.
        executor.shutdown(wait=True)


def _smtp_options() -> dict:
    return {
        "data_size_limit": settings.ATERA_MAIL_MAX_MESSAGE_BYTES,
        "enable_SMTPUTF8": True,
    }


async def _listen(listener: socket.socket, factory) -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    server = await loop.create_server(factory, sock=listener)
    async with server:
        await stop.wait()
