package io.ferry.virt;

import io.ferry.error.FerryException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The virt layer as the job layer and the server see it: Ferry's own live mirrors (one per
 * domain disk) and the block jobs others started on this host's domains (stock Nova's swap),
 * which Ferry reports, slows or speeds up, and may abort before READY — never pivots (rule 4).
 */
public final class LiveMirrorService implements AutoCloseable {

  private record Owned(String jobId, LiveMirror mirror) {}

  private final Hypervisor hv;
  private final Map<String, Owned> mirrors = new ConcurrentHashMap<>();

  public LiveMirrorService(Hypervisor hv) {
    this.hv = hv;
  }

  public Hypervisor hypervisor() {
    return hv;
  }

  /** Starts a live mirror for Ferry job {@code jobId}. */
  public LiveMirror start(String jobId, MirrorRequest req, MirrorListener listener) {
    return register(jobId, req, () -> LiveMirror.start(hv, req, listener));
  }

  /** After an agent restart: supervises again the block job a journal record names. */
  public LiveMirror reattach(String jobId, MirrorRequest req, MirrorListener listener) {
    return register(jobId, req, () -> LiveMirror.reattach(hv, req, listener));
  }

  public Optional<LiveMirror> mirror(String domain, String disk) {
    return Optional.ofNullable(mirrors.get(key(domain, disk))).map(Owned::mirror);
  }

  /** Block jobs of one domain, or of every running domain when {@code domain} is empty. */
  public List<BlockJobView> listBlockJobs(String domain) {
    List<String> domains = domain == null || domain.isBlank() ? hv.runningDomains()
        : List.of(domain);
    List<BlockJobView> jobs = new ArrayList<>();
    for (String d : domains) {
      for (String disk : diskTargets(d)) {
        hv.blockJob(d, disk).ifPresent(info -> jobs.add(view(d, disk, info)));
      }
    }
    return jobs;
  }

  /** Sets the bandwidth of any block job (bytes/s; 0: none); Ferry's own through its mirror. */
  public BlockJobView setBandwidth(String domain, String disk, long bytesPerSec) {
    Optional<LiveMirror> own = mirror(domain, disk);
    if (own.isPresent()) {
      own.get().setBandwidth(bytesPerSec);
    } else {
      requireJob(domain, disk);
      hv.setJobSpeed(domain, disk, bytesPerSec);
    }
    return view(domain, disk, requireJob(domain, disk));
  }

  /**
   * Aborts a block job Ferry did not start, only before READY: aborting a READY copy would
   * decide for its owner whether to pivot (rule 4). Ferry's own jobs are cancelled through
   * their job.
   */
  public BlockJobView abortForeign(String domain, String disk) {
    if (mirror(domain, disk).isPresent()) {
      throw FerryException.precondition("the block job on " + domain + " " + disk
          + " is Ferry job " + mirrors.get(key(domain, disk)).jobId() + ": cancel that job");
    }
    BlockJobInfo info = requireJob(domain, disk);
    if (info.ready()) {
      throw FerryException.precondition("the block job on " + domain + " " + disk
          + " is READY: aborting it now would be a pivot decision, which belongs to whoever"
          + " started it (e.g. Nova); Ferry only aborts foreign jobs before READY");
    }
    hv.abortJob(domain, disk, false);
    return view(domain, disk, info);
  }

  /** Stops supervising every mirror; their block jobs keep running for the next agent. */
  @Override
  public void close() {
    for (Owned o : mirrors.values()) {
      o.mirror().detach();
    }
    for (Owned o : mirrors.values()) {
      o.mirror().outcome().join();
    }
    mirrors.clear();
  }

  private LiveMirror register(String jobId, MirrorRequest req,
      java.util.function.Supplier<LiveMirror> starter) {
    String key = key(req.domain(), req.disk());
    Owned running = mirrors.get(key);
    if (running != null && !running.mirror().state().terminal()
        && !running.mirror().outcome().isDone()) {
      throw FerryException.precondition("domain " + req.domain() + " disk " + req.disk()
          + " is already being mirrored by Ferry job " + running.jobId());
    }
    LiveMirror m = starter.get();
    mirrors.put(key, new Owned(jobId, m));
    m.outcome().whenComplete((o, e) -> mirrors.remove(key, new Owned(jobId, m)));
    return m;
  }

  private BlockJobInfo requireJob(String domain, String disk) {
    return hv.blockJob(domain, disk).orElseThrow(() -> FerryException.notFound(
        "no block job on domain " + domain + " disk " + disk + " (list block jobs)"));
  }

  private BlockJobView view(String domain, String disk, BlockJobInfo info) {
    Owned o = mirrors.get(key(domain, disk));
    return new BlockJobView(domain, disk, info, o == null ? "" : o.jobId());
  }

  private List<String> diskTargets(String domain) {
    List<String> targets = new ArrayList<>();
    DomainXml xml = DomainXml.parse(hv.xml(domain, false));
    NodeList disks = xml.disks();
    for (int i = 0; i < disks.getLength(); i++) {
      NodeList t = ((Element) disks.item(i)).getElementsByTagName("target");
      if (t.getLength() > 0) {
        targets.add(((Element) t.item(0)).getAttribute("dev"));
      }
    }
    return targets;
  }

  private static String key(String domain, String disk) {
    return domain + "/" + disk;
  }
}
