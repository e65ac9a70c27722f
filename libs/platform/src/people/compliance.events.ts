/**
 * The compliance stream's events (DESIGN.md §3: "erasure facts to `compliance`"). One stream for the
 * whole deployment, hash-chained like every other. `PersonalDataErased` says that a person's key was
 * destroyed — and nothing about who they were: no name, no e-mail, and a reason from a closed list
 * (a free-text reason could itself hold personal data, and the log is never edited).
 */

export const COMPLIANCE_STREAM_ID = 'compliance';

/** Why a person's data was erased. */
export const ERASURE_REASONS = ['data_subject_request', 'consent_withdrawn', 'retention_ended', 'legal_obligation', 'other'] as const;
export type ErasureReason = (typeof ERASURE_REASONS)[number];

export interface PersonalDataErasedData {
  /** The vault's person id (the `personId` of ParticipantJoined). */
  readonly personId: string;
  /** When the person's key was destroyed (ISO 8601). */
  readonly erasedAt: string;
  readonly reason?: ErasureReason;
}

/** Event type → the TypeScript type of its data: what the event catalog's JSON Schemas are generated from. */
export interface ComplianceEventDataMap {
  /**
   * A person's name and e-mail were erased from the people vault (stream `compliance`): their key is
   * destroyed, so every view shows "erased participant (role, organization type)" from then on.
   * Receivers should erase whatever they keep about this personId.
   */
  PersonalDataErased: PersonalDataErasedData;
}

export const COMPLIANCE_EVENT_TYPES = ['PersonalDataErased'] as const;
export const COMPLIANCE_EVENT_SCHEMA_VERSIONS = { PersonalDataErased: 1 } as const;
