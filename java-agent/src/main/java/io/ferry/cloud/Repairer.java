package io.ferry.cloud;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds stuck volumes (two reads {@code observe} apart, the agents' jobs) and applies the
 * {@link RepairPlanner}'s actions when asked.
 */
public final class Repairer {

  private static final Logger LOG = LoggerFactory.getLogger(Repairer.class);

  private final CloudApi cloud;
  private final AgentJobs agents;
  private final Sleeper sleeper;

  public Repairer(CloudApi cloud, AgentJobs agents, Sleeper sleeper) {
    this.cloud = cloud;
    this.agents = agents;
    this.sleeper = sleeper;
  }

  /** Plans for every volume in a transitional state (optionally only {@code onlyIds}). */
  public List<RepairPlan> scan(Duration observe, Duration minAge, List<String> onlyIds) {
    List<Volume> first = cloud.volumes().stream()
        .filter(v -> onlyIds.isEmpty() || onlyIds.contains(v.id()))
        .filter(RepairPlanner::candidate).toList();
    if (first.isEmpty()) {
      return List.of();
    }
    sleeper.sleep(observe);
    Map<String, Volume> second = cloud.volumes().stream()
        .collect(Collectors.toMap(Volume::id, Function.identity()));
    List<RepairPlan> plans = new ArrayList<>();
    for (Volume v : first) {
      Volume now = second.get(v.id());
      if (now == null) {
        continue; // gone meanwhile: nothing to repair
      }
      List<Attachment> records = cloud.attachments(v.id());
      plans.add(RepairPlanner.decide(new RepairPlanner.Observation(v, now, records,
          novaHasIt(v.id(), records), agents.jobsFor(v.id(), instances(now, records)),
          agents.available(), java.time.Instant.now(), minAge)));
    }
    return plans;
  }

  /** Applies the actions of stuck volumes' plans; returns what was done, one line each. */
  public List<String> apply(List<RepairPlan> plans) {
    List<String> done = new ArrayList<>();
    for (RepairPlan p : plans) {
      if (!p.stuck()) {
        continue;
      }
      for (RepairAction a : p.actions()) {
        LOG.info("repair: {}", a.describe());
        a.apply(cloud);
        done.add(a.describe());
      }
    }
    return done;
  }

  private static java.util.Set<String> instances(Volume v, List<Attachment> records) {
    java.util.Set<String> out = new java.util.TreeSet<>();
    v.attachments().stream().map(Volume.Attached::serverId).filter(Objects::nonNull)
        .forEach(out::add);
    records.stream().map(Attachment::instance).filter(Objects::nonNull).forEach(out::add);
    return out;
  }

  private boolean novaHasIt(String volumeId, List<Attachment> records) {
    for (Attachment a : records) {
      if (a.instance() == null) {
        continue;
      }
      try {
        if (cloud.serverVolumes(a.instance()).stream()
            .anyMatch(sv -> volumeId.equals(sv.volumeId()))) {
          return true;
        }
      } catch (io.ferry.error.FerryException e) {
        LOG.debug("server {} not readable: {}", a.instance(), e.getMessage());
      }
    }
    return false;
  }
}
