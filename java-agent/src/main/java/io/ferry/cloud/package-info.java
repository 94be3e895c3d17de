/**
 * The OpenStack control plane: pre-flight checks, migration through Cinder, fleet evacuation and
 * stuck-state repair.
 *
 * <pre>
 *   cli (CheckCommand, MigrateCommand, EvacuateCommand, RepairCommand)
 *     -> PreflightGatherer -> PreflightChecks (pure)       ferry check
 *     -> VolumeMigrator (os-migrate_volume / os-retype)     ferry migrate
 *     -> EvacuationPlanner -> EvacuationRunner -> EvacuationState (JSON, StateFile)
 *     -> Repairer -> RepairPlanner (pure) -> RepairAction   ferry repair
 *   all through CloudApi = OpenStackCloud -> CinderApi, NovaApi -> OpenStackHttp
 *     (java.net.http + Jackson, microversions "volume 3.63" / compute 2.89)
 *   with the token and catalog of KeystoneLogin (openstack4j, Keystone v3 password, project
 *   scope) captured as a CloudSession: openstack4j's client is bound to one thread, the
 *   session is plain values any thread can use.
 * </pre>
 *
 * <p>Rules kept here: attached is decided from the attachments, never from the status (DESIGN
 * rule 2); nothing here deletes anything; credentials and tokens are never logged or put in
 * messages (rule 9). Agent jobs are found by the labels the shims set ({@code volume_id},
 * {@code instance_uuid}).
 */
package io.ferry.cloud;
