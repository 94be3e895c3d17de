package io.ferry.cloud;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * An evacuation's plan and progress, as saved in its JSON state file:
 * {@code {"version":1,"from":"host@backend#pool","to":"...","toKind":"HOST|TYPE",
 * "createdAt":"...","moves":[PlannedMove...]}}. Rerunning with the same file resumes it.
 */
public final class EvacuationState {

  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT);

  /** The file's shape. */
  public record Doc(int version, String from, String to, String toKind, String createdAt,
      List<PlannedMove> moves) {}

  private final String from;
  private final MoveTarget target;
  private final String createdAt;
  private final List<PlannedMove> moves;

  public EvacuationState(String from, MoveTarget target, String createdAt,
      List<PlannedMove> moves) {
    this.from = from;
    this.target = target;
    this.createdAt = createdAt;
    this.moves = new ArrayList<>(moves);
  }

  public String from() {
    return from;
  }

  public MoveTarget target() {
    return target;
  }

  public synchronized List<PlannedMove> moves() {
    return List.copyOf(moves);
  }

  public synchronized void update(String volumeId, UnaryOperator<PlannedMove> change) {
    moves.replaceAll(m -> m.volumeId().equals(volumeId) ? change.apply(m) : m);
  }

  public synchronized void save(Path file) {
    try {
      StateFile.write(file, JSON.writeValueAsBytes(new Doc(1, from, target.value(),
          target.kind().name(), createdAt, moves)));
    } catch (IOException e) {
      throw new FerryException(Reason.INTERNAL, "cannot encode the evacuation state", e);
    }
  }

  public static EvacuationState load(Path file) {
    try {
      Doc d = JSON.readValue(Files.readAllBytes(file), Doc.class);
      if (d.version() != 1) {
        throw FerryException.invalid("--state " + file, "version " + d.version()
            + " is not known to this ferry");
      }
      return new EvacuationState(d.from(), new MoveTarget(MoveTarget.Kind.valueOf(d.toKind()),
          d.to()), d.createdAt(), d.moves());
    } catch (IOException e) {
      throw new FerryException(Reason.INVALID_ARGUMENT, "--state " + file + " cannot be read ("
          + e.getClass().getSimpleName() + "): give another file or fix this one");
    }
  }
}
