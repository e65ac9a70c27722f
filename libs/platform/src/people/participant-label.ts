/**
 * What a view shows for a participant whose person was erased (DOMAIN.md "Personal data"):
 * `erased participant (<roles>, <organization type>)`, e.g.
 * `erased participant (practitioner/broker, school_district)` — roles joined with `/`, the way a
 * second hat is usually written.
 */
export const ERASED_PARTICIPANT = 'erased participant';

export function erasedParticipantLabel(roles: readonly string[], organizationType: string | null | undefined): string {
  const who = roles.length > 0 ? roles.join('/') : 'no role';
  return `${ERASED_PARTICIPANT} (${who}, ${organizationType ?? 'unknown organization type'})`;
}
