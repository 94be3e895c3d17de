package io.ferry.job;

import io.ferry.copy.Throttle;
import io.ferry.endpoint.EndpointResolver;
import java.util.function.Consumer;

/**
 * What every {@link JobRunner} shares.
 *
 * @param store the jobs and their one transition function
 * @param resolver opens sources and destinations
 * @param parts the copy engine's pieces
 * @param config the agent's job settings
 * @param hostThrottle the host-wide bandwidth budget every job's data passes
 * @param hooks fault points for tests
 * @param onExit told when a runner's thread is done with its job (frees the job's slot)
 * @param online online conversions, once the agent turned them on (empty: refused)
 */
record RunContext(
    JobStore store,
    EndpointResolver resolver,
    EngineParts parts,
    JobManagerConfig config,
    Throttle hostThrottle,
    JobHooks hooks,
    Consumer<JobEntry> onExit,
    java.util.concurrent.atomic.AtomicReference<OnlineConversions> online) {}
