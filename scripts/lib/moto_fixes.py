"""Two fixes to moto's SQS that scripts/moto-server.py applies (docs/reliability.md).

- `retained`: moto's ReceiveMessage checks each message it hands out against the queue's
  retention period by calling `get_queue_attributes`, which builds the queue's whole attribute
  table three times, and each table counts the queue's visible, in-flight and delayed
  messages by walking every message: receiving is proportional to the square of the queue's
  depth, and a backlog of a few thousand messages never drains. This reads the retention
  period the queue already holds.
- `delete_message`: moto's `Queue.delete_message` rebuilds the queue's message list from a
  copy and assigns it back without the lock `add_message` appends under. The server answers
  each request on its own thread, so a message sent while another thread deletes can be
  appended to the list that is about to be replaced: moto reported it sent and no consumer
  ever sees it (scripts/moto-race.py shows it). This deletes under that lock, in one pass.

What a client sees on the wire is unchanged.
"""
import sys

from moto.core.utils import unix_time
from moto.sqs import models
from moto.sqs.exceptions import ReceiptHandleIsInvalid


def retained(self, queue_name, message):
    """Whether `message` is still inside its queue's retention period (as moto's own check)."""
    period = self.get_queue(queue_name).message_retention_period
    return int(period) + message.sent_timestamp / 1000 > unix_time()


def delete_message(self, receipt_handle):
    """moto's `Queue.delete_message`, under the lock that `add_message` appends with."""
    if receipt_handle in self.deleted_messages:
        return  # deleted already: moto answers success again
    with self._messages_lock:
        kept, found = [], False
        for message in self._messages:
            if message.had_receipt_handle(receipt_handle):
                found = True
                self.pending_messages.discard(message)
                self.deleted_messages.update(message.all_receipt_handles)
            else:
                kept.append(message)
        if not found:
            raise ReceiptHandleIsInvalid()
        self._messages = kept


STOCK_DELETE = models.Queue.delete_message


def apply(deletes=True, retention=True):
    """Installs the fixes this moto has the parts for; says which it could not."""
    if deletes:
        # `_messages_lock` is set in `Queue.__init__`: look for it there, not on the class.
        if "_messages_lock" in models.Queue.__init__.__code__.co_names and hasattr(
            models.Message, "had_receipt_handle"
        ):
            models.Queue.delete_message = delete_message
        else:
            print("moto_fixes: this moto's Queue has no _messages_lock; deletes run unpatched", file=sys.stderr)
    if retention:
        if hasattr(models.SQSBackend, "is_message_valid_based_on_retention_period"):
            models.SQSBackend.is_message_valid_based_on_retention_period = retained
        else:
            print("moto_fixes: this moto has no is_message_valid_based_on_retention_period; "
                  "receives run unpatched", file=sys.stderr)
