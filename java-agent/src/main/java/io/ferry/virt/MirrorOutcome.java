package io.ferry.virt;

import io.ferry.error.Reason;

/**
 * How a live mirror ended.
 *
 * @param reason why it failed (null unless FAILED): RESOURCE_EXHAUSTED for "did not converge"
 * @param convergedBy the last convergence step taken before READY; null if none was needed
 * @param last the last progress sample
 */
public record MirrorOutcome(
    MirrorState state, Reason reason, String detail, Convergence.Step convergedBy,
    MirrorProgress last) {}
