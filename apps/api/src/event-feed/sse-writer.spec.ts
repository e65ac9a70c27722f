import { formatSseComment, formatSseMessage } from './sse-writer';

describe('SSE formatting', () => {
  it('writes id, event and data fields, then a blank line', () => {
    expect(formatSseMessage({ id: '42', event: 'PartnershipProposed', data: '{"a":1}' })).toBe('id: 42\nevent: PartnershipProposed\ndata: {"a":1}\n\n');
    expect(formatSseMessage({ data: 'x' })).toBe('data: x\n\n');
  });

  it('splits multi-line data into one data field per line (CRLF, CR or LF)', () => {
    expect(formatSseMessage({ data: 'a\nb\r\nc\rd' })).toBe('data: a\ndata: b\ndata: c\ndata: d\n\n');
  });

  it('refuses a line break in id or event, which would inject fields', () => {
    expect(() => formatSseMessage({ id: '1\ndata: forged', data: 'x' })).toThrow(/single line/);
    expect(() => formatSseMessage({ event: 'a\rb', data: 'x' })).toThrow(/single line/);
  });

  it('writes comments as lines starting with a colon', () => {
    expect(formatSseComment('heartbeat')).toBe(': heartbeat\n\n');
  });
});
