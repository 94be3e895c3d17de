package io.ferry.server;

import io.ferry.proto.v1.AbortBlockJobRequest;
import io.ferry.proto.v1.BlockJob;
import io.ferry.proto.v1.ListBlockJobsRequest;
import io.ferry.proto.v1.SetBlockJobBandwidthRequest;
import java.util.List;

/**
 * Block jobs of this host's libvirt domains (the live-mirror work implements it in {@code virt}).
 * Without one the block-job RPCs answer UNIMPLEMENTED. Errors are FerryExceptions.
 */
public interface BlockJobHook {
  List<BlockJob> list(ListBlockJobsRequest request);

  BlockJob setBandwidth(SetBlockJobBandwidthRequest request);

  /** Refuses a job that is READY: aborting it then would be a pivot decision. */
  BlockJob abort(AbortBlockJobRequest request);
}
