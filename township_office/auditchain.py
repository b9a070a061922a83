"""The audit log's hash chain: each event carries the hash of the one before it.

Like the seal register (``seals.models.Stamping``): a one-row head (``AuditHead``) is locked
while an event is appended, so links are written one after another in the order of ``seq``.
``verify()`` recomputes every link and names the first event that does not match; an event
written around ``audit.record`` (raw SQL) has no link and breaks the chain too.

Anchored outside the database, so that whoever holds the database cannot rewrite it:

- Keyed: from the head's ``keyed_from_seq`` on (migration 0008; every link of a new
  installation), a link's hash is an HMAC-SHA256 with ``settings.AUDIT_KEY``, a key kept outside
  the database (``AUDIT_KEY``/``AUDIT_KEY_FILE``, else generated into ``DATA_DIR/audit_key``).
  The links written before are plain SHA-256 and stay verifiable; each keyed link covers the
  hash of the one before, so editing an old event breaks the first keyed link. The head carries
  an HMAC of its position (``mac``): rewinding it after deleting the tail needs the key.
- Anchors: the head's position is written where the database owner cannot rewrite it, each day
  in ``AUDIT_ANCHOR_LOG`` (``DATA_DIR/audit-anchors.log``, and the logging system) and in every
  backup manifest. ``verify(anchors=...)`` requires the link at each anchor's position to carry
  the anchor's hash: an old head replayed from an earlier copy of the database is caught too.
"""

import hashlib
import hmac
import logging
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

GENESIS = "0" * 64


def key():
    """The chain's key, as bytes (settings.AUDIT_KEY: never stored in the database)."""
    return settings.AUDIT_KEY.encode()


def _payload(prev_hash, event):
    created = event.created_at.astimezone(UTC).isoformat()
    return "\x1f".join(
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
    ).encode()


def event_hash(prev_hash, event):
    """SHA-256 over the previous hash and every field of the event: the links before the chain was keyed.
    Frozen: changing it breaks old chains."""
    return hashlib.sha256(_payload(prev_hash, event)).hexdigest()


def keyed_hash(prev_hash, event, secret=None):
    """HMAC-SHA256 with the chain's key over the same fields: every link from ``keyed_from_seq`` on."""
    return hmac.new(secret or key(), _payload(prev_hash, event), hashlib.sha256).hexdigest()


def link_hash(seq, prev_hash, event, keyed_from_seq, secret=None):
    if keyed_from_seq is not None and seq >= keyed_from_seq:
        return keyed_hash(prev_hash, event, secret)
    return event_hash(prev_hash, event)


def head_mac(last_seq, last_hash, keyed_from_seq, secret=None):
    """The head's position under the key: a head rewound by someone without the key does not match."""
    message = f"audit-head\x1f{last_seq}\x1f{last_hash}\x1f{keyed_from_seq}".encode()
    return hmac.new(secret or key(), message, hashlib.sha256).hexdigest()


def lock_head():
    """Lock the chain's head row until the end of the caller's transaction (must be inside one)."""
    from .ops_models import AuditHead

    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        with transaction.atomic():  # two first writers: one creates, the other finds it
            AuditHead.objects.get_or_create(pk=1, defaults={"keyed_from_seq": 1, "mac": head_mac(0, GENESIS, 1)})
        head = AuditHead.objects.select_for_update().get(pk=1)
    return head


def append(head, event):
    """Link a freshly inserted event into the chain, after ``lock_head()`` in the same transaction."""
    from .ops_models import AuditHead, AuditLink

    link = AuditLink(event=event, seq=head.last_seq + 1, prev_hash=head.last_hash)
    link.entry_hash = link_hash(link.seq, link.prev_hash, event, head.keyed_from_seq)
    link.save(force_insert=True)
    mac = head_mac(link.seq, link.entry_hash, head.keyed_from_seq)
    AuditHead.objects.filter(pk=head.pk).update(last_seq=link.seq, last_hash=link.entry_hash, mac=mac)
    head.last_seq, head.last_hash, head.mac = link.seq, link.entry_hash, mac
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
        if self.event_id is None:
            return f"审计日志：{self.reason}"
        return f"审计事件 #{self.event_id}：{self.reason}"


class Anchor:
    """The head's position written outside the database: ``kind`` "anchor" (the daily line, a backup manifest) or
    "restore" (a restore started the chain again from an archive's head)."""

    def __init__(self, at, seq, hash, source, kind="anchor"):
        self.at, self.seq, self.hash, self.source, self.kind = at, seq, hash, source, kind

    def __repr__(self):
        return f"Anchor({self.at:%Y-%m-%d %H:%M:%S} {self.kind} {self.seq} {self.hash[:12]} {self.source})"


