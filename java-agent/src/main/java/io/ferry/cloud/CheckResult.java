package io.ferry.cloud;

/**
 * The verdict of one pre-flight check, with the reason and, when it is not a pass, what the
 * operator can do about it.
 */
public record CheckResult(String name, Verdict verdict, String reason, String action) {

  public enum Verdict { PASS, WARN, FAIL }

  static CheckResult pass(String name, String reason) {
    return new CheckResult(name, Verdict.PASS, reason, "");
  }

  static CheckResult warn(String name, String reason, String action) {
    return new CheckResult(name, Verdict.WARN, reason, action);
  }

  static CheckResult fail(String name, String reason, String action) {
    return new CheckResult(name, Verdict.FAIL, reason, action);
  }

  /** One line per check, then the action indented under it. */
  public String render() {
    String line = String.format("%-4s %-22s %s", verdict, name, reason);
    return action == null || action.isEmpty() ? line : line + "\n     -> " + action;
  }
}
