/**
 * bull-board at /admin/queues (DESIGN.md §7), for admins only. Browsers get a Basic-auth prompt
 * (any user name, the admin API key as password); API clients may send the usual Bearer key.
 */
import type { INestApplication } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bullmq';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { NextFunction, Request, Response } from 'express';
import type { Queue } from 'bullmq';
import { API_KEY_STORE, QUEUES, type ApiKeyStore } from '@trellis/platform';
import { problemType } from '../http/problem';
import { sendProblem } from '../http/problem-details.filter';

export const QUEUE_DASHBOARD_PATH = '/admin/queues';

export function mountQueueDashboard(app: INestApplication): void {
  const board = new ExpressAdapter();
  board.setBasePath(QUEUE_DASHBOARD_PATH);
  createBullBoard({
    queues: Object.values(QUEUES).map((name) => new BullMQAdapter(app.get<Queue>(getQueueToken(name), { strict: false }), { readOnlyMode: false })),
    serverAdapter: board,
    options: { uiConfig: { boardTitle: 'Trellis queues' } },
  });
  app.use(QUEUE_DASHBOARD_PATH, adminOnly(app.get<ApiKeyStore>(API_KEY_STORE)), board.getRouter());
}

function adminOnly(keys: ApiKeyStore) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const header = req.header('authorization') ?? '';
    let secret: string | undefined;
    const bearer = /^Bearer\s+(\S{1,512})\s*$/i.exec(header);
    const basic = /^Basic\s+([A-Za-z0-9+/=]{1,1024})\s*$/i.exec(header);
    if (bearer) secret = bearer[1];
    else if (basic) secret = Buffer.from(basic[1]!, 'base64').toString('utf8').split(':').slice(1).join(':');
    const principal = secret ? await keys.authenticate(secret).catch(() => null) : null;
    const problem = (status: number, code: string, detail: string) => ({
      type: problemType(code),
      title: status === 401 ? 'Authentication required' : 'Forbidden',
      status,
      detail,
      code,
      ...(req.correlationId ? { correlationId: req.correlationId } : {}),
    });
    if (!principal) {
      return sendProblem(res, problem(401, 'UNAUTHENTICATED', 'The queue dashboard needs an admin API key (Basic auth password or Bearer)'), {
        'WWW-Authenticate': 'Basic realm="Trellis queues", charset="UTF-8"',
      });
    }
    if (principal.role !== 'admin') return sendProblem(res, problem(403, 'FORBIDDEN', 'The queue dashboard is for admins'));
    next();
  };
}
