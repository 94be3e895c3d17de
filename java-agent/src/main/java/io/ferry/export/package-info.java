/**
 * The agent's NBD exports as the API offers them (StartExport, StopExport, ListExports;
 * {@code ferry export}, {@code ferry exports}, {@code ferry unexport}). Unix sockets are made
 * only in the agent's socket directory ({@code <journal_dir>/nbd}), by plain file name; TCP
 * exports listen on loopback only (NBD has no authentication). A busy address is
 * ALREADY_EXISTS, a stale socket file left by a dead agent is replaced. Exports serve the
 * agent's shared devices, so writes through them reach a running job's change feed; they stop
 * when the agent stops (the export of a completed online conversion is served again at the next
 * start, see {@code io.ferry.online}).
 */
package io.ferry.export;
