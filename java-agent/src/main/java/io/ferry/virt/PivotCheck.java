package io.ferry.virt;

import io.ferry.error.FerryException;
import io.ferry.error.Reason;

/**
 * After a pivot: the guest and its persistent definition must both point to the destination,
 * and the domain must still be persistent (rule 7). libvirt 9 with a transient job updates the
 * persistent definition itself; if it did not, the definition is written again from the live
 * one, as Nova does after its swap.
 */
final class PivotCheck {

  private PivotCheck() {}

  /** Returns a note on what was checked or repaired; throws if the result is not right. */
  static String verify(Hypervisor hv, String domain, String disk, DiskSource dest) {
    DiskSource live = DomainXml.parse(hv.xml(domain, false)).source(disk);
    if (!live.equals(dest)) {
      throw new FerryException(Reason.INTERNAL, "domain " + domain + " disk " + disk
          + ": after the pivot the guest uses " + live + ", not " + dest);
    }
    if (!hv.isPersistent(domain)) {
      throw new FerryException(Reason.INTERNAL, "domain " + domain
          + " is no longer persistent after the pivot: define it again from its live XML");
    }
    DiskSource saved = DomainXml.parse(hv.xml(domain, true)).source(disk);
    if (saved.equals(dest)) {
      return "guest and persistent definition both use " + dest;
    }
    hv.define(hv.liveXmlForDefine(domain));
    DiskSource again = DomainXml.parse(hv.xml(domain, true)).source(disk);
    if (!again.equals(dest)) {
      throw new FerryException(Reason.INTERNAL, "domain " + domain + " disk " + disk
          + ": persistent definition still names " + again + " after redefining it; a reboot"
          + " would open the old disk: fix the definition before restarting the guest");
    }
    return "persistent definition named " + saved + "; redefined from the live XML, now " + dest;
  }
}
