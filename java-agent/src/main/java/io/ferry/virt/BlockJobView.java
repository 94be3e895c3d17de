package io.ferry.virt;

/**
 * A block job on some domain's disk, whoever started it.
 *
 * @param ferryJobId the Ferry job supervising it; empty when Ferry did not start it
 */
public record BlockJobView(String domain, String disk, BlockJobInfo info, String ferryJobId) {

  public boolean foreign() {
    return ferryJobId.isEmpty();
  }
}
