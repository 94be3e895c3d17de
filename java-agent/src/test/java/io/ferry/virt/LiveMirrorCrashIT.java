package io.ferry.virt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.it.AgentProcess;
import io.ferry.proto.v1.CancelJobRequest;
import io.ferry.proto.v1.ConvergencePolicy;
import io.ferry.proto.v1.DiskFormat;
import io.ferry.proto.v1.Endpoint;
import io.ferry.proto.v1.FileImage;
import io.ferry.proto.v1.GetJobRequest;
import io.ferry.proto.v1.Job;
import io.ferry.proto.v1.JobState;
import io.ferry.proto.v1.LiveMirrorOptions;
import io.ferry.proto.v1.PivotJobRequest;
import io.ferry.proto.v1.SetBandwidthRequest;
import io.ferry.proto.v1.StartLiveMirrorRequest;
import io.ferry.proto.v1.WatchJobRequest;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real agent process supervising a live mirror of a running lab domain is killed with SIGKILL
 * while a writer keeps writing through the mirroring QEMU. The block job runs on without it; the
 * restarted agent re-attaches from its journal and keeps supervising. The guest must run (and
 * stay defined) the whole time, and the destination must hold every recorded write.
 */
class LiveMirrorCrashIT {

  static final long MIB = 1 << 20;
  static final long SIZE = 32 * MIB;
  static LibvirtLab lab;
  static Hypervisor hv;

  @TempDir Path dir;

  @BeforeAll
  static void up() throws Exception {
    lab = LibvirtLab.start("crash");
    hv = Hypervisor.connect(lab.uri);
  }

  @AfterAll
  static void down() throws Exception {
    if (hv != null) {
      hv.close();
    }
    if (lab != null) {
      lab.close();
    }
  }

  @Test
  void killNineDuringTheCopyThenTheRestartedAgentReattachesAndPivotsWhenAsked() throws Exception {
    String vm = "crashvm";
    Path src = lab.qcow2(vm + "-src.qcow2", SIZE);
    LibvirtLab.fill(src, 0x5a, 0, SIZE);
    Path dst = lab.qcow2(vm + "-dst.qcow2", SIZE);
    lab.domain(vm, "file:" + src);
    Path config = agentConfig();
    Path log = dir.resolve("agent.log");
    String id;
    Map<Long, Integer> written;
    try (DomainWatch watch = new DomainWatch(vm);
        HmpWriter writer = new HmpWriter(hv, vm, 16 * MIB, 20).start()) {
      try (AgentProcess agent = new AgentProcess(config, log, port).start()) {
        id = agent.api().startLiveMirror(request("crash-1", vm, false, MIB,
            ConvergencePolicy.newBuilder().setReadyTimeoutSeconds(300).build())).getId();
        awaitJob(agent, id, j -> j.getState() == JobState.SYNCING
            && j.getProgress().getBytesDone() >= 2 * MIB, "copying");
        agent.kill9();
      }
      Thread.sleep(2000); // the block job runs on with nobody supervising it
      assertThat(hv.blockJob(vm, "vdb")).as("block job outlives the agent").isPresent();
      long writesWhileDead = writer.writes();

      try (AgentProcess agent = new AgentProcess(config, log, port).start()) {
        Job back = get(agent, id);
        assertThat(back.getState()).isEqualTo(JobState.SYNCING);
        assertThat(back.getProgress().getRestarts()).isEqualTo(1);
        awaitJob(agent, id, j -> j.getEventsList().stream()
            .anyMatch(e -> e.getKind().equals("reattach")), "re-attached");
        assertThatThrownBy(() -> agent.api().pivotJob(PivotJobRequest.newBuilder()
            .setJobId(id).build())).as("no pivot before READY")
            .isInstanceOf(StatusRuntimeException.class)
            .hasMessageContaining("FAILED_PRECONDITION").hasMessageContaining("only when READY");
        agent.api().setBandwidth(SetBandwidthRequest.newBuilder().setJobId(id)
            .setBandwidthBytesPerSec(0).build());
        awaitJob(agent, id, j -> j.getState() == JobState.READY, "READY");
        Thread.sleep(1000);
        assertThat(get(agent, id).getState()).as("started without pivot: waits at READY")
            .isEqualTo(JobState.READY);
        agent.api().pivotJob(PivotJobRequest.newBuilder().setJobId(id).build());
        Job done = follow(agent, id);
        assertThat(done.getState()).as(done.getError().getMessage())
            .isEqualTo(JobState.COMPLETED);
        assertThat(done.getEventsList()).anyMatch(e -> e.getKind().equals("verify"));
      }
      assertThat(writer.writes()).as("the guest wrote during and after the crash")
          .isGreaterThan(writesWhileDead);
      writer.close();
      written = writer.recorded();
      watch.assertAlwaysRunning();
    }
    assertThat(hv.blockJob(vm, "vdb")).isEmpty();
    assertThat(DomainXml.parse(hv.xml(vm, false)).source("vdb"))
        .isEqualTo(DiskSource.file(dst.toString()));
    assertThat(DomainXml.parse(hv.xml(vm, true)).source("vdb"))
        .isEqualTo(DiskSource.file(dst.toString()));
    LiveMirrorFileIT.assertPatterns(dst, written);
    LiveMirrorFileIT.assertPatterns(dst, Map.of(20 * MIB, 0x5a, SIZE - HmpWriter.BLOCK, 0x5a));
    LibvirtLab.run(LibvirtLab.script(), "undefine", lab.dir.toString(), vm);
  }

