package io.ferry.job;

import io.ferry.copy.ChangeFeed;
import io.ferry.device.BlockDevice;
import io.ferry.proto.v1.Job;
import io.ferry.proto.v1.StartCopyRequest;
import java.io.IOException;

/**
 * Online conversion (CopyOptions.online): the destination is served over NBD while the copy
 * engine's background pass fills it. Implemented in {@code io.ferry.online}; the job layer only
 * swaps the engine's destination and feed for the session's and keeps the export running after
 * the commit.
 */
public interface OnlineConversions {

  /** Checks an online request before anything is created (address syntax, busy socket). */
  void check(StartCopyRequest request);

  /**
   * Starts (or, after a restart, resumes) the online conversion of {@code job}: loads its region
   * map and exports {@code destination} at the job's address.
   */
  Session open(Job job, BlockDevice source, BlockDevice destination) throws IOException;

  /**
   * True while an export of this agent serves the destination of job {@code jobId} (the job's
   * record is needed to restore it after a restart: the job is not purged).
   */
  default boolean serving(String jobId) {
    return false;
  }

  /**
   * At agent start, for a COMPLETED online conversion: serves its destination again when its
   * export still served it as the agent stopped (same export id, same bound address). Empty:
   * nothing to restore (an operator stopped it). Throws a FerryException saying why it cannot
   * (e.g. ALREADY_EXISTS: the address is taken).
   */
  default java.util.Optional<io.ferry.proto.v1.NbdExportInfo> restore(Job job)
      throws IOException {
    return java.util.Optional.empty();
  }

  /** Forgets a conversion that was abandoned (its region map). */
  void discard(String jobId) throws IOException;

  /** One online conversion while its job runs. */
  interface Session extends AutoCloseable {

    /** What the engine writes to: never overwrites what clients wrote. */
    BlockDevice engineDestination();

    /** The source's feed: one full pass; the source's writers are held until it closes. */
    ChangeFeed feed();

    String exportId();

    String uri();

    /** The background pass and verification are over: every region is done, map saved. */
    void completed() throws IOException;

    /**
     * The job committed: the export serves on and now owns the destination device (it closes it
     * when stopped). The session is over; {@link #close()} is no longer needed.
     */
    void keep();

    /** The job ends without completing (failure, cancel, shutdown): the export stops. */
    @Override
    void close();
  }
}
