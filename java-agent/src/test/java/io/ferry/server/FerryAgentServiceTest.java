package io.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.timeout;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import io.ferry.job.JobService;
import io.ferry.proto.v1.AbortBlockJobRequest;
import io.ferry.proto.v1.BlockJob;
import io.ferry.proto.v1.Budgets;
import io.ferry.proto.v1.CancelJobRequest;
import io.ferry.proto.v1.Capabilities;
import io.ferry.proto.v1.CopyOptions;
import io.ferry.proto.v1.Endpoint;
import io.ferry.proto.v1.FileImage;
import io.ferry.proto.v1.GetCapabilitiesRequest;
import io.ferry.proto.v1.GetJobRequest;
import io.ferry.proto.v1.Job;
import io.ferry.proto.v1.JobState;
import io.ferry.proto.v1.ListBlockJobsRequest;
import io.ferry.proto.v1.ListJobsRequest;
import io.ferry.proto.v1.RbdImage;
import io.ferry.proto.v1.SetBandwidthRequest;
import io.ferry.proto.v1.SetBlockJobBandwidthRequest;
import io.ferry.proto.v1.StartCopyRequest;
import io.ferry.proto.v1.StartLiveMirrorRequest;
import io.ferry.proto.v1.VerifyRequest;
import io.ferry.proto.v1.VerifyResponse;
import io.ferry.proto.v1.WatchJobRequest;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every RPC through the real service on the in-process transport, the job layer mocked. */
class FerryAgentServiceTest {

  static final Endpoint SRC = Endpoint.newBuilder().setRbd(RbdImage.newBuilder()
      .setClusterId("ceph-a").setPool("volumes").setImage("volume-1")).build();
  static final Endpoint DST = Endpoint.newBuilder().setFile(FileImage.newBuilder()
      .setPath("out/volume-1.raw")).build();
  static final StartCopyRequest COPY = StartCopyRequest.newBuilder().setRequestId("r-1")
      .setSource(SRC).setDestination(DST)
      .setOptions(CopyOptions.newBuilder().setCreateDestination(true)).build();
  static final Job JOB = Job.newBuilder().setId("j-1").setRequestId("r-1")
      .setState(JobState.QUEUED).build();

  JobService jobs;
  InProcessAgent agent;

  @BeforeEach
  void start() throws Exception {
    jobs = mock(JobService.class);
    agent = new InProcessAgent(jobs, false, null);
  }

  @AfterEach
  void stop() {
    agent.close();
  }

