"""Is a volume attached? Decided from its attachments, never from its status.

During a retype an attached volume has status 'retyping' (and 'maintenance'
or 'migrating' in other flows), so status alone says nothing; the stock RBD
driver trusted it and copied then deleted attached volumes (Cinder bug
2019190). Any sign of an attachment counts: when unsure, the answer is
"attached", which only costs speed (Cinder's generic migration runs).
"""

from cinder.objects import fields

_DETACHED = (None, fields.VolumeAttachStatus.DETACHED)


def attachment_evidence(volume):
    """Why the volume counts as attached, or None when it is detached."""
    status = getattr(volume, 'attach_status', None)
    if status not in _DETACHED:
        return 'attach_status is %s' % status
    try:
        attachments = list(volume.volume_attachment or [])
    except Exception as e:  # lazy load failed: we cannot know
        return 'its attachments could not be read (%s)' % e
    live = [a for a in attachments
            if getattr(a, 'attach_status', None) !=
            fields.VolumeAttachStatus.DETACHED]
    if live:
        return '%d attachment(s), e.g. to instance %s' % (
            len(live), getattr(live[0], 'instance_uuid', None) or 'unknown')
    if getattr(volume, 'previous_status', None) == 'in-use':
        return "previous_status is 'in-use'"
    if getattr(volume, 'status', None) == 'in-use':
        return "status is 'in-use'"
    return None
