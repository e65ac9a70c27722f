/** Problem codes of the people routes (listed in the OpenAPI Problem schema beside the API's own). */
export const PEOPLE_PROBLEM_CODES = {
  /** No person with that id, or one registered by another organization's key. */
  PERSON_NOT_FOUND: 404,
  /** JoinParticipant names a person whose data was erased. */
  PERSON_ERASED: 422,
} as const;