  static Status.Code codeOf(Runnable call) {
    try {
      call.run();
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
    return Status.Code.OK;
  }

  @Test
  void capabilitiesComeFromConfigAndBudgets() {
    when(jobs.budgets()).thenReturn(Budgets.newBuilder().setMaxConcurrentJobs(3)
        .setRunningJobs(1).build());
    Capabilities c = agent.stub.getCapabilities(GetCapabilitiesRequest.getDefaultInstance());
    assertThat(c.getVersion()).isNotEmpty();
    assertThat(c.getClustersList()).extracting(ci -> ci.getId()).containsExactly("ceph-a");
    assertThat(c.getBudgets().getRunningJobs()).isEqualTo(1);
    assertThat(c.getReadFormatsCount()).isPositive();
    assertThat(c.toString()).doesNotContain("/etc/ceph");
  }

  @Test
  void startCopyPassesTheRequestAndReturnsTheJob() {
    when(jobs.startCopy(COPY)).thenReturn(JOB);
    assertThat(agent.stub.startCopy(COPY)).isEqualTo(JOB);
  }

  @Test
  void aDomainErrorKeepsItsCodeAndMessage() {
    when(jobs.startCopy(any())).thenThrow(new FerryException(Reason.ALREADY_EXISTS,
        "request_id r-1 was used for another request; use a new request id"));
    assertThatThrownBy(() -> agent.stub.startCopy(COPY))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
          assertThat(e.getStatus().getDescription()).contains("use a new request id");
        });
  }

  @Test
  void aBugIsInternalWithAGenericMessage() {
    when(jobs.get("j-1")).thenThrow(new NullPointerException("x.y() on null"));
    assertThatThrownBy(() -> agent.stub.getJob(GetJobRequest.newBuilder().setJobId("j-1").build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
          assertThat(e.getStatus().getDescription()).doesNotContain("x.y()");
        });
  }

  @Test
  void getListCancelBandwidthVerify() {
    when(jobs.get("j-1")).thenReturn(JOB);
    when(jobs.list(any())).thenReturn(List.of(JOB, JOB.toBuilder().setId("j-2").build()));
    when(jobs.cancel("j-1")).thenReturn(JOB.toBuilder().setState(JobState.CANCELLING).build());
    when(jobs.setBandwidth("j-1", 1000)).thenReturn(JOB);
    VerifyRequest vr = VerifyRequest.newBuilder().setA(SRC).setB(DST).build();
    when(jobs.verify(vr)).thenReturn(VerifyResponse.newBuilder().setEqual(true).build());

    assertThat(agent.stub.getJob(GetJobRequest.newBuilder().setJobId("j-1").build())).isEqualTo(JOB);
    ListJobsRequest filter = ListJobsRequest.newBuilder().addStates(JobState.SYNCING).build();
    assertThat(agent.stub.listJobs(filter).getJobsCount()).isEqualTo(2);
    verify(jobs).list(filter);
    assertThat(agent.stub.cancelJob(CancelJobRequest.newBuilder().setJobId("j-1").build())
        .getState()).isEqualTo(JobState.CANCELLING);
    assertThat(agent.stub.setBandwidth(SetBandwidthRequest.newBuilder().setJobId("j-1")
        .setBandwidthBytesPerSec(1000).build())).isEqualTo(JOB);
    assertThat(agent.stub.verify(vr).getEqual()).isTrue();
  }

  @Test
  void unknownJobIsNotFound() {
    when(jobs.cancel("nope")).thenThrow(FerryException.notFound("job nope: no such job"));
    assertThat(codeOf(() -> agent.stub.cancelJob(
        CancelJobRequest.newBuilder().setJobId("nope").build()))).isEqualTo(Status.Code.NOT_FOUND);
  }

  @Test
  void malformedIdsAreRefusedBeforeTheJobLayer() {
    assertThat(codeOf(() -> agent.stub.getJob(GetJobRequest.getDefaultInstance())))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(codeOf(() -> agent.stub.setBandwidth(SetBandwidthRequest.newBuilder()
        .setJobId("j").setBandwidthBytesPerSec(-1).build())))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(codeOf(() -> agent.stub.listJobs(ListJobsRequest.newBuilder()
        .addStatesValue(99).build()))).isEqualTo(Status.Code.INVALID_ARGUMENT);
    verify(jobs, never()).get(anyString());
    verify(jobs, never()).setBandwidth(anyString(), anyLong());
    verify(jobs, never()).list(any());
  }

  @Test
  void watchStreamsUpdatesUntilTheEnd() {
    when(jobs.watch(eq("j-1"), any())).thenAnswer(inv -> {
      JobService.JobWatcher w = inv.getArgument(1);
      new Thread(() -> {
        w.onUpdate(JOB.toBuilder().setState(JobState.SYNCING).build());
        w.onUpdate(JOB.toBuilder().setState(JobState.VERIFYING).build());
        w.onUpdate(JOB.toBuilder().setState(JobState.COMPLETED).build());
        w.onEnd();
      }).start();
      return (AutoCloseable) () -> {};
    });
    List<Job> seen = new ArrayList<>();
    agent.stub.watchJob(WatchJobRequest.newBuilder().setJobId("j-1").build())
        .forEachRemaining(seen::add);
    assertThat(seen).isNotEmpty();
    assertThat(seen.get(seen.size() - 1).getState()).isEqualTo(JobState.COMPLETED);
  }

  @Test
  void aClientLeavingAWatchClosesItsHandle() throws Exception {
    AutoCloseable handle = mock(AutoCloseable.class);
    AtomicReference<JobService.JobWatcher> watcher = new AtomicReference<>();
    when(jobs.watch(eq("j-1"), any())).thenAnswer(inv -> {
      watcher.set(inv.getArgument(1));
      watcher.get().onUpdate(JOB);
      return handle;
    });
    Context.CancellableContext ctx = Context.current().withCancellation();
    ctx.run(() -> {
      Iterator<Job> it = agent.stub.watchJob(WatchJobRequest.newBuilder().setJobId("j-1").build());
      assertThat(it.next()).isEqualTo(JOB);
    });
    ctx.cancel(null);
    verify(handle, timeout(2000)).close();
  }

  @Test
  void watchOfAnUnknownJobIsNotFound() {
    when(jobs.watch(eq("nope"), any())).thenThrow(FerryException.notFound("job nope"));
    assertThat(codeOf(() -> agent.stub.watchJob(WatchJobRequest.newBuilder().setJobId("nope")
        .build()).hasNext())).isEqualTo(Status.Code.NOT_FOUND);
  }

  @Test
  void liveMirrorAndBlockJobsAreUnimplementedWithoutTheVirtLayer() {
    StartLiveMirrorRequest lm = StartLiveMirrorRequest.newBuilder().setRequestId("r")
        .setDomain("vm").setDiskTarget("vdb").setDestination(DST).build();
    assertThatThrownBy(() -> agent.stub.startLiveMirror(lm))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
          assertThat(e.getStatus().getDescription()).contains("live-mirror");
        });
    verify(jobs, never()).startLiveMirror(any());
    assertThat(codeOf(() -> agent.stub.listBlockJobs(ListBlockJobsRequest.getDefaultInstance())))
        .isEqualTo(Status.Code.UNIMPLEMENTED);
    assertThat(codeOf(() -> agent.stub.abortBlockJob(AbortBlockJobRequest.newBuilder()
        .setDomain("vm").setDiskTarget("vdb").build()))).isEqualTo(Status.Code.UNIMPLEMENTED);
  }

  @Test
  void withTheVirtLayerLiveMirrorAndBlockJobsAreDelegated() throws Exception {
    BlockJobHook hook = mock(BlockJobHook.class);
    BlockJob bj = BlockJob.newBuilder().setDomain("vm").setDiskTarget("vdb").build();
    when(hook.list(any())).thenReturn(List.of(bj));
    when(hook.setBandwidth(any())).thenReturn(bj);
    when(hook.abort(any())).thenReturn(bj);
    when(jobs.startLiveMirror(any())).thenReturn(JOB);
    try (InProcessAgent virt = new InProcessAgent(jobs, true, hook)) {
      StartLiveMirrorRequest lm = StartLiveMirrorRequest.newBuilder().setRequestId("r")
          .setDomain("vm").setDiskTarget("vdb").setDestination(DST).build();
      assertThat(virt.stub.startLiveMirror(lm)).isEqualTo(JOB);
      assertThat(virt.stub.listBlockJobs(ListBlockJobsRequest.getDefaultInstance())
          .getJobsList()).containsExactly(bj);
      assertThat(virt.stub.setBlockJobBandwidth(SetBlockJobBandwidthRequest.newBuilder()
          .setDomain("vm").setDiskTarget("vdb").build())).isEqualTo(bj);
      assertThat(virt.stub.abortBlockJob(AbortBlockJobRequest.newBuilder()
          .setDomain("vm").setDiskTarget("vdb").build())).isEqualTo(bj);
      assertThat(codeOf(() -> virt.stub.startLiveMirror(lm.toBuilder().clearDomain().build())))
          .isEqualTo(Status.Code.INVALID_ARGUMENT);
    }
  }

  @Test
  void healthServiceAnswersServing() {
    var health = io.grpc.health.v1.HealthGrpc.newBlockingStub(agent.channel);
    assertThat(health.check(io.grpc.health.v1.HealthCheckRequest.newBuilder()
        .setService(AgentServer.SERVICE_NAME).build()).getStatus())
        .isEqualTo(io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING);
  }
}
