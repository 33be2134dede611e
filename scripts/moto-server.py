#!/usr/bin/env python3
"""moto's server (the SQS peer of scripts/test and scripts/soak), with one quadratic cost removed.

moto's ReceiveMessage checks each message it hands out against the queue's retention period
by calling `get_queue_attributes`, which builds the queue's whole attribute table three
times, and each table counts the queue's visible, in-flight and delayed messages by walking
every message. Receiving is then proportional to the square of the queue's depth: once a
backlog of a few thousand messages forms (a consumer that stalled, a machine that was busy),
moto serves fewer messages a second than arrive and never drains it (docs/reliability.md, the
chaos soak). The replacement reads the retention period the queue already holds; what a client
sees on the wire is unchanged.

    .tmp/moto-venv/bin/python scripts/moto-server.py -H 127.0.0.1 -p PORT   # moto_server's flags

If a moto release no longer has the method, the server runs unpatched and says so.
"""
import sys

from moto.core.utils import unix_time
from moto.server import main
from moto.sqs import models


def retained(self, queue_name, message):
    """Whether `message` is still inside its queue's retention period (as moto's own check)."""
    period = self.get_queue(queue_name).message_retention_period
    return int(period) + message.sent_timestamp / 1000 > unix_time()


if hasattr(models.SQSBackend, "is_message_valid_based_on_retention_period"):
    models.SQSBackend.is_message_valid_based_on_retention_period = retained
else:
    print("moto-server.py: this moto has no is_message_valid_based_on_retention_period; "
          "running it unpatched", file=sys.stderr)

sys.exit(main())
