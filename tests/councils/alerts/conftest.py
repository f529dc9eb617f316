"""A real SMTP server for the alert tests, and helpers to read what it received."""

import email
import email.policy
import logging
import os
import re
import signal
import socket
from datetime import UTC, datetime
from unittest import mock

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.core.management import call_command

# A Wednesday in the past (the database's own clock decides what is published).
WEDNESDAY = datetime(2025, 3, 5, 9, 30, tzinfo=UTC)


class Inbox:
    """Collects every message the SMTP server accepts."""

    def __init__(self):
        self.messages = []
        self.refuse = set()
        # Addresses whose message is taken, then the connection dropped unanswered.
        self.drop_after_data = set()
        # Addresses whose message is taken, then the sending worker stopped.
        self.stop_worker_after_data = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(
            envelope.content, policy=email.policy.default
        )
        self.messages.append((envelope.rcpt_tos, message))
        if self.drop_after_data & set(envelope.rcpt_tos):
            server.transport.abort()
            return "421 Gone"  # never reaches the client
        if self.stop_worker_after_data & set(envelope.rcpt_tos):
            # What an operator's Ctrl+C then `kill` do to `manage.py db_worker`: the
            # first asks it to stop after the task, the second stops the task.
            os.kill(os.getpid(), signal.SIGINT)
            os.kill(os.getpid(), signal.SIGTERM)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        return [m for rcpt, m in self.messages if address in rcpt]

    def clear(self):
        self.messages.clear()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def inbox(settings):
    """Mail goes through Django's SMTP backend to a server on this machine."""
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": controller.port, "timeout": 10},
        }
    }
    settings.SITE_URL = "https://mps.example.org"
    yield handler
    controller.stop()


@pytest.fixture
def clock():
    with time_machine.travel(WEDNESDAY, tick=False) as traveller:
        yield traveller


def run_worker():
    """What `manage.py db_worker` does, for the tasks queued so far.

    The worker closes stale connections between tasks; inside a test's transaction
    that would close the test's own connection (PostgreSQL), so it is kept open.
    """
    with mock.patch(
        "django_tasks_db.management.commands.db_worker.close_old_connections"
    ):
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


def body(message) -> str:
    return (
        message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
    )


def links(message) -> list[str]:
    return re.findall(r"https://mps\.example\.org(/\S+)", body(message))


def link_to(message, part: str) -> str:
    return next(link for link in links(message) if part in link)


@pytest.fixture(autouse=True)
def roomy_address_limit(settings):
    """Tests subscribe one address several times; the limit has its own test."""
    settings.ALERTS_EMAILS_PER_ADDRESS_PER_HOUR = 20


logging.getLogger("mail.log").setLevel(logging.WARNING)
