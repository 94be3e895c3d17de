package io.ferry.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import io.ferry.proto.v1.CopyOptions;
import io.ferry.proto.v1.Endpoint;
import io.ferry.proto.v1.FileImage;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileDestinationTest {

  @TempDir Path root;
  DefaultEndpointResolver resolver;
  final CopyOptions create = CopyOptions.newBuilder().setCreateDestination(true).build();

  @BeforeEach
  void setUp() {
    resolver = new DefaultEndpointResolver(Map.of("default", root), RawFileCodec.registry());
  }

  private static Endpoint file(String path) {
    return Endpoint.newBuilder().setFile(FileImage.newBuilder().setPath(path)).build();
  }

  @Test
  void createdDestinationIsHiddenUntilCommitAndCommitIsIdempotent() throws Exception {
    try (Destination d = resolver.create(file("v.img"), 1 << 20, create)) {
      assertThat(d.created()).isTrue();
      d.device().write(0, ByteBuffer.wrap("hello".getBytes()));
      assertThat(root.resolve("v.img")).doesNotExist();
      assertThat(root.resolve(".v.img.ferry-part")).exists();
      d.commit();
      d.commit();
    }
    assertThat(root.resolve("v.img")).hasSize(1 << 20);
    assertThat(root.resolve(".v.img.ferry-part")).doesNotExist();
    // A job resumed in COMMITTING reopens the committed file and commits again.
    try (Destination again = resolver.reopen(file("v.img"), create)) {
      again.commit();
    }
    assertThat(new String(Files.readAllBytes(root.resolve("v.img")), 0, 5)).isEqualTo("hello");
  }

  @Test
  void abandonRemovesOnlyThePartFile() throws Exception {
    Files.writeString(root.resolve("keep.txt"), "x");
    Destination d = resolver.create(file("v.img"), 1 << 20, create);
    d.abandon();
    d.abandon();
    assertThat(root.resolve(".v.img.ferry-part")).doesNotExist();
    assertThat(root.resolve("keep.txt")).exists();
    assertThatThrownBy(() -> resolver.reopen(file("v.img"), create))
        .satisfies(e -> assertThat(((FerryException) e).reason()).isEqualTo(Reason.NOT_FOUND));
  }

  @Test
  void existingDestinationIsNeverRemoved() throws Exception {
    Files.write(root.resolve("old.img"), new byte[1 << 20]);
    Destination d = resolver.existing(file("old.img"), 1 << 19);
    assertThat(d.created()).isFalse();
    d.abandon();
    assertThat(root.resolve("old.img")).hasSize(1 << 20);
    assertThatThrownBy(() -> resolver.existing(file("old.img"), 2 << 20))
        .satisfies(e -> assertThat(((FerryException) e).reason())
            .isEqualTo(Reason.FAILED_PRECONDITION));
  }

  @Test
  void createRefusesExistingFinalName() throws Exception {
    Files.write(root.resolve("there.img"), new byte[16]);
    assertThatThrownBy(() -> resolver.create(file("there.img"), 1 << 20, create))
        .satisfies(e -> assertThat(((FerryException) e).reason()).isEqualTo(Reason.ALREADY_EXISTS))
        .hasMessageStartingWith("destination.file.path");
  }
}
