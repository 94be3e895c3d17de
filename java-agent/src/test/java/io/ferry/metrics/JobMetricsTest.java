package io.ferry.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.ferry.config.HostPort;
import io.ferry.job.JobService;
import io.ferry.proto.v1.Job;
import io.ferry.proto.v1.JobError;
import io.ferry.proto.v1.JobState;
import io.ferry.proto.v1.Progress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobMetricsTest {

  static Job job(String id, JobState s, long copied, long rate) {
    return Job.newBuilder().setId(id).setState(s).setProgress(Progress.newBuilder()
        .setBytesCopied(copied).setRateBytesPerSec(rate)).build();
  }

  @Test
  void jobsByStateQueueRatesBytesAndFailures() {
    JobService jobs = mock(JobService.class);
    Metrics metrics = new Metrics();
    JobMetrics jm = new JobMetrics(jobs, metrics);
    when(jobs.list(any())).thenReturn(List.of(
        job("a", JobState.SYNCING, 1000, 500), job("b", JobState.QUEUED, 0, 0),
        job("c", JobState.QUEUED, 0, 0)));
    jm.refresh(); // first look: what was copied before is not counted
    when(jobs.list(any())).thenReturn(List.of(
        job("a", JobState.SYNCING, 4000, 700), job("b", JobState.SYNCING, 100, 50),
        job("c", JobState.FAILED, 0, 0).toBuilder().setError(JobError.newBuilder()
            .setCode("DATA_LOSS")).build()));
    jm.refresh();
    jm.refresh(); // nothing new: no double counting
    metrics.error("NOT_FOUND", "rpc");
    String text = metrics.scrape();
    assertThat(text).contains("ferry_jobs{state=\"syncing\"} 2.0")
        .contains("ferry_jobs{state=\"queued\"} 0.0")
        .contains("ferry_jobs{state=\"failed\"} 1.0")
        .contains("ferry_queue_length 0.0")
        .contains("ferry_job_rate_bytes_per_second{job=\"a\"} 700.0")
        .contains("ferry_job_rate_bytes_per_second{job=\"b\"} 50.0")
        .contains("ferry_copied_bytes_total 3100.0")
        .contains("ferry_errors_total{code=\"DATA_LOSS\",source=\"job\"} 1.0")
        .contains("ferry_errors_total{code=\"NOT_FOUND\",source=\"rpc\"} 1.0");
  }

  @Test
  void aFailingListDoesNotBreakTheScrape() {
    JobService jobs = mock(JobService.class);
    when(jobs.list(any())).thenThrow(new IllegalStateException("closed"));
    Metrics metrics = new Metrics();
    new JobMetrics(jobs, metrics).refresh();
    assertThat(metrics.scrape()).contains("ferry_queue_length");
  }

  @Test
  void servedOverHttp() throws Exception {
    JobService jobs = mock(JobService.class);
    when(jobs.list(any())).thenReturn(List.of(job("a", JobState.QUEUED, 0, 0)));
    Metrics metrics = new Metrics();
    JobMetrics jm = new JobMetrics(jobs, metrics);
    try (MetricsHttpServer http =
        new MetricsHttpServer(new HostPort("127.0.0.1", 0), metrics, jm::refresh).start()) {
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + http.address().getPort() + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(
          v -> assertThat(v).startsWith("text/plain"));
      assertThat(r.body()).contains("ferry_queue_length 1.0");
    }
  }

  @Test
  void theObserverCountsEveryChangeOnceAndRefreshesStopCounting() {
    JobService jobs = mock(JobService.class);
    Metrics metrics = new Metrics();
    JobMetrics jm = new JobMetrics(jobs, metrics);
    var observer = jm.observer();
    Job a0 = job("a", JobState.SYNCING, 0, 0);
    Job a1 = job("a", JobState.SYNCING, 1000, 10);
    Job a2 = job("a", JobState.FAILED, 1500, 0).toBuilder()
        .setError(JobError.newBuilder().setCode("UNAVAILABLE")).build();
    observer.onChange(null, job("a", JobState.SYNCING, 777, 0)); // loaded: not counted
    observer.onChange(a0, a1);
    observer.onChange(a1, a2);
    observer.onChange(a2, a2); // republished: nothing new
    when(jobs.list(any())).thenReturn(List.of(a2));
    jm.refresh();
    jm.refresh();
    assertThat(metrics.scrape()).contains("ferry_copied_bytes_total 1500.0")
        .contains("ferry_errors_total{code=\"UNAVAILABLE\",source=\"job\"} 1.0");
  }
}
