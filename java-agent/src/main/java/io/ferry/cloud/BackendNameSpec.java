package io.ferry.cloud;

import java.util.Arrays;
import java.util.Optional;

/**
 * Whether a volume type's {@code volume_backend_name} extra spec admits a pool, as Cinder's
 * CapabilitiesFilter decides it (cinder/scheduler/filters/extra_specs_ops.py): a plain value
 * must be equal; {@code <in> X} is a substring test, {@code <or> A <or> B} one of, {@code s==}
 * and {@code s!=} string (in)equality. Cinder's scheduler applies the volume's own type to
 * os-migrate_volume too, so a type pinned to one backend cannot be migrated to another.
 */
final class BackendNameSpec {

  private BackendNameSpec() {}

  /** Empty when the spec uses an operator this class does not know. */
  static Optional<Boolean> admits(String spec, String backendName) {
    String s = spec.strip();
    String value = backendName == null ? "" : backendName;
    String[] words = s.split("\\s+", 2);
    String rest = words.length > 1 ? words[1].strip() : "";
    return switch (words[0]) {
      case "<in>" -> Optional.of(value.contains(rest));
      case "<or>" -> Optional.of(Arrays.stream(s.split("<or>")).map(String::strip)
          .anyMatch(value::equals));
      case "s==", "==" -> Optional.of(value.equals(rest));
      case "s!=", "!=" -> Optional.of(!value.equals(rest));
      default -> s.startsWith("<") || s.startsWith("s<") || s.startsWith("s>")
          || s.startsWith(">") || s.startsWith("=") ? Optional.empty()
          : Optional.of(value.equals(s));
    };
  }
}
