package io.ferry.cloud;

import io.ferry.cloud.PlannedMove.State;
import io.ferry.error.FerryException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an evacuation plan within its limits, one polling loop on one thread: poll the moves
 * under way, then start pending ones while the limits allow. The state is saved after every
 * change, so an interrupted run resumes: moves recorded as started are asked of Cinder again
 * (done, failed, still under way, or never really started and so pending again).
 */
public final class EvacuationRunner {

  private static final Logger LOG = LoggerFactory.getLogger(EvacuationRunner.class);
  private static final int IDLE_POLLS_BEFORE_FAILED = 3;
  private static final int MAX_ATTEMPTS = 2;

  private final CloudApi cloud;
  private final VolumeMigrator migrator;
  private final EvacuationLimits limits;
  private final Sleeper sleeper;
  private final Clock clock;
  private final Duration poll;
  private final Path stateFile;
  private final Consumer<String> events;
  private final Map<String, Integer> idlePolls = new HashMap<>();
  private AgentJobs agents = AgentJobs.NONE;
  /** The bandwidth each in-flight volume's jobs were last capped at. */
  private final Map<String, Long> capped = new HashMap<>();
  /** Test hook, called after every save (a test throws from it to simulate a crash). */
  private Consumer<EvacuationState> afterSave = s -> { };

  public EvacuationRunner(CloudApi cloud, EvacuationLimits limits, Sleeper sleeper, Clock clock,
      Duration poll, Path stateFile, Consumer<String> events) {
    this.cloud = cloud;
    this.migrator = new VolumeMigrator(cloud, AgentJobs.NONE, sleeper, clock, poll);
    this.limits = limits;
    this.sleeper = sleeper;
    this.clock = clock;
    this.poll = poll;
    this.stateFile = stateFile;
    this.events = events;
  }

  public EvacuationRunner afterSave(Consumer<EvacuationState> hook) {
    this.afterSave = hook;
    return this;
  }

  /**
   * Agents whose jobs share the bandwidth budget: each in-flight volume's jobs are capped at
   * budget / moves under way (SetBandwidth), re-shared whenever that number changes.
   */
  public EvacuationRunner withAgents(AgentJobs agents) {
    this.agents = agents;
    return this;
  }

  public void run(EvacuationState state) {
    save(state);
    resume(state);
    while (true) {
      pollInFlight(state);
      startWhatFits(state);
      if (inFlight(state).isEmpty()) {
        return;
      }
      shareBandwidth(state);
      sleeper.sleep(poll);
    }
  }

  /** Moves recorded as started before an interruption: ask Cinder where they stand. */
  private void resume(EvacuationState state) {
    for (PlannedMove m : inFlight(state)) {
      Volume v = cloud.volume(m.volumeId());
      MoveStatus s = MoveStatus.of(v, state.target());
      if (s == MoveStatus.IDLE) {
        events.accept("resume: " + m.volumeId() + " was not moving in Cinder: pending again");
        change(state, m.volumeId(), x -> x.with(State.PENDING, null, null, "restarted"));
      } else {
        events.accept("resume: " + m.volumeId() + " is " + s + " in Cinder");
        record(state, m, s, v);
      }
    }
  }

  private void pollInFlight(EvacuationState state) {
    for (PlannedMove m : inFlight(state)) {
      Volume v = cloud.volume(m.volumeId());
      MoveStatus s = MoveStatus.of(v, state.target());
      if (s == MoveStatus.IDLE) {
        int n = idlePolls.merge(m.volumeId(), 1, Integer::sum);
        if (n < IDLE_POLLS_BEFORE_FAILED) {
          continue;
        }
      }
      record(state, m, s, v);
    }
  }

  private void record(EvacuationState state, PlannedMove m, MoveStatus s, Volume v) {
    String now = clock.instant().toString();
    switch (s) {
      case DONE -> {
        events.accept("done: " + m.volumeId() + " now on " + v.host());
        change(state, m.volumeId(), x -> x.with(State.DONE, x.startedAt(), now, ""));
      }
      case FAILED, IDLE -> {
        String why = s == MoveStatus.FAILED ? "Cinder migration_status error"
            : "Cinder ended the move without reaching the target (status " + v.status() + ")";
        events.accept("failed: " + m.volumeId() + ": " + why);
        change(state, m.volumeId(), x -> x.with(State.FAILED, x.startedAt(), now, why));
      }
      default -> { }
    }
  }