  @Test
  void killNineWhileTheGuestIsThrottledThenTheRestartedAgentRestoresItsLimits() throws Exception {
    String vm = "throtvm";
    long size = 8 * MIB;
    Path src = lab.qcow2(vm + "-src.qcow2", size);
    LibvirtLab.fill(src, 0x33, 0, size);
    lab.qcow2(vm + "-dst.qcow2", size);
    lab.domain(vm, "file:" + src);
    IoTune own = new IoTune(0, 40 * MIB, 0); // the guest's own limits, to be put back
    hv.setIoTune(vm, "vdb", own);
    long cap = 128 * 1024;
    Path config = agentConfig();
    Path log = dir.resolve("agent.log");
    String id;
    Map<Long, Integer> written;
    try (DomainWatch watch = new DomainWatch(vm);
        HmpWriter writer = new HmpWriter(hv, vm, size, 0).start()) {
      Thread.sleep(500);
      try (AgentProcess agent = new AgentProcess(config, log, port).start()) {
        id = agent.api().startLiveMirror(request("throttle-1", vm, false, 512 * 1024,
            ConvergencePolicy.newBuilder().setReadyTimeoutSeconds(3).setThrottleGuest(true)
                .setGuestThrottleBytesPerSec(cap).build())).getId();
        awaitJob(agent, id, j -> j.getEventsList().stream().anyMatch(e -> e.getKind()
            .equals("throttle") && e.getMessage().contains("saved")), "throttled");
        awaitLimits(vm, own.throttledTo(cap));
        agent.kill9();
      }
      Thread.sleep(1000);
      assertThat(hv.ioTune(vm, "vdb")).as("the throttle outlives the agent")
          .isEqualTo(own.throttledTo(cap));

      try (AgentProcess agent = new AgentProcess(config, log, port).start()) {
        awaitJob(agent, id, j -> j.getEventsList().stream()
            .anyMatch(e -> e.getKind().equals("reattach")), "re-attached");
        // The policy's budget starts again and its one step is spent: the job gives up ("did
        // not converge") unless it gets READY first, which a cancel then ends. Both abort
        // cleanly.
        Job j = awaitEnd(agent, id);
        if (j.getState() == JobState.READY) {
          agent.api().cancelJob(CancelJobRequest.newBuilder().setJobId(id).build());
        }
        Job done = follow(agent, id);
        assertThat(done.getState()).as(done.getError().getMessage())
            .isIn(JobState.CANCELLED, JobState.FAILED);
        if (done.getState() == JobState.FAILED) {
          assertThat(done.getError().getCode()).isEqualTo("RESOURCE_EXHAUSTED");
          assertThat(done.getError().getMessage()).contains("did not converge");
        }
        assertThat(done.getEventsList()).anyMatch(e -> e.getKind().equals("throttle")
            && e.getMessage().contains("restored"));
        assertThat(hv.ioTune(vm, "vdb")).as("the guest's own limits are back")
            .isEqualTo(own);
      }
      writer.close();
      written = writer.recorded();
      watch.assertAlwaysRunning();
    }
    assertThat(hv.blockJob(vm, "vdb")).isEmpty();
    assertThat(DomainXml.parse(hv.xml(vm, false)).source("vdb"))
        .isEqualTo(DiskSource.file(src.toString()));
    assertThat(DomainXml.parse(hv.xml(vm, true)).source("vdb"))
        .isEqualTo(DiskSource.file(src.toString()));
    LiveMirrorFileIT.assertPatterns(src, written); // the guest stayed on its source
    LibvirtLab.run(LibvirtLab.script(), "undefine", lab.dir.toString(), vm);
  }

