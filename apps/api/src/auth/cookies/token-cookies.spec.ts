import { Request } from 'express';
import { csrfTokenMatches, isUnsafeMethod, refreshCookie, requestCookies } from './token-cookies';

const requestWith = (headers: Record<string, string>) => ({ headers }) as unknown as Request;

describe('token cookies', () => {
  it('parses the Cookie header: trims, unquotes, decodes, first value wins', () => {
    expect(requestCookies(requestWith({ cookie: ' a=1; b="two"; c=%41%42; a=3; broken; =x' }))).toEqual({
      a: '1',
      b: 'two',
      c: 'AB',
    });
    expect(requestCookies(requestWith({}))).toEqual({});
    expect(requestCookies(requestWith({ cookie: 'bad=%E0%A4%A' }))).toEqual({ bad: '%E0%A4%A' });
  });

  it('reads the refresh cookie, ignoring an empty one', () => {
    expect(refreshCookie(requestWith({ cookie: 'hourglass_refresh=abc.def.ghi' }))).toBe('abc.def.ghi');
    expect(refreshCookie(requestWith({ cookie: 'hourglass_refresh=' }))).toBeUndefined();
  });

  it('accepts the CSRF header only when it equals the CSRF cookie', () => {
    const cookie = 'hourglass_csrf=tok_123';
    expect(csrfTokenMatches(requestWith({ cookie, 'x-csrf-token': 'tok_123' }))).toBe(true);
    expect(csrfTokenMatches(requestWith({ cookie, 'x-csrf-token': 'tok_124' }))).toBe(false);
    expect(csrfTokenMatches(requestWith({ cookie, 'x-csrf-token': 'tok_1234' }))).toBe(false);
    expect(csrfTokenMatches(requestWith({ cookie }))).toBe(false);
    expect(csrfTokenMatches(requestWith({ 'x-csrf-token': '' }))).toBe(false);
    expect(csrfTokenMatches(requestWith({ cookie: 'hourglass_csrf=', 'x-csrf-token': '' }))).toBe(false);
  });

  it('knows the unsafe methods', () => {
    expect(['POST', 'put', 'PATCH', 'DELETE'].every(isUnsafeMethod)).toBe(true);
    expect(['GET', 'HEAD', 'OPTIONS'].some(isUnsafeMethod)).toBe(false);
  });
});
