package io.ferry.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ferry.Agent;
import io.ferry.config.ConfigLoader;
import io.ferry.device.file.FileDevice;
import io.ferry.proto.v1.CopyOptions;
import io.ferry.proto.v1.DiskFormat;
import io.ferry.proto.v1.Endpoint;
import io.ferry.proto.v1.FerryAgentGrpc;
import io.ferry.proto.v1.FileImage;
import io.ferry.proto.v1.ListExportsRequest;
import io.ferry.proto.v1.NbdAddress;
import io.ferry.proto.v1.NbdExportInfo;
import io.ferry.proto.v1.StartCopyRequest;
import io.ferry.proto.v1.StartExportRequest;
import io.ferry.proto.v1.StopExportRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** StartExport / ListExports / StopExport against a real agent, with qemu-io as the client. */
class AgentExportTest {

  @TempDir Path dir;
  Agent agent;
  ManagedChannel channel;
  FerryAgentGrpc.FerryAgentBlockingStub api;

  @BeforeEach
  void setUp() throws Exception {
    Files.createDirectories(dir.resolve("vols"));
    try (FileDevice d = FileDevice.create(dir.resolve("vols/v.raw"), 4 << 20, true)) {
      d.write(0, ByteBuffer.wrap(new byte[] {1, 2, 3}));
    }
    Path config = dir.resolve("agent.yaml");
    Files.writeString(config, String.join("\n", "listen: 127.0.0.1:0", "insecure_plaintext: true",
        "roots:", "  vols: " + dir.resolve("vols"), "journal_dir: " + dir.resolve("j"), ""));
    agent = Agent.start(ConfigLoader.load(config));
    channel = ManagedChannelBuilder.forAddress("127.0.0.1", agent.port()).usePlaintext().build();
    api = FerryAgentGrpc.newBlockingStub(channel);
  }

  @AfterEach
  void tearDown() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    agent.close();
  }

  static Endpoint vol(String path) {
    return Endpoint.newBuilder().setFile(FileImage.newBuilder().setRoot("vols").setPath(path))
        .build();
  }

  static StartExportRequest export(String socket) {
    return StartExportRequest.newBuilder().setEndpoint(vol("v.raw"))
        .setAddress(NbdAddress.newBuilder().setUnixSocket(socket)).build();
  }

  @Test
  void anOperatorExportServesQemuIoAndStopsWithTheAgent() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/qemu-io")), "qemu-io missing");
    NbdExportInfo e = api.startExport(export("v.sock"));
    Path sock = dir.resolve("j/nbd/v.sock");
    assertThat(e.getSocketPath()).isEqualTo(sock.toString());
    run("qemu-io", "-f", "raw", "-c", "write -P 0x7e 1M 64k", e.getUri());
    try (FileDevice d = FileDevice.openReadOnly(dir.resolve("vols/v.raw"))) {
      ByteBuffer b = ByteBuffer.allocate(64 << 10);
      d.read(1 << 20, b);
      assertThat(b.array()).containsOnly((byte) 0x7e);
    }
    NbdExportInfo ro = api.startExport(export("ro.sock").toBuilder().setReadOnly(true).build());
    assertThat(runExit("qemu-io", "-f", "raw", "-c", "write 0 4k", ro.getUri())).isNotZero();
    assertThat(api.listExports(ListExportsRequest.getDefaultInstance()).getExportsList())
        .extracting(NbdExportInfo::getId).containsExactly(e.getId(), ro.getId());
    api.stopExport(StopExportRequest.newBuilder().setExportId(ro.getId()).build());
    agent.close();
    assertThat(sock).as("removed at shutdown").doesNotExist();
  }

  @Test
  void errorsAreStatusCodesNamingTheField() {
    api.startExport(export("v.sock"));
    assertStatus(() -> api.startExport(export("v.sock")), Status.Code.ALREADY_EXISTS, "is used by export");
    assertStatus(() -> api.startExport(export("../v.sock")), Status.Code.INVALID_ARGUMENT,
        "address.unix_socket");
    assertStatus(() -> api.startExport(export("x").toBuilder().setAddress(
        NbdAddress.newBuilder().setTcp("8.8.8.8:10809")).build()), Status.Code.INVALID_ARGUMENT,
        "address.tcp");
    assertStatus(() -> api.startExport(export("y").toBuilder().setEndpoint(vol("nope.raw"))
        .build()), Status.Code.NOT_FOUND, "nope.raw");
    assertStatus(() -> api.stopExport(StopExportRequest.newBuilder().setExportId("nbd-x")
        .build()), Status.Code.NOT_FOUND, "export_id");
    assertStatus(() -> api.stopExport(StopExportRequest.getDefaultInstance()),
        Status.Code.INVALID_ARGUMENT, "export_id");
  }

  @Test
  void onlineRequestsAreCheckedBeforeAnythingIsCreated() {
    StartCopyRequest.Builder r = StartCopyRequest.newBuilder().setRequestId("r1")
        .setSource(vol("v.raw")).setDestination(vol("out.qcow2"));
    CopyOptions.Builder o = CopyOptions.newBuilder().setCreateDestination(true).setOnline(true)
        .setDestinationFormat(DiskFormat.QCOW2);
    assertStatus(() -> api.startCopy(r.setOptions(o).build()), Status.Code.INVALID_ARGUMENT,
        "options.online_export");
    o.setOnlineExport(NbdAddress.newBuilder().setUnixSocket("a/b"));
    assertStatus(() -> api.startCopy(r.setOptions(o).build()), Status.Code.INVALID_ARGUMENT,
        "options.online_export.unix_socket");
    o.setOnlineExport(NbdAddress.newBuilder().setUnixSocket("ok.sock"))
        .setDestinationFormat(DiskFormat.VMDK);
    assertStatus(() -> api.startCopy(r.setOptions(o).build()), Status.Code.INVALID_ARGUMENT,
        "options.destination_format");
    api.startExport(export("busy.sock"));
    o.setDestinationFormat(DiskFormat.RAW)
        .setOnlineExport(NbdAddress.newBuilder().setUnixSocket("busy.sock"));
    assertStatus(() -> api.startCopy(r.setOptions(o).build()), Status.Code.ALREADY_EXISTS,
        "busy.sock");
    CopyOptions.Builder offline = CopyOptions.newBuilder().setCreateDestination(true)
        .setOnlineExport(NbdAddress.newBuilder().setUnixSocket("x"));
    assertStatus(() -> api.startCopy(r.setOptions(offline).build()),
        Status.Code.INVALID_ARGUMENT, "only with options.online");
    assertThat(dir.resolve("vols/out.qcow2")).doesNotExist();
    assertThat(dir.resolve("vols/.out.qcow2.ferry-part")).doesNotExist();
  }

  private static void assertStatus(ThrowingCallable call, Status.Code code, String text) {
    assertThatThrownBy(call).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
      assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(code);
      assertThat(e.getStatus().getDescription()).contains(text);
    });
  }

  private static void run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
  }

  private static int runExit(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return p.exitValue();
  }
}
