package io.ferry.virt;

import io.ferry.proto.v1.AbortBlockJobRequest;
import io.ferry.proto.v1.BlockJob;
import io.ferry.proto.v1.ListBlockJobsRequest;
import io.ferry.proto.v1.SetBlockJobBandwidthRequest;
import io.ferry.server.BlockJobHook;
import java.util.List;

/** The server's block-job RPCs, answered by {@link LiveMirrorService}. */
public final class VirtBlockJobHook implements BlockJobHook {

  private final LiveMirrorService service;

  public VirtBlockJobHook(LiveMirrorService service) {
    this.service = service;
  }

  @Override
  public List<BlockJob> list(ListBlockJobsRequest request) {
    return service.listBlockJobs(request.getDomain()).stream().map(VirtBlockJobHook::proto)
        .toList();
  }

  @Override
  public BlockJob setBandwidth(SetBlockJobBandwidthRequest request) {
    return proto(service.setBandwidth(request.getDomain(), request.getDiskTarget(),
        request.getBandwidthBytesPerSec()));
  }

  @Override
  public BlockJob abort(AbortBlockJobRequest request) {
    return proto(service.abortForeign(request.getDomain(), request.getDiskTarget()));
  }

  static BlockJob proto(BlockJobView v) {
    return BlockJob.newBuilder()
        .setDomain(v.domain())
        .setDiskTarget(v.disk())
        .setType(v.info().typeName())
        .setCur(v.info().cur())
        .setEnd(v.info().end())
        .setBandwidthBytesPerSec(v.info().bandwidth())
        .setReady(v.info().ready())
        .setFerryJobId(v.ferryJobId())
        .build();
  }
}
