package io.ferry.server;

import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import io.ferry.export.ExportManager;
import io.ferry.job.JobService;
import io.ferry.proto.v1.ListExportsRequest;
import io.ferry.proto.v1.ListExportsResponse;
import io.ferry.proto.v1.NbdExportInfo;
import io.ferry.proto.v1.StartExportRequest;
import io.ferry.proto.v1.StopExportRequest;
import io.ferry.proto.v1.AbortBlockJobRequest;
import io.ferry.proto.v1.BlockJob;
import io.ferry.proto.v1.CancelJobRequest;
import io.ferry.proto.v1.Capabilities;
import io.ferry.proto.v1.FerryAgentGrpc;
import io.ferry.proto.v1.GetCapabilitiesRequest;
import io.ferry.proto.v1.GetJobRequest;
import io.ferry.proto.v1.Job;
import io.ferry.proto.v1.ListBlockJobsRequest;
import io.ferry.proto.v1.ListBlockJobsResponse;
import io.ferry.proto.v1.ListJobsRequest;
import io.ferry.proto.v1.ListJobsResponse;
import io.ferry.proto.v1.SetBandwidthRequest;
import io.ferry.proto.v1.SetBlockJobBandwidthRequest;
import io.ferry.proto.v1.StartCopyRequest;
import io.ferry.proto.v1.StartLiveMirrorRequest;
import io.ferry.proto.v1.VerifyRequest;
import io.ferry.proto.v1.VerifyResponse;
import io.ferry.proto.v1.WatchJobRequest;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The gRPC API. It only translates: checks a request's shape ({@link RequestValidator}), calls the
 * {@link JobService}, and turns failures into status through the one {@link StatusMapper}.
 */
public final class FerryAgentService extends FerryAgentGrpc.FerryAgentImplBase {

  private static final Logger log = LoggerFactory.getLogger(FerryAgentService.class);
  static final String LIVE_MIRROR_MISSING =
      "live mirrors are not available on this agent yet (the live-mirror work of the virt "
          + "layer); move a detached volume with StartCopy instead";
  static final String BLOCK_JOBS_MISSING =
      "block jobs need the virt layer (libvirt), which this agent does not have yet";

  private final JobService jobs;
  private final Supplier<Capabilities> capabilities;
  private final StatusMapper mapper;
  private final boolean liveMirror;
  private final BlockJobHook blockJobs;
  private final ExportManager exports;

  /**
   * @param liveMirror pass StartLiveMirror to the job service (else UNIMPLEMENTED)
   * @param blockJobs the block-job RPCs' backend; null: UNIMPLEMENTED
   */
  public FerryAgentService(JobService jobs, Supplier<Capabilities> capabilities,
      StatusMapper mapper, boolean liveMirror, BlockJobHook blockJobs) {
    this(jobs, capabilities, mapper, liveMirror, blockJobs, null);
  }

  /** @param exports the NBD exports' manager; null: the export RPCs answer UNIMPLEMENTED */
  public FerryAgentService(JobService jobs, Supplier<Capabilities> capabilities,
      StatusMapper mapper, boolean liveMirror, BlockJobHook blockJobs, ExportManager exports) {
    this.exports = exports;
    this.jobs = jobs;
    this.capabilities = capabilities;
    this.mapper = mapper;
    this.liveMirror = liveMirror;
    this.blockJobs = blockJobs;
  }

  @Override
  public void getCapabilities(GetCapabilitiesRequest r, StreamObserver<Capabilities> out) {
    unary(out, null, capabilities);
  }

  @Override
  public void startCopy(StartCopyRequest r, StreamObserver<Job> out) {
    unary(out, null, () -> {
      RequestValidator.startCopy(r);
      Job job = jobs.startCopy(r);
      try (var m = MDC.putCloseable("job", job.getId())) {
        log.info("copy job for request {} by {}: {}", r.getRequestId(), client(),
            job.getState());
      }
      return job;
    });
  }

  @Override
  public void startLiveMirror(StartLiveMirrorRequest r, StreamObserver<Job> out) {
    unary(out, null, () -> {
      if (!liveMirror) {
        throw new FerryException(Reason.UNIMPLEMENTED, LIVE_MIRROR_MISSING);
      }
      RequestValidator.startLiveMirror(r);
      Job job = jobs.startLiveMirror(r);
      try (var m = MDC.putCloseable("job", job.getId())) {
        log.info("live mirror of {}/{} for request {} by {}", r.getDomain(), r.getDiskTarget(),
            r.getRequestId(), client());
      }
      return job;
    });
  }

  @Override
  public void getJob(GetJobRequest r, StreamObserver<Job> out) {
    unary(out, r.getJobId(), () -> {
      RequestValidator.getJob(r);
      return jobs.get(r.getJobId());
    });
  }

