/**
 * Who was "at the table" in one phase occurrence of a workstream: the roles of the participants named
 * in its events (and of their recorders), respondent roles of stakeholder input (in aggregate), and
 * the sides of those participants' organizations and of the organizations taking part (sites,
 * approvers, recipients, reviewers, deciders, the recording key's organization).
 */
import type { Role, Side } from '@trellis/domain';

export interface PhasePresence {
  /** Sorted, distinct. */
  readonly roles: readonly Role[];
  /** Sorted, distinct. */
  readonly sides: readonly Side[];
}

export const EMPTY_PRESENCE: PhasePresence = { roles: [], sides: [] };

export function withPresence(p: PhasePresence, roles: readonly Role[], sides: readonly Side[]): PhasePresence {
  const nextRoles = merge(p.roles, roles);
  const nextSides = merge(p.sides, sides);
  return nextRoles === p.roles && nextSides === p.sides ? p : { roles: nextRoles, sides: nextSides };
}

function merge<T extends string>(current: readonly T[], added: readonly T[]): readonly T[] {
  const fresh = added.filter((x) => !current.includes(x));
  if (fresh.length === 0) return current;
  return [...new Set([...current, ...fresh])].sort();
}

/**
 * The practice side was present: a practitioner, or a practice-side organization. In a community
 * research collaborative the community takes the practitioner's place (DOMAIN.md W-03): a community
 * member or a community-side organization.
 */
export function practicePresent(p: PhasePresence, collaborative: boolean): boolean {
  return collaborative
    ? p.roles.includes('community_member') || p.sides.includes('community')
    : p.roles.includes('practitioner') || p.sides.includes('practice');
}

/** Families or the community were present: a family or community member, or a community-side organization. */
export function familiesOrCommunityPresent(p: PhasePresence): boolean {
  return p.roles.includes('family_member') || p.roles.includes('community_member') || p.sides.includes('community');
}