def current_anchor():
    """(seq, hash) of the head now."""
    from .ops_models import AuditHead

    head = AuditHead.objects.filter(pk=1).first()
    return (head.last_seq, head.last_hash) if head is not None else (0, GENESIS)


def write_anchor(kind="anchor", note="", position=None):
    """Append the head's position to AUDIT_ANCHOR_LOG (and to the logging system). Returns the line."""
    seq, last_hash = position or current_anchor()
    line = f"{timezone.localtime().isoformat(timespec='seconds')} {kind} seq={seq} hash={last_hash}"
    if note:
        line += f" {note}"
    path = Path(settings.AUDIT_ANCHOR_LOG)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(line + "\n")
    logger.info("audit chain %s", line)
    return line


def read_anchor_log(path):
    """The anchors of one anchor log; lines it cannot read (a line cut short by a power cut) are skipped."""
    path = Path(path)
    if not path.is_file():
        return []
    anchors = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        try:
            fields = dict(part.split("=", 1) for part in parts[2:] if "=" in part)
            at, kind, seq, last_hash = datetime.fromisoformat(parts[0]), parts[1], int(fields["seq"]), fields["hash"]
        except (IndexError, KeyError, ValueError):
            continue
        if kind in ("anchor", "restore") and len(last_hash) == 64 and at.tzinfo is not None:
            anchors.append(Anchor(at, seq, last_hash, f"锚点文件 {path.name}", kind))
    return anchors


def applicable(anchors):
    """The anchors the chain must match now. A restore restarts the chain from the archive's head: what was written
    before it beyond that head is gone with the restore (the restore line says so), not rewritten."""
    anchors = sorted(anchors, key=lambda a: a.at)
    restores = [a for a in anchors if a.kind == "restore"]
    if not restores:
        return anchors
    last = restores[-1]
    return [a for a in anchors if a.at >= last.at or a.seq <= last.seq]


def verify(tail=None, anchors=(), secret=None):
    """(ok, Broken or None, count). Walks events and links in order and recomputes every hash (keyed with
    ``secret``, default settings.AUDIT_KEY), checks the head's MAC and that the chain holds every anchor.

    ``tail``: check only the last ``tail`` links (for /healthz); the chain from there on must hold."""
    from .models import AuditEvent
    from .ops_models import AuditHead, AuditLink

    secret = secret or key()
    head = AuditHead.objects.filter(pk=1).first()
    keyed_from = head.keyed_from_seq if head is not None else None
    anchors = applicable(anchors) if tail is None else []
    wanted = {a.seq for a in anchors}
    seen = {}
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
        if link_hash(seq, prev_hash, event, keyed_from, secret) != entry_hash:
            return False, Broken(event.pk, "内容与其哈希不符，该事件已被改动", event), count
        if seq in wanted:
            seen[seq] = entry_hash
        previous = entry_hash
        expected_seq = seq + 1
    leftover = next(link_iter, None)
    if leftover is not None:
        return False, Broken(leftover[0], "该事件已被删除（哈希链中有它，日志中没有）"), count
    if head is None:
        if count:
            return False, Broken(None, "哈希链的链头记录已被删除"), count
    else:
        if tail is None and (head.last_seq != count or head.last_hash != previous):
            return False, Broken(head.last_seq, "日志末尾的事件已被删除（链头与最后一条事件不符）"), count
        if not hmac.compare_digest(head.mac, head_mac(head.last_seq, head.last_hash, head.keyed_from_seq, secret)):
            return (
                False,
                Broken(
                    None,
                    "链头的密钥校验值不符：链头被绕过系统改写过（如删除末尾事件后回退链头），"
                    "或审计密钥（AUDIT_KEY）与写入时的不同",
                ),
                count,
            )
    for anchor in sorted(anchors, key=lambda a: a.seq):
        if anchor.seq == 0:
            continue
        when = f"{timezone.localtime(anchor.at):%Y-%m-%d %H:%M}"
        if anchor.seq not in seen:
            return (
                False,
                Broken(
                    None,
                    f"日志末尾的事件已被删除：{anchor.source}记录 {when} 时已有 {anchor.seq} 条，现在只有 {count} 条",
                ),
                count,
            )
        if seen[anchor.seq] != anchor.hash:
            return (
                False,
                Broken(None, f"第 {anchor.seq} 条事件的哈希与{anchor.source}（{when}）记录的不符，审计日志已被改写"),
                count,
            )
    return True, None, count
