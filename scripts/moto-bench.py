#!/usr/bin/env python3
"""moto's SQS ceiling on this machine, apart from cartwire (docs/reliability.md).

One or more senders push 10-message SendMessageBatch calls (900-byte bodies, one message
attribute, as cartwire sends them) as fast as moto answers, while four long-polling
consumers receive and delete; every 5 s it prints what was sent, received and the depth.

    .tmp/moto-venv/bin/python scripts/moto-bench.py ENDPOINT [SENDERS] [SECONDS]
    e.g. .tmp/moto-venv/bin/python scripts/moto-bench.py http://127.0.0.1:5055 1 60

Start moto first (scripts/lib/peers.sh installs it into .tmp/moto-venv); use a fresh moto,
since queues of earlier runs stay in its memory.
"""
import sys
import threading
import time
import uuid

import boto3

endpoint = sys.argv[1]
senders = int(sys.argv[2]) if len(sys.argv) > 2 else 1
duration = float(sys.argv[3]) if len(sys.argv) > 3 else 30


def client():
    return boto3.client("sqs", endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id="x", aws_secret_access_key="y")


url = client().create_queue(QueueName="bench-" + uuid.uuid4().hex)["QueueUrl"]
stop = threading.Event()
lock = threading.Lock()
counts = {"sent": 0, "received": 0}


def consume():
    c = client()
    while not stop.is_set():
        got = c.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
        if got:
            with lock:
                counts["received"] += len(got)
            c.delete_message_batch(QueueUrl=url, Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got)])


def send(started):
    c = client()
    entries = [{"Id": f"m{i}", "MessageBody": "x" * 900,
                "MessageAttributes": {"triggered_by": {"DataType": "String", "StringValue": "order.created"}}}
               for i in range(10)]
    while time.time() - started < duration:
        c.send_message_batch(QueueUrl=url, Entries=entries)
        with lock:
            counts["sent"] += 10


started = time.time()
threads = [threading.Thread(target=consume) for _ in range(4)]
threads += [threading.Thread(target=send, args=(started,)) for _ in range(senders)]
for t in threads:
    t.start()
while time.time() - started < duration:
    time.sleep(5)
    elapsed = time.time() - started
    with lock:
        sent, received = counts["sent"], counts["received"]
    print(f"{elapsed:4.0f} s: sent {sent} ({sent / elapsed:.0f}/s), received {received}, depth {sent - received}",
          flush=True)
stop.set()
for t in threads:
    t.join()
