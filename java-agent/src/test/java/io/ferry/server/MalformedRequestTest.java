package io.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verifyNoInteractions;

import io.ferry.job.JobService;
import io.ferry.proto.v1.CopyOptions;
import io.ferry.proto.v1.DiskFormat;
import io.ferry.proto.v1.Endpoint;
import io.ferry.proto.v1.FileImage;
import io.ferry.proto.v1.RbdImage;
import io.ferry.proto.v1.StartCopyRequest;
import io.ferry.proto.v1.VerifyRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Malformed requests get INVALID_ARGUMENT naming the field, and never reach the job layer. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MalformedRequestTest {

  JobService jobs = mock(JobService.class);
  InProcessAgent agent;

  @BeforeAll
  void start() throws Exception {
    agent = new InProcessAgent(jobs, false, null);
  }

  @AfterAll
  void stop() {
    agent.close();
  }

  static Endpoint file(String path) {
    return Endpoint.newBuilder().setFile(FileImage.newBuilder().setPath(path)).build();
  }

  static Endpoint rbd(UnaryOperator<RbdImage.Builder> f) {
    return Endpoint.newBuilder().setRbd(f.apply(RbdImage.newBuilder().setClusterId("c")
        .setPool("p").setImage("i"))).build();
  }

  static Arguments bad(String message, UnaryOperator<StartCopyRequest.Builder> f) {
    return Arguments.of(message, f);
  }

  static Stream<Arguments> copies() {
    return Stream.of(
        bad("request_id: required", b -> b.clearRequestId()),
        bad("request_id: use letters", b -> b.setRequestId("a b")),
        bad("request_id: longer than", b -> b.setRequestId("x".repeat(200))),
        bad("source: required", b -> b.clearSource()),
        bad("destination: required", b -> b.clearDestination()),
        bad("source.rbd.cluster_id: required", b -> b.setSource(rbd(r -> r.clearClusterId()))),
        bad("source.rbd.pool: required", b -> b.setSource(rbd(r -> r.clearPool()))),
        bad("source.rbd.image: required", b -> b.setSource(rbd(r -> r.clearImage()))),
        bad("source.rbd.image: 'a/b' may not contain", b -> b.setSource(rbd(r -> r.setImage("a/b")))),
        bad("source.rbd.namespace: ", b -> b.setSource(rbd(r -> r.setNamespace("n@s")))),
        bad("destination.rbd.snapshot: a snapshot is read-only",
            b -> b.setDestination(rbd(r -> r.setSnapshot("s")))),
        bad("destination.file.path: required", b -> b.setDestination(file(""))),
        bad("destination.file.path: must be relative", b -> b.setDestination(file("/etc/passwd"))),
        bad("destination.file.path: may not contain '..'", b -> b.setDestination(file("../x"))),
        bad("source.file.path: may not contain '..'", b -> b.setSource(file("a/../../b"))),
        bad("source.file.path: may not contain NUL", b -> b.setSource(file("a\0b"))),
        bad("source.file.path: names a directory", b -> b.setSource(file("dir/"))),
        bad("source.file.format: unknown format", b -> b.setSource(Endpoint.newBuilder()
            .setFile(FileImage.newBuilder().setPath("a").setFormatValue(42)).build())),
        bad("options.parallelism: 1000 is above", b -> b.setOptions(
            CopyOptions.newBuilder().setParallelism(1000))),
        bad("options.chunk_size: 1000 is not", b -> b.setOptions(
            CopyOptions.newBuilder().setChunkSize(1000))),
        bad("options.chunk_size: ", b -> b.setOptions(
            CopyOptions.newBuilder().setChunkSize(128L << 20))),
        bad("options.bandwidth_bytes_per_sec: too large", b -> b.setOptions(
            CopyOptions.newBuilder().setBandwidthBytesPerSec(-5))),
        bad("options.destination_format: RBD images are raw", b -> b
            .setDestination(rbd(r -> r)).setOptions(
                CopyOptions.newBuilder().setDestinationFormat(DiskFormat.QCOW2))),
        bad("options.destination_format: unknown format", b -> b.setOptions(
            CopyOptions.newBuilder().setDestinationFormatValue(17))),
        bad("options.copy_snapshots: is only supported from an RBD image", b -> b
            .setSource(file("a")).setDestination(rbd(r -> r)).setOptions(
                CopyOptions.newBuilder().setCreateDestination(true).setCopySnapshots(true))),
        bad("options.copy_snapshots: copies an image's snapshots", b -> b
            .setSource(rbd(r -> r.setSnapshot("s"))).setDestination(rbd(r -> r.setPool("q")))
            .setOptions(CopyOptions.newBuilder().setCreateDestination(true).setCopySnapshots(true))),
        bad("options.copy_snapshots: needs create_destination", b -> b
            .setSource(rbd(r -> r)).setDestination(rbd(r -> r.setPool("q")))
            .setOptions(CopyOptions.newBuilder().setCopySnapshots(true))),
        bad("labels: keys are", b -> b.putLabels("", "v")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("copies")
  void startCopyNamesTheField(String message, UnaryOperator<StartCopyRequest.Builder> f) {
    StartCopyRequest r = f.apply(FerryAgentServiceTest.COPY.toBuilder()).build();
    assertThatThrownBy(() -> agent.stub.startCopy(r))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getStatus().getDescription()).startsWith(message);
        });
    verifyNoInteractions(jobs);
  }

  @Test
  void verifyNamesItsEndpoints() {
    VerifyRequest r = VerifyRequest.newBuilder().setA(file("x")).setB(file("../y")).build();
    assertThatThrownBy(() -> agent.stub.verify(r))
        .hasMessageContaining("INVALID_ARGUMENT: b.file.path: may not contain '..'");
    assertThatThrownBy(() -> agent.stub.verify(VerifyRequest.getDefaultInstance()))
        .hasMessageContaining("a: required");
    verifyNoInteractions(jobs);
  }

  @Test
  void liveMirrorShapeIsCheckedWhenEnabled() throws Exception {
    try (InProcessAgent virt = new InProcessAgent(jobs, true, null)) {
      var base = io.ferry.proto.v1.StartLiveMirrorRequest.newBuilder().setRequestId("r")
          .setDomain("vm").setDiskTarget("vdb");
      assertThatThrownBy(() -> virt.stub.startLiveMirror(base.build()))
          .hasMessageContaining("destination: required");
      assertThatThrownBy(() -> virt.stub.startLiveMirror(base.clone().setDestination(file("x"))
          .setDestinationXml("<disk/>").build()))
          .hasMessageContaining("not both");
      assertThatThrownBy(() -> virt.stub.startLiveMirror(base.clone().setDestination(file("x"))
          .setOptions(io.ferry.proto.v1.LiveMirrorOptions.newBuilder().setGranularity(1000))
          .build()))
          .hasMessageContaining("options.granularity: 1000 is not a power of two");
    }
    verifyNoInteractions(jobs);
  }
}
