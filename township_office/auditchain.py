"""The audit log's hash chain: each event carries the hash of the one before it.

Like the seal register (``seals.models.Stamping``): a one-row head (``AuditHead``) is locked
while an event is appended, so links are written one after another in the order of ``seq``.
``verify()`` recomputes every link and names the first event that does not match; an event
written around ``audit.record`` (raw SQL) has no link and breaks the chain too.
"""

import hashlib
from datetime import UTC

from django.db import transaction

GENESIS = "0" * 64


def event_hash(prev_hash, event):
    """SHA-256 over the previous hash and every field of the event. Frozen: changing it breaks old chains."""
    created = event.created_at.astimezone(UTC).isoformat()
    payload = "\x1f".join(
        [
            prev_hash,
            str(event.pk),
            created,
            str(event.actor_id or ""),
            event.actor_name,
            event.action,
            event.object_type,
            event.object_code,
            event.object_repr,
            event.from_state,
            event.to_state,
            event.comment,
            str(event.client_address or ""),
        ]
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def lock_head():
    """Lock the chain's head row until the end of the caller's transaction (must be inside one)."""
    from .ops_models import AuditHead

    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        with transaction.atomic():  # two first writers: one creates, the other finds it
            AuditHead.objects.get_or_create(pk=1)
        head = AuditHead.objects.select_for_update().get(pk=1)
    return head


def append(head, event):
    """Link a freshly inserted event into the chain, after ``lock_head()`` in the same transaction."""
    from .ops_models import AuditHead, AuditLink

    link = AuditLink(event=event, seq=head.last_seq + 1, prev_hash=head.last_hash)
    link.entry_hash = event_hash(link.prev_hash, event)
    link.save(force_insert=True)
    AuditHead.objects.filter(pk=head.pk).update(last_seq=link.seq, last_hash=link.entry_hash)
    head.last_seq, head.last_hash = link.seq, link.entry_hash
    return link


class Broken:
    """Where the chain breaks: the event (or None) and why, in Chinese."""

    def __init__(self, event_id, reason, event=None):
        self.event_id = event_id
        self.reason = reason
        self.event = event

    def __str__(self):
        if self.event is not None:
            return f"审计事件 #{self.event_id}（{self.event.created_at:%Y-%m-%d %H:%M:%S} {self.event.actor_name} {self.event.action}）：{self.reason}"
        return f"审计事件 #{self.event_id}：{self.reason}"


def verify(tail=None):
    """(ok, Broken or None, count). Walks events and links in order and recomputes every hash.

    ``tail``: check only the last ``tail`` links (for /healthz); the chain from there on must hold."""
    from .models import AuditEvent
    from .ops_models import AuditHead, AuditLink

    links = AuditLink.objects.order_by("seq")
    events = AuditEvent.objects.order_by("pk")
    previous = GENESIS
    if tail is not None:
        last = list(AuditLink.objects.order_by("-seq").values_list("seq", flat=True)[tail : tail + 1])
        if last:
            before = AuditLink.objects.get(seq=last[0])
            previous = before.entry_hash
            links = links.filter(seq__gt=before.seq)
            events = events.filter(pk__gt=before.event_id)
    count = 0
    expected_seq = None
    link_iter = links.values_list("event_id", "seq", "prev_hash", "entry_hash").iterator(chunk_size=2000)
    event_iter = events.iterator(chunk_size=2000)
    for event in event_iter:
        link = next(link_iter, None)
        count += 1
        if link is None or link[0] != event.pk:
            if link is not None and link[0] < event.pk:
                return False, Broken(link[0], "该事件已被删除（哈希链中有它，日志中没有）"), count
            return False, Broken(event.pk, "该事件没有哈希链记录，不是由系统写入的", event), count
        event_id, seq, prev_hash, entry_hash = link
        if expected_seq is not None and seq != expected_seq:
            return False, Broken(event.pk, f"哈希链序号不连续（应为 {expected_seq}，实为 {seq}）", event), count
        if prev_hash != previous:
            return False, Broken(event.pk, "与前一条事件的哈希链接不符，前一条事件可能已被改动或删除", event), count
        if event_hash(prev_hash, event) != entry_hash:
            return False, Broken(event.pk, "内容与其哈希不符，该事件已被改动", event), count
        previous = entry_hash
        expected_seq = seq + 1
    leftover = next(link_iter, None)
    if leftover is not None:
        return False, Broken(leftover[0], "该事件已被删除（哈希链中有它，日志中没有）"), count
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and tail is None and (head.last_seq != count or head.last_hash != previous):
        return False, Broken(head.last_seq, "日志末尾的事件已被删除（链头与最后一条事件不符）"), count
    return True, None, count
