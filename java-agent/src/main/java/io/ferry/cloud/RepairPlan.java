package io.ferry.cloud;

import java.util.List;

/**
 * What repair found about one volume and what it would do.
 *
 * @param stuck false when something is still behind the volume (a live job, progress)
 * @param finding what state it is in and why it is (not) considered stuck
 * @param advice what is left to the operator (never done by Ferry), or empty
 */
public record RepairPlan(String volumeId, boolean stuck, String finding,
    List<RepairAction> actions, String advice) {

  public RepairPlan {
    actions = List.copyOf(actions);
  }
}
