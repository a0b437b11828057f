/**
 * What the signed-in person may do with one bulletin, by the API's rules
 * (nguon/services/bulletins.py): the console offers only these; the API still decides.
 */
import type { components } from "../../api/schema";
import { allows } from "../../auth/permissions";
import type { User } from "../../auth/session";
import { isWithin } from "../../units";

export type BulletinView = components["schemas"]["BulletinView"];
export type AuditEvent = components["schemas"]["AuditEvent"];
export type Action = "edit" | "submit" | "approve" | "reject" | "withdraw" | "revise";

const EDITABLE = ["draft", "rejected"];

/** The actions open to `user`, given the statuses and whether the issuer is in their area. */
export function actionsFor(user: User, bulletin: BulletinView, issuerInArea: boolean, targetsInArea: boolean): Action[] {
  const composer = allows(user, "bulletins:compose") && issuerInArea;
  const approver = allows(user, "bulletins:approve");
  const own = bulletin.author.username === user.username;
  const mayApprove = approver && !own && (issuerInArea || (bulletin.priority === "emergency" && targetsInArea));
  const actions: Action[] = [];
  if (composer && EDITABLE.includes(bulletin.status)) actions.push("edit", "submit");
  if (bulletin.status === "pending" && mayApprove) actions.push("approve");
  if (bulletin.status === "pending" && approver && !own && issuerInArea) actions.push("reject");
  if (["pending", "approved"].includes(bulletin.status) && ((approver && issuerInArea) || (own && composer)))
    actions.push("withdraw");
  if (composer && bulletin.status === "approved" && !bulletin.superseded_by) actions.push("revise");
  return actions;
}

/** Whether the issuer, and every target, lie in the user's area (asks the API for parents). */
export async function areaOf(user: User, bulletin: BulletinView): Promise<{ issuer: boolean; targets: boolean }> {
  const [issuer, ...targets] = await Promise.all([
    isWithin(bulletin.issuer_unit, user.unit).catch(() => false),
    ...bulletin.targets.map((code) => isWithin(code, user.unit).catch(() => false)),
  ]);
  return { issuer, targets: targets.every(Boolean) };
}
