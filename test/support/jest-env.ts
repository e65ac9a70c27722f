/**
 * Environment defaults for every test file (jest `setupFiles`), inherited by the engine processes the
 * tests start. The live projection runners and the reminder scheduler linger under a steady stream of
 * appends in production (PROJECTION_LINGER_MS, REMINDER_SCHEDULER_LINGER_MS): a batch at most every
 * 50 / 200 ms. Tests append in bursts and wait for the read models after each, so the linger only
 * adds its delay to each wait (about a third more time in the webhook suite, ~2 minutes of CI). The
 * linger's own behaviour is tested with it on, in projection-runtime.int-spec.ts; a test may still
 * set either variable.
 */
process.env['PROJECTION_LINGER_MS'] ||= '0';
process.env['REMINDER_SCHEDULER_LINGER_MS'] ||= '0';