  private void startWhatFits(EvacuationState state) {
    for (PlannedMove m : state.moves()) {
      if (m.state() != State.PENDING || !fits(state, m)) {
        continue;
      }
      if (m.attempts() >= MAX_ATTEMPTS) {
        change(state, m.volumeId(), x -> x.with(State.FAILED, x.startedAt(), null,
            "gave up after " + x.attempts() + " attempts"));
        continue;
      }
      // Saved before Cinder is called: after a crash here, resume finds it idle and retries.
      change(state, m.volumeId(), x -> x.startedAt(clock.instant().toString()));
      try {
        migrator.start(m.volumeId(), state.target(), VolumeMigrator.Options.DEFAULT);
        events.accept("started: " + m.volumeId() + " (" + m.sizeGb() + " GiB"
            + (m.attached() ? ", attached on " + m.computeHost() : ", detached") + ")");
      } catch (FerryException e) {
        LOG.debug("start of {} refused", m.volumeId(), e);
        events.accept("failed: " + m.volumeId() + ": Cinder refused: " + e.getMessage());
        change(state, m.volumeId(), x -> x.with(State.FAILED, x.startedAt(),
            clock.instant().toString(), "refused: " + e.getMessage()));
      }
    }
  }

  private void shareBandwidth(EvacuationState state) {
    if (limits.bandwidthBytesPerSec() <= 0 || !agents.available()) {
      return;
    }
    List<PlannedMove> running = inFlight(state);
    long share = limits.bandwidthBytesPerSec() / running.size();
    capped.keySet().retainAll(running.stream().map(PlannedMove::volumeId).toList());
    for (PlannedMove m : running) {
      if (capped.getOrDefault(m.volumeId(), -1L) == share) {
        continue;
      }
      try {
        List<String> instances = m.serverId() == null ? List.of() : List.of(m.serverId());
        if (agents.capBandwidth(m.volumeId(), instances, share) > 0) {
          capped.put(m.volumeId(), share); // no job yet: try again next poll
        }
      } catch (FerryException e) {
        events.accept("bandwidth: cannot cap the jobs of " + m.volumeId() + ": "
            + e.getMessage());
        capped.put(m.volumeId(), share); // said once; Cinder's move goes on regardless
      }
    }
  }

  /** Whether starting {@code m} keeps every limit. */
  boolean fits(EvacuationState state, PlannedMove m) {
    List<PlannedMove> running = inFlight(state);
    if (running.size() >= limits.maxParallel()) {
      return false;
    }
    if (limits.bandwidthBytesPerSec() > 0 && !running.isEmpty()) {
      long rate = limits.rateOf(m.attached());
      for (PlannedMove r : running) {
        rate += limits.rateOf(r.attached());
      }
      if (rate > limits.bandwidthBytesPerSec()) {
        return false;
      }
    }
    long samePool = running.stream().filter(r -> r.sourcePool().equals(m.sourcePool())).count();
    if (samePool >= limits.maxPerPool()) {
      return false;
    }
    if (state.target().kind() == MoveTarget.Kind.HOST && running.size() >= limits.maxPerPool()) {
      return false; // every move lands in the same destination pool
    }
    if (m.attached() && m.computeHost() != null) {
      long sameHost = running.stream().filter(r -> m.computeHost().equals(r.computeHost()))
          .count();
      return sameHost < limits.maxPerHost();
    }
    return true;
  }

  private static List<PlannedMove> inFlight(EvacuationState state) {
    return state.moves().stream().filter(m -> m.state() == State.STARTED).toList();
  }

  private void change(EvacuationState state, String volumeId,
      java.util.function.UnaryOperator<PlannedMove> f) {
    state.update(volumeId, f);
    save(state);
  }

  private void save(EvacuationState state) {
    state.save(stateFile);
    afterSave.accept(state);
  }
}
