/** Test helpers of the domain library (also re-exported from the library index). */
export * from './decider-specification';
export * as PartnershipFixtures from './partnership.fixtures';
