import { DECORATORS } from '@nestjs/swagger';
import { PARTNERSHIP_COMMAND_TYPES, STREAM_COMMAND_TYPES } from '@trellis/domain';
import { ApprovalDto } from './approval.dto';
import { COMMAND_DTOS, ProposePartnershipDto } from './command-dtos';
import { VALID_COMMAND_EXAMPLES } from './command-examples';
import { validateCommandData, validateProposePartnership, type FieldError, type ValidationResult } from './command-validation';
import { ResearchQuestionDto } from './workstream.dto';

/** A fresh, mutable copy of a command's valid example with `changes` applied (undefined removes). */
function example<T extends keyof typeof VALID_COMMAND_EXAMPLES>(type: T, changes: Record<string, unknown> = {}): Record<string, unknown> {
  const data = structuredClone(VALID_COMMAND_EXAMPLES[type]) as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete data[key];
    else data[key] = value;
  }
  return data;
}

function errorsOf(result: ValidationResult): FieldError[] {
  if (result.ok) throw new Error('expected the data to be refused, but it was accepted');
  return result.errors;
}

const fieldsOf = (result: ValidationResult): string[] => errorsOf(result).map((e) => e.field);

/** The messages reported for `field` (fails when the field is not reported). */
function messagesFor(result: ValidationResult, field: string): string[] {
  const entry = errorsOf(result).find((e) => e.field === field);
  if (!entry) throw new Error(`expected an error at ${field}; got ${JSON.stringify(errorsOf(result))}`);
  return entry.messages;
}

const refuses = (type: string, data: unknown, field: string): string[] => messagesFor(validateCommandData(type, data), field);

