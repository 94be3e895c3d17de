package io.ferry.virt;

/**
 * A block job as libvirt reports it at one instant.
 *
 * @param type libvirt's job type: 1 pull, 2 copy, 3 commit, 4 active commit, 5 backup
 * @param cur bytes copied so far (QEMU's job offset)
 * @param end current end of the work: cur + bytes still dirty or in flight; it grows while the
 *     guest dirties regions faster than they are copied
 * @param bandwidth the job's cap in bytes/s; 0: none
 * @param ready the mirror is in sync (libvirt's {@code <mirror ready='yes'>}); pivot is legal
 */
public record BlockJobInfo(int type, long cur, long end, long bandwidth, boolean ready) {

  public static final int TYPE_COPY = 2;

  public String typeName() {
    return switch (type) {
      case 1 -> "pull";
      case 2 -> "copy";
      case 3 -> "commit";
      case 4 -> "active-commit";
      case 5 -> "backup";
      default -> "unknown";
    };
  }

  public long remaining() {
    return Math.max(0, end - cur);
  }
}
