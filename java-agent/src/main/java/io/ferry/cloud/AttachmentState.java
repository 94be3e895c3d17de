package io.ferry.cloud;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Whether a volume is attached, decided from its attachments (DESIGN rule 2), never from its
 * status: during a retype an attached volume has status "retyping".
 */
public record AttachmentState(Set<String> instances, List<Attachment> transitional) {

  private static final Set<String> HOLDING =
      Set.of("attached", "attaching", "detaching", "reserved");

  public static AttachmentState of(Volume volume, List<Attachment> records) {
    Set<String> instances = new TreeSet<>();
    for (Volume.Attached a : volume.attachments()) {
      if (a.serverId() != null) {
        instances.add(a.serverId());
      }
    }
    for (Attachment a : records) {
      if (a.instance() != null && HOLDING.contains(a.status())) {
        instances.add(a.instance());
      }
    }
    List<Attachment> moving = records.stream()
        .filter(a -> a.status() != null && !"attached".equals(a.status())
            && !"detached".equals(a.status()))
        .toList();
    return new AttachmentState(Set.copyOf(instances), moving);
  }

  public boolean attached() {
    return !instances.isEmpty();
  }

  /** The only instance, or null when detached (callers check {@link #instances()} size first). */
  public String instance() {
    return instances.isEmpty() ? null : instances.iterator().next();
  }
}
