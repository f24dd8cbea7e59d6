import helmet from 'helmet';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { securityHeaders } from './security-headers';

const OPTIONS = { contentSecurityPolicy: { directives: { defaultSrc: ["'self'"], imgSrc: ["'self'", 'data:'], upgradeInsecureRequests: null } } };

describe('securityHeaders', () => {
  it('are the headers helmet itself sets on a response with the same options', () => {
    const req = new IncomingMessage(new Socket());
    const res = new ServerResponse(req);
    res.setHeader('X-Powered-By', 'something');
    helmet(OPTIONS)(req, res, () => undefined);
    const fromHelmet = Object.fromEntries(Object.entries(res.getHeaders()).map(([name, value]) => [name, String(value)]));
    expect(securityHeaders(OPTIONS)).toEqual(fromHelmet);
    expect(fromHelmet['content-security-policy']).toContain("img-src 'self' data:");
    expect(fromHelmet).not.toHaveProperty('x-powered-by');
  });

  it('cannot be changed afterwards', () => {
    const headers = securityHeaders(OPTIONS) as Record<string, string>;
    expect(() => {
      headers['x-frame-options'] = 'ALLOWALL';
    }).toThrow(TypeError);
  });
});
