package io.ferry.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.device.MemoryDevice;
import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import io.ferry.proto.v1.Endpoint;
import io.ferry.proto.v1.FileImage;
import io.ferry.proto.v1.NbdAddress;
import io.ferry.proto.v1.NbdExportInfo;
import io.ferry.proto.v1.StartExportRequest;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExportManagerTest {

  @TempDir Path dir;
  ExportManager exports;
  final List<MemoryDevice> opened = new ArrayList<>();
  final List<String> closed = new ArrayList<>();
  final List<Boolean> openedReadOnly = new ArrayList<>();

  @BeforeEach
  void setUp() {
    exports = new ExportManager(dir.resolve("nbd"), (e, ro, field) -> {
      MemoryDevice d = new MemoryDevice(e.getFile().getPath(), 1 << 20);
      opened.add(d);
      openedReadOnly.add(ro);
      return new io.ferry.device.ForwardingDevice(d) {
        @Override
        public void close() throws java.io.IOException {
          closed.add(e.getFile().getPath());
          super.close();
        }
      };
    });
  }

  @AfterEach
  void tearDown() {
    exports.close();
  }

  static Endpoint file(String path) {
    return Endpoint.newBuilder().setFile(FileImage.newBuilder().setPath(path)).build();
  }

  static StartExportRequest unix(String name) {
    return StartExportRequest.newBuilder().setEndpoint(file("v.raw"))
        .setAddress(NbdAddress.newBuilder().setUnixSocket(name)).build();
  }

  static StartExportRequest tcp(String addr) {
    return StartExportRequest.newBuilder().setEndpoint(file("v.raw"))
        .setAddress(NbdAddress.newBuilder().setTcp(addr)).build();
  }

  @Test
  void aRestoredJobExportKeepsItsIdAndAddressIsNotPinnedAndRunsItsHookOnlyOnStopExport()
      throws Exception {
    NbdExportInfo r = exports.restoreForJob("nbd-0000abcd", "job-1", file("dst.raw"),
        NbdAddress.newBuilder().setUnixSocket("dst.sock").build(), "vol");
    assertThat(r.getId()).isEqualTo("nbd-0000abcd");
    assertThat(r.getJobId()).isEqualTo("job-1");
    assertThat(r.getReadOnly()).isFalse();
    assertThat(r.getUri()).endsWith("/vol?socket=" + dir.resolve("nbd/dst.sock").toAbsolutePath());
    assertThat(openedReadOnly).containsExactly(false); // clients wrote into it before
    assertThat(exports.servesJob("job-1")).isTrue();
    List<String> hooks = new ArrayList<>();
    exports.whenStopped(r.getId(), () -> hooks.add("stopped"));

    exports.stop(r.getId()); // not pinned: an operator may stop it
    assertThat(hooks).containsExactly("stopped");
    assertThat(exports.servesJob("job-1")).isFalse();
  }

  @Test
  void stopHooksDoNotRunAtShutdownNorWhenTheJobEnds() throws Exception {
    NbdExportInfo a = exports.restoreForJob("nbd-a", "job-a", file("a.raw"),
        NbdAddress.newBuilder().setTcp("127.0.0.1:0").build(), "");
    NbdExportInfo b = exports.restoreForJob("nbd-b", "job-b", file("b.raw"),
        NbdAddress.newBuilder().setTcp("127.0.0.1:0").build(), "");
    List<String> hooks = new ArrayList<>();
    exports.whenStopped(a.getId(), () -> hooks.add("a"));
    exports.whenStopped(b.getId(), () -> hooks.add("b"));
    exports.stopForJob(a.getId());
    exports.close();
    assertThat(hooks).isEmpty();
  }

  @Test
  void restoringOnATakenAddressIsAlreadyExistsAndClosesTheDevice() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      assertInvalid(() -> exports.restoreForJob("nbd-x", "job-x", file("x.raw"),
          NbdAddress.newBuilder().setTcp("127.0.0.1:" + taken.getLocalPort()).build(), ""),
          Reason.ALREADY_EXISTS, "127.0.0.1:" + taken.getLocalPort());
    }
    assertThat(closed).containsExactly("x.raw");
    assertThat(exports.list()).isEmpty();
  }

  @Test
  void startsListsAndStopsUnixAndTcpExports() throws Exception {
    NbdExportInfo u = exports.start(unix("vol.sock"));
    NbdExportInfo t = exports.start(tcp("127.0.0.1:0").toBuilder().setReadOnly(true)
        .setExportName("vol").build());
    Path sock = dir.resolve("nbd/vol.sock");
    assertThat(sock).exists();
    assertThat(u.getUri()).isEqualTo("nbd+unix:///ferry?socket=" + sock.toAbsolutePath());
    assertThat(u.getSocketPath()).isEqualTo(sock.toAbsolutePath().toString());
    assertThat(t.getUri()).matches("nbd://127\\.0\\.0\\.1:[1-9][0-9]*/vol");
    assertThat(t.getAddress().getTcp()).doesNotEndWith(":0");
    assertThat(t.getReadOnly()).isTrue();
    assertThat(exports.list()).extracting(NbdExportInfo::getId)
        .containsExactly(u.getId(), t.getId());
    exports.stop(u.getId());
    assertThat(sock).doesNotExist();
    assertThat(exports.list()).extracting(NbdExportInfo::getId).containsExactly(t.getId());
    assertInvalid(() -> exports.stop(u.getId()), Reason.NOT_FOUND, "export_id");
  }

  @Test
  void badAddressesAreInvalidArgumentNamingTheField() {
    assertInvalid(() -> exports.start(unix("../x")), Reason.INVALID_ARGUMENT,
        "address.unix_socket");
    assertInvalid(() -> exports.start(unix("a/b")), Reason.INVALID_ARGUMENT,
        "address.unix_socket");
    assertInvalid(() -> exports.start(unix("x".repeat(65))), Reason.INVALID_ARGUMENT,
        "address.unix_socket");
    assertInvalid(() -> exports.start(tcp("192.0.2.1:10809")), Reason.INVALID_ARGUMENT,
        "address.tcp");
    assertInvalid(() -> exports.start(tcp("127.0.0.1")), Reason.INVALID_ARGUMENT,
        "address.tcp");
    assertInvalid(() -> exports.start(unix("a").toBuilder().setAddress(
        NbdAddress.newBuilder().setUnixSocket("a").setTcp("127.0.0.1:0")).build()),
        Reason.INVALID_ARGUMENT, "address");
    assertInvalid(() -> exports.start(StartExportRequest.newBuilder()
        .setEndpoint(file("v")).build()), Reason.INVALID_ARGUMENT, "address");
    assertInvalid(() -> exports.start(StartExportRequest.newBuilder()
        .setAddress(NbdAddress.newBuilder().setUnixSocket("a")).build()),
        Reason.INVALID_ARGUMENT, "endpoint");
    assertInvalid(() -> exports.start(unix("a").toBuilder().setExportName("a b").build()),
        Reason.INVALID_ARGUMENT, "export_name");
    assertThat(opened).as("nothing opened for a refused request").isEmpty();
  }

  @Test
  void aBusySocketIsAlreadyExistsAndAStaleOneIsReplaced() throws Exception {
    NbdExportInfo first = exports.start(unix("vol.sock"));
    assertInvalid(() -> exports.start(unix("vol.sock")), Reason.ALREADY_EXISTS, first.getId());
    Files.createDirectories(dir.resolve("nbd"));
    Path foreign = dir.resolve("nbd/other.sock");
    try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      listener.bind(UnixDomainSocketAddress.of(foreign));
      assertInvalid(() -> exports.start(unix("other.sock")), Reason.ALREADY_EXISTS,
          "something listens");
    }
    // the listener closed without removing its file: a stale socket, replaced
    assertThat(foreign).exists();
    NbdExportInfo again = exports.start(unix("other.sock"));
    assertThat(again.getSocketPath()).isEqualTo(foreign.toAbsolutePath().toString());
    Files.writeString(dir.resolve("nbd/plain"), "x");
    assertInvalid(() -> exports.start(unix("plain")), Reason.ALREADY_EXISTS, "not a socket");
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      assertInvalid(() -> exports.start(tcp("127.0.0.1:" + taken.getLocalPort())),
          Reason.ALREADY_EXISTS, "in use");
    }
  }

  @Test
  void aJobsExportCannotBeStoppedUntilUnpinned() throws Exception {
    MemoryDevice d = new MemoryDevice("dst", 1 << 20);
    NbdExportInfo e = exports.startForJob("job-1", file("out.raw"), d,
        NbdAddress.newBuilder().setUnixSocket("job.sock").build(), "");
    assertThat(e.getJobId()).isEqualTo("job-1");
    assertInvalid(() -> exports.stop(e.getId()), Reason.FAILED_PRECONDITION, "job-1");
    exports.unpin(e.getId());
    exports.stop(e.getId());
    assertThat(exports.list()).isEmpty();
  }

  @Test
  void closeStopsEveryExportAndRefusesNewOnes() throws Exception {
    exports.start(unix("a.sock"));
    exports.start(unix("b.sock"));
    exports.close();
    assertThat(exports.list()).isEmpty();
    assertThat(dir.resolve("nbd/a.sock")).doesNotExist();
    assertThat(dir.resolve("nbd/b.sock")).doesNotExist();
    assertInvalid(() -> exports.start(unix("c.sock")), Reason.UNAVAILABLE, "stopping");
  }

  private static void assertInvalid(ThrowingCallable call, Reason reason, String text) {
    assertThatThrownBy(call).isInstanceOfSatisfying(FerryException.class, e -> {
      assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason);
      assertThat(e.getMessage()).contains(text);
    });
  }
}