  @Override
  public void listJobs(ListJobsRequest r, StreamObserver<ListJobsResponse> out) {
    unary(out, null, () -> {
      RequestValidator.listJobs(r);
      return ListJobsResponse.newBuilder().addAllJobs(jobs.list(r)).build();
    });
  }

  @Override
  public void watchJob(WatchJobRequest r, StreamObserver<Job> out) {
    try (var m = MDC.putCloseable("job", r.getJobId())) {
      RequestValidator.watchJob(r);
      WatchStream stream = new WatchStream((ServerCallStreamObserver<Job>) out, mapper);
      stream.attach(jobs.watch(r.getJobId(), stream));
    } catch (Exception e) {
      out.onError(mapper.toStatus(e));
    }
  }

  @Override
  public void cancelJob(CancelJobRequest r, StreamObserver<Job> out) {
    unary(out, r.getJobId(), () -> {
      RequestValidator.cancelJob(r);
      log.info("cancel requested by {}", client());
      return jobs.cancel(r.getJobId());
    });
  }

  @Override
  public void pivotJob(io.ferry.proto.v1.PivotJobRequest r, StreamObserver<Job> out) {
    unary(out, r.getJobId(), () -> {
      RequestValidator.pivotJob(r);
      log.info("pivot requested by {}", client());
      return jobs.pivot(r.getJobId());
    });
  }

  @Override
  public void setBandwidth(SetBandwidthRequest r, StreamObserver<Job> out) {
    unary(out, r.getJobId(), () -> {
      RequestValidator.setBandwidth(r);
      log.info("bandwidth set to {} B/s by {}", r.getBandwidthBytesPerSec(), client());
      return jobs.setBandwidth(r.getJobId(), r.getBandwidthBytesPerSec());
    });
  }

  @Override
  public void verify(VerifyRequest r, StreamObserver<VerifyResponse> out) {
    unary(out, null, () -> {
      RequestValidator.verify(r);
      return jobs.verify(r);
    });
  }

  @Override
  public void listBlockJobs(ListBlockJobsRequest r, StreamObserver<ListBlockJobsResponse> out) {
    unary(out, null,
        () -> ListBlockJobsResponse.newBuilder().addAllJobs(blockJobs().list(r)).build());
  }

  @Override
  public void setBlockJobBandwidth(SetBlockJobBandwidthRequest r, StreamObserver<BlockJob> out) {
    unary(out, null, () -> {
      RequestValidator.require("domain", r.getDomain());
      RequestValidator.require("disk_target", r.getDiskTarget());
      return blockJobs().setBandwidth(r);
    });
  }

  @Override
  public void abortBlockJob(AbortBlockJobRequest r, StreamObserver<BlockJob> out) {
    unary(out, null, () -> {
      RequestValidator.require("domain", r.getDomain());
      RequestValidator.require("disk_target", r.getDiskTarget());
      return blockJobs().abort(r);
    });
  }

  @Override
  public void startExport(StartExportRequest r, StreamObserver<NbdExportInfo> out) {
    unary(out, null, () -> {
      NbdExportInfo info = exports().start(r);
      log.info("export {} of {} started by {}", info.getId(), info.getUri(), client());
      return info;
    });
  }

  @Override
  public void stopExport(StopExportRequest r, StreamObserver<NbdExportInfo> out) {
    unary(out, null, () -> {
      RequestValidator.require("export_id", r.getExportId());
      NbdExportInfo info = exports().stop(r.getExportId());
      log.info("export {} stopped by {}", info.getId(), client());
      return info;
    });
  }

  @Override
  public void listExports(ListExportsRequest r, StreamObserver<ListExportsResponse> out) {
    unary(out, null, () -> ListExportsResponse.newBuilder().addAllExports(exports().list())
        .build());
  }

  private ExportManager exports() {
    if (exports == null) {
      throw new FerryException(Reason.UNIMPLEMENTED, "NBD exports are not available on this "
          + "agent (started without an endpoint resolver)");
    }
    return exports;
  }

  private BlockJobHook blockJobs() {
    if (blockJobs == null) {
      throw new FerryException(Reason.UNIMPLEMENTED, BLOCK_JOBS_MISSING);
    }
    return blockJobs;
  }

  /** Runs one unary call: the answer, or the failure mapped in the one place. */
  private <T> void unary(StreamObserver<T> out, String jobId, Supplier<T> call) {
    T result;
    try (var m = jobId == null || jobId.isEmpty() ? null : MDC.putCloseable("job", jobId)) {
      result = call.get();
    } catch (Exception e) {
      out.onError(mapper.toStatus(e));
      return;
    }
    out.onNext(result);
    out.onCompleted();
  }

  private static String client() {
    String c = ClientAuthInterceptor.CLIENT.get();
    return c == null ? "local client" : c;
  }
}