describe('validateCommandData', () => {
  describe('valid examples', () => {
    it('has one example for every command type', () => {
      expect(Object.keys(VALID_COMMAND_EXAMPLES).sort()).toEqual([...PARTNERSHIP_COMMAND_TYPES].sort());
    });

    it.each(STREAM_COMMAND_TYPES)('accepts the %s example and returns it', (type) => {
      const data = example(type);
      const result = validateCommandData(type, data);
      expect(result).toEqual({ ok: true, value: data });
    });

    it('accepts the ProposePartnership example', () => {
      const data = example('ProposePartnership');
      expect(validateProposePartnership(data)).toEqual({ ok: true, value: data });
    });

    it('does not modify the examples', () => {
      const before = structuredClone(VALID_COMMAND_EXAMPLES);
      for (const type of STREAM_COMMAND_TYPES) validateCommandData(type, VALID_COMMAND_EXAMPLES[type]);
      expect(VALID_COMMAND_EXAMPLES).toEqual(before);
    });
  });

  describe('type and data', () => {
    it.each(['Unknown', 'ProposePartnership', 'constructor', '__proto__', 'toString', 'joinOrganization', ''])(
      'refuses the command type %j',
      (type) => {
        expect(refuses(type, example('JoinOrganization'), 'type')[0]).toMatch(/^type must be one of: JoinOrganization, /);
      },
    );

    it.each([
      ['null', null],
      ['undefined', undefined],
      ['a string', 'org-1'],
      ['a number', 1],
      ['an array', [example('JoinOrganization')]],
    ])('refuses %s as data', (_label, data) => {
      expect(refuses('JoinOrganization', data, 'data')).toEqual(['data must be an object']);
    });
  });

  describe('missing and extra fields', () => {
    it('names a missing required field', () => {
      const messages = refuses('JoinOrganization', example('JoinOrganization', { orgType: undefined }), 'data.orgType');
      expect(messages).toContain('orgType must be one of: SEA, LEA, school_district, county_office, school, community_organization, service_provider, research_organization, intermediary_network, funder, policy_body');
    });

    it('reports every bad field, not only the first', () => {
      const result = validateCommandData(
        'JoinOrganization',
        example('JoinOrganization', { organizationId: 'bad id', name: undefined, orgType: 'university', side: 'both', colour: 'blue' }),
      );
      expect(fieldsOf(result).sort()).toEqual(['data.colour', 'data.name', 'data.orgType', 'data.organizationId', 'data.side']);
    });

    it('refuses an unknown property by its path', () => {
      expect(refuses('WithdrawOrganization', example('WithdrawOrganization', { nickname: 'x' }), 'data.nickname')).toEqual([
        'property nickname should not exist',
      ]);
    });

    it('quotes property names that are not identifiers', () => {
      expect(refuses('WithdrawOrganization', example('WithdrawOrganization', { 'odd key': 1 }), 'data["odd key"]')).toEqual([
        'property odd key should not exist',
      ]);
    });

    it('refuses unknown properties inside nested objects with their index', () => {
      const agenda = example('AgreeResearchAgenda');
      (agenda['researchQuestions'] as Array<Record<string, unknown>>)[1]!['priority'] = 'high';
      expect(refuses('AgreeResearchAgenda', agenda, 'data.researchQuestions[1].priority')).toEqual(['property priority should not exist']);
    });

    it.each(['__proto__', 'constructor'])('refuses the key %s, which class-transformer would drop unseen', (key) => {
      const data = JSON.parse(`{"reason": "Scope changed", "${key}": {"polluted": true}}`) as unknown;
      expect(refuses('AbandonPartnership', data, `data.${key}`)).toEqual([`property ${key} should not exist`]);
    });

    it('refuses __proto__ nested inside a record', () => {
      const data = example('RecordReflection', {
        ratings: JSON.parse('{"research": {"d1": 4}, "__proto__": {"d1": 1}}') as unknown,
      });
      expect(fieldsOf(validateCommandData('RecordReflection', data))).toContain('data.ratings.__proto__');
    });

    it('refuses null for an optional field instead of passing it on', () => {
      const messages = refuses('JoinOrganization', example('JoinOrganization', { parentOrganizationId: null }), 'data.parentOrganizationId');
      expect(messages).toContain('parentOrganizationId must not be null (leave it out instead)');
    });

    it('accepts optional fields left out', () => {
      const data = example('JoinOrganization', { parentOrganizationId: undefined });
      expect(validateCommandData('JoinOrganization', data).ok).toBe(true);
    });

    it('refuses input nested deeper than any command without overflowing the stack', () => {
      let deep: unknown = 1;
      for (let i = 0; i < 20_000; i++) deep = { a: deep };
      const result = validateCommandData('AbandonPartnership', { reason: 'x', extra: deep });
      expect(errorsOf(result)).toHaveLength(1);
      expect(errorsOf(result)[0]!.messages).toEqual(['nesting deeper than 10 levels is not accepted']);
      expect(errorsOf(result)[0]!.field).toMatch(/^data\.extra(\.a)+$/);
    });
  });

  describe('wrong types', () => {
    it('refuses a string for a number', () => {
      expect(refuses('ApprovePilot', example('ApprovePilot', { toolVersion: '1' }), 'data.toolVersion')).toContain('toolVersion must be an integer number');
    });

    it('refuses a fraction for an integer', () => {
      expect(refuses('ApprovePilot', example('ApprovePilot', { toolVersion: 1.5 }), 'data.toolVersion')).toContain('toolVersion must be an integer number');
    });

    it('refuses a number for a string', () => {
      expect(refuses('AbandonPartnership', { reason: 42 }, 'data.reason')).toContain('reason must be a string');
    });

    it('refuses a number for an id', () => {
      expect(refuses('WithdrawOrganization', example('WithdrawOrganization', { organizationId: 7 }), 'data.organizationId')).toContain(
        'organizationId must be a string',
      );
    });

    it('refuses an object for an array', () => {
      expect(refuses('FormalizePartnership', example('FormalizePartnership', { partyOrganizationIds: { a: 'org-1' } }), 'data.partyOrganizationIds')).toContain(
        'partyOrganizationIds must be an array',
      );
    });

    it('refuses an object for an array of nested objects', () => {
      expect(refuses('AgreeResearchAgenda', example('AgreeResearchAgenda', { researchQuestions: { questionId: 'rq-1', text: 'Why?' } }), 'data.researchQuestions')).toContain(
        'researchQuestions must be an array',
      );
    });

    it('refuses a string for a boolean', () => {
      expect(refuses('RecordDataReceived', example('RecordDataReceived', { piiIncluded: 'true' }), 'data.piiIncluded')).toContain(
        'piiIncluded must be a boolean value',
      );
    });

    it('refuses a number inside a list of ids', () => {
      expect(refuses('OpenWorkstream', example('OpenWorkstream', { leadParticipantIds: ['par-res-01', 5] }), 'data.leadParticipantIds')).toContain(
        'each value in leadParticipantIds must be a string',
      );
    });
  });

  describe('bounds', () => {
    // Every free-text field with its limit: names/refs/labels 200 (LIMITS.shortText), statements/purposes/summaries/reasons 4000 (LIMITS.longText).
    const TEXT_FIELDS: ReadonlyArray<[string, string, number]> = [
      ['ProposePartnership', 'name', 200],
      ['ProposePartnership', 'focus', 4000],
      ['JoinOrganization', 'name', 200],
      ['WithdrawOrganization', 'reason', 4000],
      ['DepartParticipant', 'reason', 4000],
      ['FormalizePartnership', 'agreementRef', 200],
      ['AmendAgreement', 'agreementRef', 200],
      ['ExecuteDataSharingAgreement', 'purpose', 4000],
      ['CertifyDataDisposal', 'method', 200],
      ['ChangePartnershipStatus', 'reason', 4000],
      ['RecordReflection', 'instrument', 200],
      ['AbandonPartnership', 'reason', 4000],
      ['OpenWorkstream', 'title', 200],
      ['DefineProblemOfPractice', 'statement', 4000],
      ['DefineProblemOfPractice', 'intendedUse', 4000],
      ['ReframeProblemOfPractice', 'statement', 4000],
      ['ReframeProblemOfPractice', 'reason', 4000],
      ['AgreeResearchAgenda', 'researchQuestions[0].text', 4000],
      ['CoDevelopTool', 'name', 200],
      ['CoDevelopTool', 'purpose', 4000],
      ['ApprovePilot', 'approvals[0].kind', 200],
      ['ApprovePilot', 'approvals[0].ref', 200],
      ['ReviseTool', 'changeSummary', 4000],
      ['ApproveFormalStudy', 'design', 4000],
      ['ApproveFormalStudy', 'ethicsRef', 200],
      ['RecordResearchUse', 'decisionSummary', 4000],
      ['TransitionPhase', 'reason', 4000],
    ];

    /** Sets `path` (`name`, `approvals[0].ref`) in a copy of the type's example. */
    function withText(type: keyof typeof VALID_COMMAND_EXAMPLES, path: string, text: string): Record<string, unknown> {
      const data = example(type);
      const keys = path.split(/\.|\[(\d+)\]\.?/).filter((k) => k !== undefined && k !== '');
      let target: Record<string, unknown> = data;
      for (const key of keys.slice(0, -1)) target = target[key] as Record<string, unknown>;
      target[keys[keys.length - 1]!] = text;
      return data;
    }
    const check = (type: keyof typeof VALID_COMMAND_EXAMPLES, data: unknown) =>
      type === 'ProposePartnership' ? validateProposePartnership(data) : validateCommandData(type, data);

    it.each(TEXT_FIELDS)('%s.%s accepts %i characters and refuses one more', (type, path, limit) => {
      const t = type as keyof typeof VALID_COMMAND_EXAMPLES;
      const property = path.split('.').pop()!;
      expect(check(t, withText(t, path, 'x'.repeat(limit))).ok).toBe(true);
      expect(messagesFor(check(t, withText(t, path, 'x'.repeat(limit + 1))), `data.${path}`)).toContain(
        `${property} must be shorter than or equal to ${limit} characters`,
      );
    });

    it('lists every free-text field of every DTO', () => {
      const dtos: Array<new () => object> = [ProposePartnershipDto, ...Object.values(COMMAND_DTOS), ApprovalDto, ResearchQuestionDto];
      const documented = dtos.flatMap((dto) =>
        ((Reflect.getMetadata(DECORATORS.API_MODEL_PROPERTIES_ARRAY, dto.prototype) as string[]) ?? [])
          .map((p) => p.slice(1))
          .filter((p) => {
            const meta = Reflect.getMetadata(DECORATORS.API_MODEL_PROPERTIES, dto.prototype, p) as Record<string, unknown>;
            return meta['maxLength'] !== undefined && meta['pattern'] === undefined && meta['isArray'] !== true;
          })
          .map((p) => `${dto.name}.${p}`),
      );
      const nested: Record<string, string> = { researchQuestions: 'ResearchQuestionDto', approvals: 'ApprovalDto' };
      const listed = TEXT_FIELDS.map(([type, path]) => {
        const [head, ...rest] = path.split(/\[\d+\]\./);
        return rest.length ? `${nested[head!]}.${rest[0]}` : `${type}Dto.${head}`;
      });
      expect([...new Set(listed)].sort()).toEqual([...new Set(documented)].sort());
    });

    it.each([
      ['ExecuteDataSharingAgreement', 'dataCategories', 200],
      ['RecordDataReceived', 'dataCategories', 200],
      ['RecordEvidenceReview', 'sources', 4000],
      ['InterpretFindingsJointly', 'followUpQuestions', 4000],
      ['InterpretFindingsJointly', 'agreedImplications', 4000],
      ['RecordReflection', 'actionsAgreed', 4000],
    ] as const)('each item of %s.%s accepts %i characters and refuses one more', (type, field, limit) => {
      expect(validateCommandData(type, example(type, { [field]: ['x'.repeat(limit)] })).ok).toBe(true);
      expect(refuses(type, example(type, { [field]: ['fine', 'x'.repeat(limit + 1)] }), `data.${field}`)).toContain(
        `each value in ${field} must be shorter than or equal to ${limit} characters`,
      );
    });

    it('refuses empty and blank text', () => {
      expect(refuses('AbandonPartnership', { reason: '' }, 'data.reason')).toContain('reason should not be empty');
      expect(refuses('AbandonPartnership', { reason: '   ' }, 'data.reason')).toEqual(['reason must not be blank']);
    });

    it('refuses duplicate data categories', () => {
      const type = 'ExecuteDataSharingAgreement';
      expect(refuses(type, example(type, { dataCategories: ['attendance', 'attendance'] }), 'data.dataCategories')).toContain(
        "All dataCategories's elements must be unique",
      );
    });

    it('refuses an id list over LIMITS.list (100) and accepts exactly 100', () => {
      const ids = (n: number) => Array.from({ length: n }, (_, i) => `par-${i}`);
      expect(refuses('OpenWorkstream', example('OpenWorkstream', { leadParticipantIds: ids(101) }), 'data.leadParticipantIds')).toContain(
        'leadParticipantIds must contain no more than 100 elements',
      );
      expect(validateCommandData('OpenWorkstream', example('OpenWorkstream', { leadParticipantIds: ids(100) })).ok).toBe(true);
    });

    it('refuses more than LIMITS.questions (50) research questions', () => {
      const questions = Array.from({ length: 51 }, (_, i) => ({ questionId: `rq-${i}`, text: 'Which supports help?' }));
      expect(refuses('AgreeResearchAgenda', example('AgreeResearchAgenda', { researchQuestions: questions }), 'data.researchQuestions')).toContain(
        'researchQuestions must contain no more than 50 elements',
      );
    });

    it('refuses a text list over LIMITS.textList (50)', () => {
      const actions = Array.from({ length: 51 }, (_, i) => `Action ${i}`);
      expect(refuses('RecordReflection', example('RecordReflection', { actionsAgreed: actions }), 'data.actionsAgreed')).toContain(
        'actionsAgreed must contain no more than 50 elements',
      );
    });

    it('refuses duplicate ids in an id list', () => {
      expect(refuses('FormalizePartnership', example('FormalizePartnership', { coLeadParticipantIds: ['par-res-01', 'par-res-01'] }), 'data.coLeadParticipantIds')).toContain(
        "All coLeadParticipantIds's elements must be unique",
      );
    });

    it('refuses an empty list where at least one item is needed', () => {
      expect(refuses('OpenWorkstream', example('OpenWorkstream', { leadParticipantIds: [] }), 'data.leadParticipantIds')).toContain(
        'leadParticipantIds must contain at least 1 elements',
      );
      expect(refuses('AgreeResearchAgenda', example('AgreeResearchAgenda', { researchQuestions: [] }), 'data.researchQuestions')).toContain(
        'researchQuestions must contain at least 1 elements',
      );
    });

    it.each([
      ['ApprovePilot', 'toolVersion', 0, 1_000_001, [1, 1_000_000]],
      ['ExecuteDataSharingAgreement', 'destructionPeriodDays', -1, 36_501, [0, 36_500]],
      ['ExecuteDataSharingAgreement', 'noSurprisesReviewDays', 0, 3_651, [1, 3_650]],
      ['RecordStakeholderInput', 'toolVersion', 0, 1_000_001, [1, 1_000_000]],
    ] as const)('bounds %s.%s', (type, field, below, above, accepted) => {
      expect(refuses(type, example(type, { [field]: below }), `data.${field}`)).toContain(`${field} must not be less than ${accepted[0]}`);
      expect(refuses(type, example(type, { [field]: above }), `data.${field}`)).toContain(`${field} must not be greater than ${accepted[1]}`);
      for (const ok of accepted) expect(validateCommandData(type, example(type, { [field]: ok })).ok).toBe(true);
    });
  });

  describe('closed vocabularies', () => {
    it.each([
      ['JoinOrganization', 'orgType', 'university'],
      ['JoinOrganization', 'side', 'both'],
      ['AmendAgreement', 'amendmentKind', 'extension'],
      ['ExecuteDataSharingAgreement', 'legalBasis', 'ferpa'],
      ['EndDataSharingAgreement', 'endKind', 'cancelled'],
      ['RecordBrokeringActivity', 'activityKind', 'introduce'],
      ['ClosePartnership', 'closureKind', 'finished'],
      ['ApprovePilot', 'consentBasis', 'verbal'],
      ['RecordStakeholderInput', 'method', 'poll'],
      ['ConcludePilot', 'outcome', 'success'],
      ['RecordPracticePartnerReview', 'outcome', 'approved'],
      ['DisseminateFindings', 'artifactKind', 'video'],
      ['DisseminateFindings', 'audience', 'press'],
      ['RecordResearchUse', 'decisionLevel', 'federal'],
      ['TransitionPhase', 'toPhase', 'design'],
    ] as const)('refuses %s.%s = %j', (type, field, value) => {
      expect(refuses(type, example(type, { [field]: value }), `data.${field}`)[0]).toMatch(new RegExp(`^${field} must be one of: `));
    });

    it.each(['exploring', 'closed', 'abandoned', 'ACTIVE'])('ChangePartnershipStatus refuses status %j', (status) => {
      expect(refuses('ChangePartnershipStatus', example('ChangePartnershipStatus', { status }), 'data.status')).toEqual([
        'status must be one of: active, paused, transitioning',
      ]);
    });

    it.each(['active', 'paused', 'transitioning'])('ChangePartnershipStatus accepts status %j', (status) => {
      expect(validateCommandData('ChangePartnershipStatus', example('ChangePartnershipStatus', { status })).ok).toBe(true);
    });

    it('refuses an unknown value in a vocabulary list', () => {
      expect(refuses('RecordEvidenceReview', example('RecordEvidenceReview', { evidenceTypes: ['local_data', 'rumour'] }), 'data.evidenceTypes')[0]).toMatch(
        /^each value in evidenceTypes must be one of: research_literature, /,
      );
    });

    it('JoinParticipant needs at least one role, without duplicates or unknown roles', () => {
      const type = 'JoinParticipant';
      expect(refuses(type, example(type, { roles: [] }), 'data.roles')).toContain('roles must contain at least 1 elements');
      expect(refuses(type, example(type, { roles: ['researcher', 'researcher'] }), 'data.roles')).toContain("All roles's elements must be unique");
      expect(refuses(type, example(type, { roles: ['wizard'] }), 'data.roles')[0]).toMatch(/^each value in roles must be one of: researcher, /);
      expect(refuses(type, example(type, { roles: undefined }), 'data.roles')).toContain('roles must be an array');
    });

    it('ChangeParticipantRoles needs at least one role', () => {
      expect(refuses('ChangeParticipantRoles', example('ChangeParticipantRoles', { roles: [] }), 'data.roles')).toContain('roles must contain at least 1 elements');
    });
  });

  describe('client ids', () => {
    it.each([
      ['a space', 'org one'],
      ['101 characters', 'o'.repeat(101)],
      ['unicode', 'orgé'],
      ['an emoji', 'org-🏫'],
      ['a dot', 'org.one'],
      ['an empty string', ''],
      ['a newline', 'org\n'],
    ])('refuses an id with %s', (_label, value) => {
      expect(refuses('WithdrawOrganization', example('WithdrawOrganization', { organizationId: value }), 'data.organizationId')).toContain(
        'organizationId must match [A-Za-z0-9_-]{1,100}',
      );
    });

    it('accepts a 100-character id of the allowed characters', () => {
      const organizationId = `${'A'.repeat(50)}_-${'z9'.repeat(24)}`;
      expect(organizationId).toHaveLength(100);
      expect(validateCommandData('WithdrawOrganization', example('WithdrawOrganization', { organizationId })).ok).toBe(true);
    });

    it('refuses a bad id inside an id list', () => {
      expect(refuses('SharePreliminaryFindings', example('SharePreliminaryFindings', { sharedWithOrganizationIds: ['org-ok', 'org bad'] }), 'data.sharedWithOrganizationIds')).toContain(
        'each value in sharedWithOrganizationIds must match [A-Za-z0-9_-]{1,100}',
      );
    });

    it('checks the optional personId when given', () => {
      expect(refuses('JoinParticipant', example('JoinParticipant', { personId: 'person 1' }), 'data.personId')).toContain('personId must match [A-Za-z0-9_-]{1,100}');
      expect(validateCommandData('JoinParticipant', example('JoinParticipant', { personId: undefined })).ok).toBe(true);
    });
  });

  describe('dates', () => {
    it.each(['2024-02-30', '2023-02-29', '2024-13-01', '2024-1-1', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00.000+02:00', '20240101', '01/02/2024', ' 2024-01-01', ''])(
      'refuses %j',
      (endedOn) => {
        expect(refuses('EndDataSharingAgreement', example('EndDataSharingAgreement', { endedOn }), 'data.endedOn')).toContain(
          'endedOn must be a calendar date YYYY-MM-DD',
        );
      },
    );

    it('accepts 29 February in a leap year', () => {
      expect(validateCommandData('EndDataSharingAgreement', example('EndDataSharingAgreement', { endedOn: '2024-02-29' })).ok).toBe(true);
    });

    it('refuses a number for a date', () => {
      expect(refuses('StartPilot', example('StartPilot', { startedOn: 20260908 }), 'data.startedOn')).toContain('startedOn must be a string');
    });

    it.each([
      ['FormalizePartnership', 'effectiveFrom'],
      ['FormalizePartnership', 'termEnd'],
      ['AmendAgreement', 'newTermEnd'],
      ['ExecuteDataSharingAgreement', 'effectiveFrom'],
      ['ExecuteDataSharingAgreement', 'expiresOn'],
      ['EndDataSharingAgreement', 'endedOn'],
      ['CertifyDataDisposal', 'disposedOn'],
      ['ApprovePilot', 'plannedStart'],
      ['ApprovePilot', 'plannedEnd'],
      ['StartPilot', 'startedOn'],
      ['ConcludePilot', 'endedOn'],
      ['StartFormalStudy', 'startedOn'],
      ['RecordDataReceived', 'receivedOn'],
      ['InterpretFindingsJointly', 'sessionOn'],
      ['DisseminateFindings', 'releasedOn'],
    ] as const)('%s.%s is a calendar date', (type, field) => {
      expect(refuses(type, example(type, { [field]: '2026-02-30' }), `data.${field}`)).toContain(`${field} must be a calendar date YYYY-MM-DD`);
    });
  });

  describe('cross-field rules', () => {
    it('ExecuteDataSharingAgreement: expiresOn on or after effectiveFrom', () => {
      const type = 'ExecuteDataSharingAgreement';
      expect(refuses(type, example(type, { effectiveFrom: '2026-01-15', expiresOn: '2026-01-14' }), 'data.expiresOn')).toEqual([
        'expiresOn must be on or after effectiveFrom',
      ]);
      expect(validateCommandData(type, example(type, { effectiveFrom: '2026-01-15', expiresOn: '2026-01-15' })).ok).toBe(true);
    });

    it('ExecuteDataSharingAgreement: a bad effectiveFrom is reported once, on effectiveFrom', () => {
      const result = validateCommandData('ExecuteDataSharingAgreement', example('ExecuteDataSharingAgreement', { effectiveFrom: '2026-13-01' }));
      expect(fieldsOf(result)).toEqual(['data.effectiveFrom']);
    });

    it('ApprovePilot: plannedEnd on or after plannedStart', () => {
      const type = 'ApprovePilot';
      expect(refuses(type, example(type, { plannedStart: '2026-09-08', plannedEnd: '2026-09-07' }), 'data.plannedEnd')).toEqual([
        'plannedEnd must be on or after plannedStart',
      ]);
      expect(validateCommandData(type, example(type, { plannedStart: '2026-09-08', plannedEnd: '2026-09-08' })).ok).toBe(true);
    });

    it('FormalizePartnership: termEnd, when given, on or after effectiveFrom', () => {
      const type = 'FormalizePartnership';
      expect(refuses(type, example(type, { effectiveFrom: '2026-01-15', termEnd: '2025-06-30' }), 'data.termEnd')).toEqual([
        'termEnd must be on or after effectiveFrom',
      ]);
      expect(validateCommandData(type, example(type, { termEnd: undefined })).ok).toBe(true);
    });

    describe('ClosePartnership: successorPartnershipId', () => {
      const uuid = '0190f5c2-6d3e-7a41-9b2c-5e8f1a2b3c4d';

      it.each(['succeeded_by', 'merged'])('is required when closureKind is %s', (closureKind) => {
        expect(refuses('ClosePartnership', { closureKind }, 'data.successorPartnershipId')).toEqual([
          'successorPartnershipId is required when closureKind is succeeded_by or merged',
        ]);
        expect(validateCommandData('ClosePartnership', { closureKind, successorPartnershipId: uuid }).ok).toBe(true);
      });

      it.each(['goals_met', 'dissolved'])('is refused when closureKind is %s', (closureKind) => {
        expect(refuses('ClosePartnership', { closureKind, successorPartnershipId: uuid }, 'data.successorPartnershipId')).toEqual([
          'successorPartnershipId must be left out unless closureKind is succeeded_by or merged',
        ]);
        expect(validateCommandData('ClosePartnership', { closureKind }).ok).toBe(true);
      });

      it.each(['org-riverbend-usd', '0190f5c2-6d3e-7a41-9b2c', 42, null])('must be a UUID, not %j', (successorPartnershipId) => {
        expect(refuses('ClosePartnership', { closureKind: 'merged', successorPartnershipId }, 'data.successorPartnershipId')).toEqual([
          'successorPartnershipId must be a UUID',
        ]);
      });
    });

    describe('RecordStakeholderInput: toolId and toolVersion both or neither', () => {
      const type = 'RecordStakeholderInput';

      it('refuses toolId without toolVersion', () => {
        expect(refuses(type, example(type, { toolVersion: undefined }), 'data.toolId')).toEqual([
          'toolId must be given together with toolVersion (both or neither)',
        ]);
      });

      it('refuses toolVersion without toolId', () => {
        expect(refuses(type, example(type, { toolId: undefined }), 'data.toolVersion')).toEqual([
          'toolVersion must be given together with toolId (both or neither)',
        ]);
      });

      it('accepts neither', () => {
        expect(validateCommandData(type, example(type, { toolId: undefined, toolVersion: undefined })).ok).toBe(true);
      });
    });

    it('ReviseTool accepts empty answersInputIds (REVISION_MUST_ANSWER_INPUT is the domain’s 422)', () => {
      expect(validateCommandData('ReviseTool', example('ReviseTool', { answersInputIds: [] })).ok).toBe(true);
      expect(validateCommandData('ReviseTool', example('ReviseTool', { answersInputIds: [], answersFindingsIds: [] })).ok).toBe(true);
      expect(refuses('ReviseTool', example('ReviseTool', { answersInputIds: undefined }), 'data.answersInputIds')).toContain('answersInputIds must be an array');
    });

    it.each([
      ['FormalizePartnership', 'partyOrganizationIds', 'PARTNERSHIP_NEEDS_TWO_SIDES'],
      ['AgreeResearchAgenda', 'agreedByParticipantIds', 'AGENDA_MUST_BE_MUTUAL'],
      ['InterpretFindingsJointly', 'attendeeParticipantIds', 'JOINT_INTERPRETATION_REQUIRES_PRACTICE'],
      ['ApprovePilot', 'siteOrganizationIds', 'PILOT_NEEDS_SITES_APPROVALS_CONSENT'],
      ['ApprovePilot', 'approvals', 'PILOT_NEEDS_SITES_APPROVALS_CONSENT'],
      ['ApproveFormalStudy', 'questionIds', 'STUDY_GATES'],
      ['ApproveFormalStudy', 'approvals', 'STUDY_GATES'],
      ['ApproveFormalStudy', 'dsaIds', 'STUDY_GATES'],
    ] as const)('%s accepts an empty %s (left to the domain rule %s)', (type, field, _rule) => {
      expect(validateCommandData(type, example(type, { [field]: [] })).ok).toBe(true);
    });
  });

  describe('nested objects', () => {
    it('reports a bad research question field with its index', () => {
      const data = example('AgreeResearchAgenda', {
        researchQuestions: [
          { questionId: 'rq-1', text: 'Fine question?' },
          { questionId: 'rq 2', text: 'Bad id?' },
        ],
      });
      expect(refuses('AgreeResearchAgenda', data, 'data.researchQuestions[1].questionId')).toEqual(['questionId must match [A-Za-z0-9_-]{1,100}']);
      expect(fieldsOf(validateCommandData('AgreeResearchAgenda', data))).toEqual(['data.researchQuestions[1].questionId']);
    });

    it('reports every bad nested field', () => {
      const data = example('ApproveFormalStudy', {
        approvals: [
          { organizationId: 'org-riverbend-usd', kind: 'District research review', ref: 'RRB-1' },
          { organizationId: 'org-northfield-cer', kind: '', ref: 'r'.repeat(201) },
          { organizationId: 'org-eastside-ms', kind: 'Principal' },
        ],
      });
      const result = validateCommandData('ApproveFormalStudy', data);
      expect(fieldsOf(result).sort()).toEqual(['data.approvals[1].kind', 'data.approvals[1].ref', 'data.approvals[2].ref']);
      expect(messagesFor(result, 'data.approvals[2].ref')).toContain('ref must be a string');
      expect(messagesFor(result, 'data.approvals[1].ref')).toContain('ref must be shorter than or equal to 200 characters');
    });

    it.each([
      ['null', null],
      ['a string', 'RRB-1'],
      ['a number', 7],
    ])('refuses %s as a nested item, at its index', (_label, item) => {
      const data = example('ApprovePilot', { approvals: [VALID_COMMAND_EXAMPLES.ApprovePilot.approvals[0], item] });
      expect(refuses('ApprovePilot', data, 'data.approvals[1]')).toEqual(['each item in approvals must be an object']);
    });

    it('refuses an array as a nested item even when its own items are valid', () => {
      // class-validator's ValidateNested({each}) alone would validate the inner items and accept this.
      const data = example('ApprovePilot', { approvals: [[{ organizationId: 'org-eastside-ms', kind: 'Principal', ref: 'P-1' }]] });
      expect(refuses('ApprovePilot', data, 'data.approvals[0]')).toEqual(['each item in approvals must be an object']);
    });

    it('combines top-level and nested errors in one answer', () => {
      const data = example('AgreeResearchAgenda', {
        agendaId: 'agenda 2026',
        researchQuestions: [{ questionId: 'rq-1', text: '' }],
        extra: true,
      });
      expect(fieldsOf(validateCommandData('AgreeResearchAgenda', data)).sort()).toEqual([
        'data.agendaId',
        'data.extra',
        'data.researchQuestions[0].text',
      ]);
    });
  });

  describe('RecordReflection.ratings', () => {
    const type = 'RecordReflection';
    const withRatings = (ratings: unknown) => example(type, { ratings });

    it('accepts any non-empty subset of sides and dimensions', () => {
      expect(validateCommandData(type, withRatings({ funder: { d4: 5 } })).ok).toBe(true);
      expect(validateCommandData(type, withRatings({ research: { d1: 1, d2: 2, d3: 3, d4: 4, d5: 5 }, intermediary: { d2: 3 } })).ok).toBe(true);
    });

    it('refuses an unknown side, naming it', () => {
      expect(refuses(type, withRatings({ research: { d1: 4 }, parents: { d1: 4 } }), 'data.ratings.parents')).toEqual([
        'property parents should not exist: side must be one of research, practice, community, intermediary, funder',
      ]);
    });

    it('refuses an unknown dimension, naming it', () => {
      expect(refuses(type, withRatings({ practice: { d1: 4, d7: 3 } }), 'data.ratings.practice.d7')).toEqual([
        'property d7 should not exist: dimension must be one of d1, d2, d3, d4, d5',
      ]);
    });

    it.each([0, 6, 3.5, '4', null, -1])('refuses the rating %j', (rating) => {
      expect(refuses(type, withRatings({ research: { d2: rating } }), 'data.ratings.research.d2')).toEqual([
        'ratings.research.d2 must be an integer from 1 to 5',
      ]);
    });

    it('refuses ratings without any side', () => {
      expect(refuses(type, withRatings({}), 'data.ratings')).toEqual([
        'ratings must have at least 1 side (research, practice, community, intermediary, funder)',
      ]);
    });

    it('refuses a side without any dimension', () => {
      expect(refuses(type, withRatings({ community: {} }), 'data.ratings.community')).toEqual([
        'ratings.community must have at least 1 dimension (d1, d2, d3, d4, d5)',
      ]);
    });

    it.each([
      ['an array', [{ d1: 3 }]],
      ['a string', 'good'],
      ['null', null],
    ])('refuses %s as ratings', (_label, ratings) => {
      expect(refuses(type, withRatings(ratings), 'data.ratings')).toEqual(['ratings must be an object keyed by side']);
    });

    it('refuses a side that is not an object', () => {
      expect(refuses(type, withRatings({ practice: 4 }), 'data.ratings.practice')).toEqual(['ratings.practice must be an object keyed by dimension']);
    });

    it('is required', () => {
      expect(refuses(type, example(type, { ratings: undefined }), 'data.ratings')).toEqual(['ratings must be an object keyed by side']);
    });

    it('reports every problem at its own path, together with other fields', () => {
      const data = example(type, {
        instrument: '',
        ratings: { research: { d1: 9, d9: 1 }, practice: {}, parents: 3 },
      });
      expect(fieldsOf(validateCommandData(type, data)).sort()).toEqual([
        'data.instrument',
        'data.ratings.parents',
        'data.ratings.practice',
        'data.ratings.research.d1',
        'data.ratings.research.d9',
      ]);
    });
  });

  describe('RecordStakeholderInput.respondentCounts', () => {
    const type = 'RecordStakeholderInput';
    const withCounts = (respondentCounts: unknown) => example(type, { respondentCounts });

    it('accepts roles and organization types, 0 and the maximum', () => {
      expect(validateCommandData(type, withCounts({ student_youth: 0, school: 10_000_000, researcher: 3 })).ok).toBe(true);
    });

    it('refuses an unknown key, naming it', () => {
      const [message] = refuses(type, withCounts({ family_member: 12, parents: 30 }), 'data.respondentCounts.parents');
      expect(message).toMatch(/^property parents should not exist: role or organization type must be one of researcher, practitioner, /);
    });

    it.each([-1, 10_000_001, 2.5, '12', null])('refuses the count %j', (count) => {
      expect(refuses(type, withCounts({ family_member: count }), 'data.respondentCounts.family_member')).toEqual([
        'respondentCounts.family_member must be an integer from 0 to 10000000',
      ]);
    });

    it('refuses an empty object', () => {
      expect(refuses(type, withCounts({}), 'data.respondentCounts')[0]).toMatch(/^respondentCounts must have at least 1 role or organization type/);
    });

    it('refuses a list of counts', () => {
      expect(refuses(type, withCounts([12, 30]), 'data.respondentCounts')).toEqual(['respondentCounts must be an object keyed by role or organization type']);
    });
  });
});

describe('validateProposePartnership', () => {
  const proposal = (changes: Record<string, unknown> = {}) => example('ProposePartnership', changes);

  it('accepts a proposal without types, and with an empty list of types', () => {
    expect(validateProposePartnership(proposal({ types: undefined })).ok).toBe(true);
    expect(validateProposePartnership(proposal({ types: [] })).ok).toBe(true);
  });

  it('refuses unknown and duplicate types', () => {
    const unknown = messagesFor(validateProposePartnership(proposal({ types: ['alliance'] })), 'data.types');
    expect(unknown[0]).toMatch(/^each value in types must be one of: research_alliance, /);
    expect(messagesFor(validateProposePartnership(proposal({ types: ['other', 'other'] })), 'data.types')).toContain("All types's elements must be unique");
  });

  it('refuses a bad initiation mode, a missing name and an extra field together', () => {
    const result = validateProposePartnership(proposal({ initiationMode: 'district', name: undefined, partnershipId: 'x' }));
    expect(fieldsOf(result).sort()).toEqual(['data.initiationMode', 'data.name', 'data.partnershipId']);
  });

  it('bounds the focus at 4000 characters', () => {
    expect(messagesFor(validateProposePartnership(proposal({ focus: 'f'.repeat(4001) })), 'data.focus')).toContain(
      'focus must be shorter than or equal to 4000 characters',
    );
  });

  it('refuses a body that is not an object', () => {
    expect(errorsOf(validateProposePartnership([]))).toEqual([{ field: 'data', messages: ['data must be an object'] }]);
  });
});
