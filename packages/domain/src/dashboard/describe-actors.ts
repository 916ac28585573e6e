import type { Db } from "@agrinet/db";

export type ActorDescription = {
  /** As stored: "staff:<id>", "partner:<keyId>", "user:<id>", "system", an email, … */
  actor: string;
  kind: "staff" | "partner" | "user" | "other";
  /** What a person reads: a staff member's name, a partner key's name, a user id. */
  name: string;
  /** A staff member's email, for a tooltip. */
  detail: string | null;
  /** The end user's id when the actor is one, so the dashboard can link to their page. */
  userId: string | null;
};

/**
 * Names the actors that audit entries, confirmations and resolutions record by id, so the
 * dashboard shows "Demo operator" or "Acme shop (partner key)" rather than a UUID. Two indexed
 * lookups (staff by id, keys by id) whatever the number of actors.
 */
export async function describeActors(options: { db: Db; actors: readonly string[] }): Promise<ActorDescription[]> {
  const actors = [...new Set(options.actors)];
  const idsOf = (prefix: string) => actors.flatMap((actor) => (actor.startsWith(`${prefix}:`) ? [actor.slice(prefix.length + 1)] : []));
  const staffIds = idsOf("staff");
  const keyIds = idsOf("partner");
  const [staff, keys] = await Promise.all([
    staffIds.length
      ? options.db.staffUser.findMany({ where: { id: { in: staffIds } }, select: { id: true, name: true, email: true } })
      : [],
    keyIds.length ? options.db.apiKey.findMany({ where: { id: { in: keyIds } }, select: { id: true, name: true } }) : [],
  ]);
  const staffById = new Map(staff.map((member) => [member.id, member]));
  const keyById = new Map(keys.map((key) => [key.id, key]));
  return actors.map((actor): ActorDescription => {
    const [prefix, ...rest] = actor.split(":");
    const id = rest.join(":");
    if (prefix === "staff" && id) {
      const member = staffById.get(id);
      return { actor, kind: "staff", name: member?.name || member?.email || "Removed staff member", detail: member?.email ?? null, userId: null };
    }
    if (prefix === "partner" && id) {
      const key = keyById.get(id);
      return { actor, kind: "partner", name: `${key?.name || "Unnamed key"} (partner key)`, detail: key ? null : "key no longer exists", userId: null };
    }
    if (prefix === "user" && id) return { actor, kind: "user", name: id, detail: null, userId: id };
    return { actor, kind: "other", name: actor, detail: null, userId: null };
  });
}
