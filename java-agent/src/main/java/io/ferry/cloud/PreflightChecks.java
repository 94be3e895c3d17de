package io.ferry.cloud;

import io.ferry.cloud.CheckResult.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The checks before a move, as pure functions of {@link PreflightFacts}. One method per
 * precondition; each says why it passed or failed and what to do.
 *
 * <p>What cannot be checked through the APIs: that Nova's compute nodes run the
 * {@code ferry_nova} driver and Cinder's backends the {@code ferry_cinder} driver, that Cinder's
 * {@code [nova]} section has credentials allowed to call swap-volume (policy
 * {@code os_compute_api:os-volumes-attachments:swap}), and the libvirt/QEMU versions on the
 * compute host. The "nova-swap" check says so in its reason.
 */
public final class PreflightChecks {

  private PreflightChecks() {}

  public static List<CheckResult> run(PreflightFacts f) {
    AttachmentState att = AttachmentState.of(f.volume(), f.attachments());
    List<Pool> dest = DestinationPools.resolve(f.target(), f.targetType(), f.pools());
    List<CheckResult> out = new ArrayList<>();
    out.add(volumeState(f));
    out.add(attachments(att));
    out.add(instanceState(f, att));
    out.add(destinationBackend(f, dest));
    out.add(capacity(f, dest));
    out.add(multiattach(f));
    out.add(encryption(f, att));
    out.add(snapshots(f, dest));
    out.add(novaSwap(f, att));
    return out;
  }

  public static boolean anyFailed(List<CheckResult> results) {
    return results.stream().anyMatch(r -> r.verdict() == Verdict.FAIL);
  }

  static CheckResult volumeState(PreflightFacts f) {
    Volume v = f.volume();
    if (v.migrationInProgress()) {
      return CheckResult.fail("volume-state", "a migration is under way (migration_status "
          + v.migrationStatus() + ")", "wait for it, or run 'ferry repair' if it is stuck");
    }
    if (!Set.of("available", "in-use").contains(v.status())) {
      return CheckResult.fail("volume-state", "status is " + v.status()
          + "; Cinder moves only available or in-use volumes",
          "wait for the running operation, or run 'ferry repair' if it is stuck");
    }
    if (f.target().kind() == MoveTarget.Kind.HOST && f.target().matchesPool(v.host())) {
      return CheckResult.fail("volume-state", "already on " + v.host(),
          "choose another destination");
    }
    return CheckResult.pass("volume-state", "status " + v.status() + ", on " + v.host());
  }

  static CheckResult attachments(AttachmentState att) {
    if (att.instances().size() > 1) {
      return CheckResult.fail("attachments", "attached to " + att.instances().size()
          + " instances " + att.instances() + "; a live move follows one guest only",
          "detach it from all but one instance first");
    }
    if (!att.transitional().isEmpty()) {
      Attachment a = att.transitional().get(0);
      return CheckResult.fail("attachments", "attachment " + a.id() + " is " + a.status(),
          "wait for the attach/detach to finish, or run 'ferry repair' if it is stuck");
    }
    return CheckResult.pass("attachments", att.attached()
        ? "attached to instance " + att.instance() : "not attached");
  }

  static CheckResult instanceState(PreflightFacts f, AttachmentState att) {
    if (!att.attached()) {
      return CheckResult.pass("instance-state", "not attached: the Ferry driver copies it");
    }
    Server s = f.servers().get(att.instance());
    if (s == null) {
      return CheckResult.fail("instance-state", "instance " + att.instance()
          + " is not visible in Nova", "check the instance exists and that you are admin");
    }
    if ("ACTIVE".equals(s.status()) || "PAUSED".equals(s.status())) {
      return CheckResult.pass("instance-state", "instance " + s.id() + " is " + s.status());
    }
    return CheckResult.fail("instance-state", "instance " + s.id() + " is " + s.status()
        + "; swap-volume needs it ACTIVE or PAUSED", "start (or unpause) the instance first");
  }

  static CheckResult destinationBackend(PreflightFacts f, List<Pool> dest) {
    if (f.target().kind() == MoveTarget.Kind.TYPE && f.targetType().isEmpty()) {
      return CheckResult.fail("destination-backend", "volume type '" + f.target().value()
          + "' does not exist", "create it or pick one from 'cinder type-list'");
    }
    if (dest.isEmpty()) {
      return CheckResult.fail("destination-backend", "no pool of the scheduler matches "
          + f.target(), "check 'cinder get-pools' and the type's volume_backend_name");
    }
    Optional<CheckResult> pinned = pinnedElsewhere(f, dest);
    if (pinned.isPresent()) {
      return pinned.get();
    }
    List<String> usable = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (Pool p : dest) {
      Optional<ServiceStatus> svc = f.volumeServices().stream()
          .filter(s -> s.host().equals(p.backend())).findFirst();
      if (svc.isEmpty()) {
        problems.add(p.name() + ": no cinder-volume service");
      } else if (!svc.get().usable() || "down".equals(p.backendState())) {
        ServiceStatus s = svc.get();
        problems.add(p.name() + ": service " + s.status() + "/" + s.state()
            + (s.backendState() != null ? ", backend " + s.backendState() : "")
            + (p.backendState() != null ? ", pool backend " + p.backendState() : ""));
      } else {
        usable.add(p.name());
      }
    }
    if (usable.isEmpty()) {
      return CheckResult.fail("destination-backend", String.join("; ", problems),
          "start or enable the destination's cinder-volume service ('cinder service-list')");
    }
    return CheckResult.pass("destination-backend", "up: " + String.join(", ", usable));
  }

