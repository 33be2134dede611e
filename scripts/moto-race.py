#!/usr/bin/env python3
"""Shows the race in moto's SQS that loses acknowledged messages, and that the fix closes it.

In one process, two threads send messages to a moto queue while four receive and delete
them, as moto's threaded server does for the soak; the interpreter switches threads every
microsecond instead of every 5 ms, so a rare interleaving (a send landing between a delete's
copy of the message list and its assignment back) happens within seconds. It runs once with
moto's own `Queue.delete_message` and once with scripts/lib/moto_fixes.py's, and prints
what each lost. Exits 1 if the fixed one loses anything.

    .tmp/moto-venv/bin/python scripts/moto-race.py [SECONDS]
"""
import os
import sys
import threading
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))

import moto_fixes  # noqa: E402
from moto.sqs import models  # noqa: E402

seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 10


def run(delete, label):
    models.Queue.delete_message = delete
    backend = models.sqs_backends["123456789012"]["us-east-1"]
    name = "race-" + uuid.uuid4().hex
    backend.create_queue(name)
    stop = threading.Event()
    sent, got = set(), set()

    def send(k):
        n = 0
        while not stop.is_set():
            body = f"{k}-{n}"
            n += 1
            backend.send_message(name, body)
            sent.add(body)  # moto returned: this message is acknowledged

    def consume():
        last = time.monotonic()
        # After the senders stop, until nothing has come for three visibility timeouts.
        while not stop.is_set() or time.monotonic() - last < 3:
            try:
                messages = backend.receive_message(name, 10, 0, 1)
            except (RuntimeError, KeyError):
                # moto's receive is not thread-safe either (a set changes size while it is
                # copied, a message leaves the pending set twice): the server answers 500,
                # and the messages come back after their visibility timeout. Not lost.
                continue
            if messages:
                last = time.monotonic()
            for m in messages:
                got.add(m.body)
                try:
                    backend.delete_message(name, m.receipt_handle)
                except models.ReceiptHandleIsInvalid:
                    pass  # two receivers got the same message at once: the other deleted it

    senders = [threading.Thread(target=send, args=(k,)) for k in range(2)]
    consumers = [threading.Thread(target=consume) for _ in range(4)]
    for t in senders + consumers:
        t.start()
    stop.wait(seconds)
    stop.set()
    for t in senders + consumers:
        t.join()
    lost = sent - got
    print(f"{label}: sent {len(sent)}, received {len(got & sent)}, lost {len(lost)}", flush=True)
    return len(lost)


sys.setswitchinterval(1e-6)
moto_fixes.apply(deletes=False)  # the retention fix only speeds receiving up
run(moto_fixes.STOCK_DELETE, "moto's delete_message")
lost = run(moto_fixes.delete_message, "fixed delete_message")
sys.exit(1 if lost else 0)