  static Job awaitEnd(AgentProcess agent, String id) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    Job j = get(agent, id);
    while (j.getState() != JobState.READY && !List.of(JobState.COMPLETED, JobState.FAILED,
        JobState.CANCELLED).contains(j.getState())) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("job " + id + " neither READY nor ended: " + j);
      }
      Thread.sleep(100);
      j = get(agent, id);
    }
    return j;
  }

  static void awaitLimits(String vm, IoTune expected) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!hv.ioTune(vm, "vdb").equals(expected)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("limits of " + vm + " are " + hv.ioTune(vm, "vdb")
            + ", not " + expected);
      }
      Thread.sleep(100);
    }
  }

  int port;

  Path agentConfig() throws Exception {
    port = AgentProcess.freePort();
    Path config = dir.resolve("agent.yaml");
    Files.writeString(config, "listen: 127.0.0.1:" + port + "\ninsecure_plaintext: true\n"
        + "roots:\n  default: " + lab.work + "\njournal_dir: journal\n"
        + "libvirt_uri: \"" + lab.uri + "\"\n");
    return config;
  }

  static StartLiveMirrorRequest request(String requestId, String vm, boolean pivot,
      long bandwidth, ConvergencePolicy policy) {
    return StartLiveMirrorRequest.newBuilder()
        .setRequestId(requestId).setDomain(vm).setDiskTarget("vdb")
        .setDestination(Endpoint.newBuilder().setFile(FileImage.newBuilder()
            .setPath(vm + "-dst.qcow2").setFormat(DiskFormat.QCOW2)))
        .setOptions(LiveMirrorOptions.newBuilder().setBandwidthBytesPerSec(bandwidth)
            .setGranularity(64 * 1024).setBufferSize(256 * 1024).setPivot(pivot)
            .setConvergence(policy))
        .build();
  }

  static Job get(AgentProcess agent, String id) {
    return agent.api().getJob(GetJobRequest.newBuilder().setJobId(id).build());
  }

  static Job awaitJob(AgentProcess agent, String id, Predicate<Job> until, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    Job j = get(agent, id);
    while (!until.test(j)) {
      assertThat(j.getState()).as("job %s while waiting until %s: %s", id, what,
          j.getError().getMessage()).isNotIn(JobState.COMPLETED, JobState.FAILED,
          JobState.CANCELLED);
      if (System.nanoTime() > deadline) {
        throw new AssertionError("job " + id + " not " + what + " in time: " + j);
      }
      Thread.sleep(100);
      j = get(agent, id);
    }
    return j;
  }

  static Job follow(AgentProcess agent, String id) {
    Iterator<Job> it = agent.api().withDeadlineAfter(3, TimeUnit.MINUTES)
        .watchJob(WatchJobRequest.newBuilder().setJobId(id).build());
    Job last = null;
    while (it.hasNext()) {
      last = it.next();
    }
    return last;
  }

  /** Checks ten times a second that the domain runs and is still persistent (rule 7). */
  static final class DomainWatch implements AutoCloseable {
    private final List<String> problems = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private int checks;

    DomainWatch(String domain) {
      thread = new Thread(() -> {
        while (!Thread.currentThread().isInterrupted()) {
          try {
            if (!hv.isActive(domain)) {
              problems.add("domain not running at check " + checks);
            }
            if (!hv.isPersistent(domain)) {
              problems.add("domain not persistent at check " + checks);
            }
            checks++;
            Thread.sleep(100);
          } catch (InterruptedException e) {
            return;
          } catch (RuntimeException e) {
            problems.add(e.getMessage());
          }
        }
      }, "domain-watch");
      thread.setDaemon(true);
      thread.start();
    }

    void assertAlwaysRunning() throws InterruptedException {
      close();
      assertThat(checks).as("domain checks made").isGreaterThan(50);
      assertThat(problems).isEmpty();
    }

    @Override
    public void close() throws InterruptedException {
      thread.interrupt();
      thread.join(5000);
    }
  }
}
