package io.ferry.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import io.ferry.proto.v1.FileImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileRootsTest {

  @TempDir Path tmp;
  Path root;
  Path outside;
  FileRoots roots;

  @BeforeEach
  void setUp() throws IOException {
    root = Files.createDirectories(tmp.resolve("pool"));
    outside = Files.createDirectories(tmp.resolve("elsewhere"));
    Files.writeString(outside.resolve("secret.img"), "x");
    Files.createDirectories(root.resolve("sub"));
    roots = new FileRoots(Map.of("default", root, "other", outside));
  }

  private static FileImage file(String root, String path) {
    return FileImage.newBuilder().setRoot(root).setPath(path).build();
  }

  private void assertRefused(FileImage f, String message) {
    assertThatThrownBy(() -> roots.resolve(f, "destination"))
        .isInstanceOf(FerryException.class)
        .satisfies(e -> assertThat(((FerryException) e).reason()).isEqualTo(Reason.INVALID_ARGUMENT))
        .hasMessageStartingWith("destination.file.")
        .hasMessageContaining(message);
  }

  @Test
  void relativePathResolvesUnderRoot() throws IOException {
    assertThat(roots.resolve(file("", "sub/a.img"), "source"))
        .isEqualTo(root.toRealPath().resolve("sub/a.img"));
    assertThat(roots.resolve(file("default", "./sub//a.img"), "source"))
        .isEqualTo(root.toRealPath().resolve("sub/a.img"));
  }

  @Test
  void dotDotIsRefused() {
    assertRefused(file("", "../elsewhere/secret.img"), "'..'");
    assertRefused(file("", "sub/../../elsewhere/secret.img"), "'..'");
    assertRefused(file("", "sub/.."), "'..'");
  }

  @Test
  void absolutePathIsRefused() {
    assertRefused(file("", outside.resolve("secret.img").toString()), "not absolute");
  }

  @Test
  void symlinkedFilePointingOutIsRefused() throws IOException {
    Files.createSymbolicLink(root.resolve("link.img"), outside.resolve("secret.img"));
    assertRefused(file("", "link.img"), "escapes root 'default'");
  }

  @Test
  void danglingSymlinkPointingOutIsRefused() throws IOException {
    Files.createSymbolicLink(root.resolve("new.img"), outside.resolve("not-yet.img"));
    assertRefused(file("", "new.img"), "escapes root 'default'");
  }

  @Test
  void symlinkedDirectoryPointingOutIsRefused() throws IOException {
    Files.createSymbolicLink(root.resolve("dir"), outside);
    assertRefused(file("", "dir/secret.img"), "escapes root 'default'");
  }

  @Test
  void symlinkInsideRootIsFollowed() throws IOException {
    Files.writeString(root.resolve("sub/real.img"), "y");
    Files.createSymbolicLink(root.resolve("alias.img"), root.resolve("sub/real.img"));
    assertThat(roots.resolve(file("", "alias.img"), "source"))
        .isEqualTo(root.toRealPath().resolve("sub/real.img"));
  }

  @Test
  void unknownRootEmptyPathAndRootItselfAreRefused() {
    assertThatThrownBy(() -> roots.resolve(file("nope", "a.img"), "source"))
        .hasMessageStartingWith("source.file.root: unknown root 'nope'");
    assertRefused(file("", ""), "is empty");
    assertRefused(file("", "."), "root 'default' itself");
  }

  @Test
  void missingDirectoryIsNotFound() {
    assertThatThrownBy(() -> roots.resolve(file("", "nodir/a.img"), "destination"))
        .satisfies(e -> assertThat(((FerryException) e).reason()).isEqualTo(Reason.NOT_FOUND))
        .hasMessageContaining("destination.file.path");
  }
}
