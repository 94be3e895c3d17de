package io.ferry.cloud;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Decides, as a pure function, whether a volume is stuck and how to restore a consistent
 * state. A volume is stuck when it is in a transitional state (retyping, detaching, attaching,
 * maintenance, or a migration status under way), no Ferry job on the agents is live for it,
 * nothing changed between two reads some time apart, and Cinder last updated it longer ago
 * than a minimum age (a generic migration by Cinder itself shows no progress anywhere in the
 * API while it copies: only its age tells it from a stuck one).
 *
 * <p>The status to restore is decided from the attachments (DESIGN rule 2): in-use when Cinder
 * holds an attached attachment or Nova lists the volume on one of its attachment's instances,
 * available otherwise. A stuck migration gets migration_status "error" (what Cinder itself
 * records when a migration fails, and what lets a new one start).
 */
public final class RepairPlanner {

  static final Set<String> TRANSITIONAL =
      Set.of("retyping", "detaching", "attaching", "maintenance", "migrating", "reserved");

  private RepairPlanner() {}

  /** The input of one decision. */
  public record Observation(Volume first, Volume second, List<Attachment> records,
      boolean novaHasIt, List<AgentJobs.AgentJob> jobs, boolean agentsAsked,
      java.time.Instant now, java.time.Duration minAge) {}

  public static boolean candidate(Volume v) {
    return TRANSITIONAL.contains(v.status()) || v.migrationInProgress()
        || (v.migrationStatus() != null && v.migrationStatus().startsWith("target:"));
  }

  public static RepairPlan decide(Observation o) {
    Volume v = o.second();
    String state = "status " + v.status() + ", migration_status " + v.migrationStatus();
    if (v.migrationStatus() != null && v.migrationStatus().startsWith("target:")) {
      return new RepairPlan(v.id(), false, state + ": the temporary destination of a"
          + " generic migration", List.of(), "left alone; once its source volume is"
          + " consistent, check it holds nothing you need and delete it yourself");
    }
    var live = o.jobs().stream().filter(j -> !j.terminal()).findFirst();
    if (live.isPresent()) {
      return new RepairPlan(v.id(), false, state + ": Ferry job " + live.get().id() + " is "
          + live.get().state(), List.of(), "");
    }
    if (changed(o.first(), v)) {
      return new RepairPlan(v.id(), false, state + ": still changing (was status "
          + o.first().status() + ", migration_status " + o.first().migrationStatus() + ")",
          List.of(), "");
    }
    java.time.Duration age = age(v.updatedAt(), o.now());
    if (age.compareTo(o.minAge()) < 0) {
      return new RepairPlan(v.id(), false, state + ": updated " + age.toSeconds()
          + "s ago, less than --min-age " + o.minAge().toSeconds() + "s", List.of(), "");
    }
    boolean attached = !v.attachments().isEmpty() || o.novaHasIt()
        || o.records().stream().anyMatch(a -> "attached".equals(a.status()));
    List<RepairAction> actions = actions(v, attached, o.records());
    String finding = state + ": no live job, no progress; attached " + attached
        + (o.agentsAsked() ? "" : " (agents not asked)");
    String advice = String.join("; ", java.util.stream.Stream.of(advice(o.records()),
        adoptedByNobody(o.jobs(), v.updatedAt())).filter(a -> !a.isEmpty()).toList());
    return new RepairPlan(v.id(), true, finding, actions, advice);
  }

  /**
   * A copy the stuck move's agent job completed after Cinder last touched the volume: Cinder
   * never took it (the move was cut off, e.g. cinder-volume restarted while it waited), so it
   * is a second copy of the data that nothing refers to. Named, never deleted here: a clock
   * skew between agent and Cinder could make an older job look new.
   */
  static String adoptedByNobody(List<AgentJobs.AgentJob> jobs, String updatedAt) {
    java.util.Optional<java.time.Instant> since = instant(updatedAt);
    if (since.isEmpty()) {
      return "";
    }
    List<String> copies = jobs.stream()
        .filter(j -> "COMPLETED".equals(j.state()) && !j.destination().isEmpty())
        .filter(j -> j.created() != null && j.created().isAfter(since.get()))
        .map(j -> j.destination() + " (Ferry job " + j.id() + ")").toList();
    return copies.isEmpty() ? "" : "the cut-off move left a completed copy nothing refers"
        + " to: " + copies + "; once this volume is consistent, check it is not the volume's"
        + " image and delete it (rbd rm) before moving the volume there again";
  }

  private static List<RepairAction> actions(Volume v, boolean attached,
      List<Attachment> records) {
    List<RepairAction> out = new ArrayList<>();
    String consistent = attached ? "in-use" : "available";
    boolean migration = v.migrationInProgress();
    if ("detaching".equals(v.status()) && (attached || !records.isEmpty())) {
      out.add(RepairAction.rollDetaching(v.id()));
      if (migration) {
        out.add(RepairAction.reset(v.id(), null, "error"));
      }
      return out;
    }
    boolean wrongStatus = TRANSITIONAL.contains(v.status())
        || !consistent.equals(v.status()) && migration;
    if (wrongStatus || migration) {
      out.add(RepairAction.reset(v.id(), wrongStatus ? consistent : null,
          migration ? "error" : null));
    }
    return out;
  }

  private static String advice(List<Attachment> records) {
    List<String> loose = records.stream()
        .filter(a -> !"attached".equals(a.status()) && !"detached".equals(a.status()))
        .map(a -> a.id() + " (" + a.status() + ", instance " + a.instance() + ")").toList();
    return loose.isEmpty() ? "" : "attachment records left as they are: " + loose
        + "; compare with 'nova volume-attachments' and remove stale ones yourself";
  }

  /** Cinder's timestamps are UTC without a zone ("2026-11-22T04:00:00.000000"). */
  static java.time.Duration age(String updatedAt, java.time.Instant now) {
    return instant(updatedAt).map(t -> java.time.Duration.between(t, now))
        .orElse(java.time.Duration.ofDays(3650));
  }

  static java.util.Optional<java.time.Instant> instant(String updatedAt) {
    if (updatedAt == null) {
      return java.util.Optional.empty();
    }
    try {
      return java.util.Optional.of(updatedAt.endsWith("Z") || updatedAt.contains("+")
          ? java.time.OffsetDateTime.parse(updatedAt).toInstant()
          : java.time.LocalDateTime.parse(updatedAt).toInstant(java.time.ZoneOffset.UTC));
    } catch (java.time.format.DateTimeParseException e) {
      return java.util.Optional.empty();
    }
  }

  private static boolean changed(Volume a, Volume b) {
    return !Objects.equals(a.status(), b.status())
        || !Objects.equals(a.migrationStatus(), b.migrationStatus())
        || !Objects.equals(a.updatedAt(), b.updatedAt())
        || !Objects.equals(a.host(), b.host());
  }
}