  /**
   * A migrate keeps the volume's type, and Cinder's scheduler refuses a pool its
   * volume_backend_name does not admit ("Cannot place volume ... NoValidBackend", seen on Zed):
   * say so before the move instead of letting it end in migration_status error.
   */
  private static Optional<CheckResult> pinnedElsewhere(PreflightFacts f, List<Pool> dest) {
    if (f.target().kind() != MoveTarget.Kind.HOST || f.volumeOwnType().isEmpty()
        || f.volumeOwnType().get().backendName() == null) {
      return Optional.empty();
    }
    VolumeType t = f.volumeOwnType().get();
    for (Pool p : dest) {
      Optional<Boolean> ok = BackendNameSpec.admits(t.backendName(), p.volumeBackendName());
      if (ok.isEmpty() || ok.get()) { // a spec Ferry cannot read is left to the scheduler
        return Optional.empty();
      }
    }
    return Optional.of(CheckResult.fail("destination-backend", "the volume's type '"
        + t.name() + "' has volume_backend_name '" + t.backendName() + "', which "
        + f.target().value() + " does not match: Cinder's scheduler refuses the migrate",
        "move it with --to <a type of that backend> (retype), or give the volume a type"
            + " that admits both backends"));
  }

  static CheckResult capacity(PreflightFacts f, List<Pool> dest) {
    long size = f.volume().sizeGb();
    double best = dest.stream().mapToDouble(Pool::freeCapacityGb).max().orElse(0);
    if (dest.isEmpty()) {
      return CheckResult.fail("destination-capacity", "no destination pool", "see above");
    }
    if (best < 0) {
      return CheckResult.warn("destination-capacity", "the backend reports its free space as"
          + " infinite or unknown", "check the pool's free space with 'ceph df'");
    }
    if (best < size) {
      return CheckResult.fail("destination-capacity", String.format(
          "%.1f GiB free at most, the volume needs %d GiB", best, size),
          "free space in the destination pool or choose another one");
    }
    return CheckResult.pass("destination-capacity",
        String.format("%.1f GiB free >= %d GiB", best, size));
  }

  static CheckResult multiattach(PreflightFacts f) {
    if (f.volume().multiattach()) {
      return CheckResult.fail("multiattach", "the volume is multiattach; Nova cannot swap a"
          + " multiattach volume", "move it while detached, or retype it to a non-multiattach"
          + " type while available");
    }
    return CheckResult.pass("multiattach", "not multiattach");
  }

  static CheckResult encryption(PreflightFacts f, AttachmentState att) {
    Optional<Encryption> e = f.encryption();
    if (e.isEmpty()) {
      return f.volume().encrypted()
          ? CheckResult.warn("encryption", "encrypted, but its type's spec is not visible",
              "check the type's encryption provider ('cinder encryption-type-list')")
          : CheckResult.pass("encryption", "not encrypted");
    }
    if (e.get().nativeLuks() && att.attached()) {
      return CheckResult.fail("encryption", "encrypted with native LUKS (provider "
          + e.get().provider() + "); Nova's libvirt driver cannot swap such a disk",
          "detach the volume and move it detached (its ciphertext is copied as is)");
    }
    return CheckResult.pass("encryption", "encrypted (" + e.get().provider()
        + "); the ciphertext is copied as is");
  }

  static CheckResult snapshots(PreflightFacts f, List<Pool> dest) {
    int n = f.snapshots().size();
    if (n == 0) {
      return CheckResult.pass("snapshots", "no snapshots");
    }
    boolean sameBackend = !dest.isEmpty() && dest.stream()
        .allMatch(p -> p.backend().equals(f.volume().backend()));
    if (f.target().kind() == MoveTarget.Kind.TYPE && sameBackend) {
      return CheckResult.warn("snapshots", n + " snapshot(s); a retype on the same backend may"
          + " not need a migration, but one that does is refused",
          "if the retype fails, remove or keep the snapshots elsewhere first");
    }
    return CheckResult.fail("snapshots", n + " snapshot(s); Cinder refuses to migrate a volume"
        + " with snapshots", "delete the snapshots you do not need, or back them up, then"
        + " retry (Ferry deletes nothing itself)");
  }

  static CheckResult novaSwap(PreflightFacts f, AttachmentState att) {
    if (!att.attached()) {
      return CheckResult.pass("nova-swap", "not attached: no swap-volume needed");
    }
    Server s = f.servers().get(att.instance());
    if (s == null || s.computeHost() == null) {
      return CheckResult.warn("nova-swap", "the instance's compute host is not visible",
          "run as admin to see OS-EXT-SRV-ATTR:host");
    }
    List<ServiceStatus> svcs = f.computeServices().getOrDefault(s.computeHost(), List.of());
    Optional<ServiceStatus> up = svcs.stream().filter(ServiceStatus::usable).findFirst();
    if (up.isEmpty()) {
      return CheckResult.fail("nova-swap", "nova-compute on " + s.computeHost()
          + (svcs.isEmpty() ? " is not registered" : " is " + svcs.get(0).status() + "/"
              + svcs.get(0).state()), "start or enable nova-compute on that host");
    }
    return CheckResult.pass("nova-swap", "nova-compute on " + s.computeHost() + " is up"
        + " (not checkable through the API: its compute_driver is ferry_nova, and Cinder's"
        + " [nova] credentials may call swap-volume)");
  }
}
